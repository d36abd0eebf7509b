public import ARLinkCore

/// File names of exchanged files (design section 3):
/// `{sender}_{recipient}_{kind}_{yyyymmdd}_{sequence:06}.{format}.{envelope}`, ASCII only, where
/// `{envelope}` is `p7m` (CMS) or `pgp` (OpenPGP).
public enum ExchangeFileName {
    /// The sealed file's name.
    /// - Parameter envelope: the envelope's extension, `p7m` (the default) or `pgp`.
    public static func sealed(sender: String, recipient: String, kind: String, date: LocalDate, sequence: Int, format: String,
                              envelope: String = "p7m") -> String {
        "\(plain(sender: sender, recipient: recipient, kind: kind, date: date, sequence: sequence, format: format)).\(envelope)"
    }

    /// The plaintext's name (inside the private work folder only).
    public static func plain(sender: String, recipient: String, kind: String, date: LocalDate, sequence: Int, format: String) -> String {
        let seq = String(sequence)
        let padded = String(repeating: "0", count: max(0, 6 - seq.count)) + seq
        return "\(sender)_\(recipient)_\(kind)_\(date.compact)_\(padded).\(format)"
    }
}
