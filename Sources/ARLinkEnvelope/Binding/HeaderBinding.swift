/// Checks that an opened file's signed header names us as recipient (with the fingerprint
/// of our encryption certificate) and the partner whose certificate signed it as sender.
/// This stops surreptitious forwarding: a file signed for someone else and re-encrypted to us.
public enum HeaderBinding {
    /// The verdict: a value, not an error (the inbound job decides what to do with it).
    public enum Outcome: Sendable, Equatable {
        case ok
        case mismatch(reason: String)

        /// The refusal as an ``EnvelopeError`` (`.headerMismatch`, exit 77), or nil when ok.
        public var error: EnvelopeError? {
            if case .mismatch(let reason) = self { return EnvelopeError(.headerMismatch, reason) }
            return nil
        }
    }

    /// Compares the header's parties with what the envelope proved.
    /// - Parameters:
    ///   - headerSender: `sender` from the file's header record.
    ///   - headerRecipient: `recipient` from the header.
    ///   - headerRecipientKeyFingerprint: the SHA-256 of the recipient's encryption certificate
    ///     as the header states it (hex; `sha256:` prefix, colons and case are ignored).
    ///   - ourID: our party id.
    ///   - ourEncryptionFingerprint: SHA-256 of the certificate we decrypted with.
    ///   - partnerID: the partner we expect this file from.
    ///   - signerFingerprint: ``OpenResult/signerFingerprint``.
    ///   - partnerSignerFingerprints: the partner's pinned signing-certificate fingerprints (for
    ///     CA-based trust, the fingerprints the trust policy accepted for this partner).
    public static func check(
        headerSender: String, headerRecipient: String, headerRecipientKeyFingerprint: String,
        ourID: String, ourEncryptionFingerprint: String, partnerID: String,
        signerFingerprint: String, partnerSignerFingerprints: [String]
    ) -> Outcome {
        if headerRecipient != ourID {
            return .mismatch(reason: "the header names recipient \"\(headerRecipient)\", not us (\"\(ourID)\"): the file was signed for someone else")
        }
        if normalize(headerRecipientKeyFingerprint) != normalize(ourEncryptionFingerprint) {
            return .mismatch(
                reason: "the header names recipient key sha256 \(normalize(headerRecipientKeyFingerprint).prefix(16))…, not our encryption certificate (sha256 \(normalize(ourEncryptionFingerprint).prefix(16))…)"
            )
        }
        if headerSender != partnerID {
            return .mismatch(reason: "the header names sender \"\(headerSender)\", but the file came from partner \"\(partnerID)\"")
        }
        let signer = normalize(signerFingerprint)
        if !partnerSignerFingerprints.map(normalize).contains(signer) {
            return .mismatch(reason: "the file was signed by sha256 \(signer.prefix(16))…, which is not a signing certificate of partner \"\(partnerID)\"")
        }
        return .ok
    }

    /// Lowercase hex without a `sha256:` prefix or colons.
    static func normalize(_ fingerprint: String) -> String {
        var text = fingerprint.lowercased()
        if text.hasPrefix("sha256:") { text.removeFirst(7) }
        return text.filter { $0 != ":" && $0 != " " }
    }
}
