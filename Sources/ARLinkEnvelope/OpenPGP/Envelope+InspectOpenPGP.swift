#if canImport(Glibc)
import Glibc
#endif

extension Envelope {
    /// Describes an OpenPGP message without decrypting it: its encoding, the key ids it is
    /// encrypted to, and its encrypted-data packet, after the same structure checks as
    /// ``openOpenPGP(input:output:key:trust:maxDecompressionRatio:durable:)``'s first step.
    /// - Returns: lines for `arlink envelope inspect --format openpgp`.
    /// - Throws: ``EnvelopeError`` for a message the open would refuse on its structure alone.
    public static func inspectOpenPGP(input: String) throws(EnvelopeError) -> [String] {
        let fd = Glibc.open(input, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw EnvelopeError(.missingFile, "message \(input) cannot be opened: \(errnoText())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw EnvelopeError(.missingFile, "message \(input) is not a regular file")
        }
        guard st.st_size > 0 else { throw EnvelopeError(.empty, "message \(input) is empty") }
        var head = [UInt8](repeating: 0, count: 64)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 && head.prefix(n).starts(with: Array("-----BEGIN PGP ".utf8)) {
            throw EnvelopeError(
                .malformed, "\(input) is ASCII-armoured; inspect reads binary messages (de-armour it first: rnp --dearmor or gpg --dearmor)"
            )
        }
        let scan = try OpenPGPPacketScan.scan(fd: fd, size: Int64(st.st_size), name: input)
        var lines = ["format:      OpenPGP (binary packets)", "size:        \(st.st_size) bytes"]
        for id in scan.recipientKeyIDs { lines.append("recipient:   public-key session key for key id \(id)") }
        if scan.passwordCount > 0 { lines.append("passwords:   \(scan.passwordCount) symmetric-key session key packet(s)") }
        lines.append("encrypted:   SEIPD version 1 (integrity protected, MDC), ends at the end of the file")
        lines.append("signature:   inside the encryption; visible only when opened")
        return lines
    }
}
