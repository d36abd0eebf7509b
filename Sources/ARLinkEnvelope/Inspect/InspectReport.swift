/// What `arlink envelope inspect` shows: structure and algorithms, without decrypting.
public struct InspectReport: Sendable, Equatable {
    /// One recipient entry.
    public struct Recipient: Sendable, Equatable {
        /// `key transport`, `key agreement` or `other`.
        public let kind: String
        /// Who it addresses: `issuer CN=… serial 0a1b…` or `key id ab12…`.
        public let identifier: String
        /// Key encryption algorithm, e.g. `rsaes-oaep (sha256, mgf1-sha256)`.
        public let algorithm: String
    }

    /// One signer (visible only when the file is an unencrypted SignedData).
    public struct Signer: Sendable, Equatable {
        public let subject: String
        public let sha256Fingerprint: String
        public let digestAlgorithm: String
        public let signatureAlgorithm: String
    }

    /// Outer content type, e.g. `authEnvelopedData`.
    public let contentType: String
    /// Content encryption algorithm, e.g. `aes-256-gcm`.
    public let contentEncryption: String?
    /// The declared type of the encrypted content.
    public let encryptedContentType: String?
    /// Size of the ciphertext.
    public let encryptedBytes: Int64?
    /// Length of the GCM tag, for authEnvelopedData.
    public let tagBytes: Int?
    public let recipients: [Recipient]
    public let signers: [Signer]
    /// Size of the signed content, for an unencrypted SignedData.
    public let signedBytes: Int64?

    /// Text lines for the command line.
    public var lines: [String] {
        var out = ["content type: \(contentType)"]
        if let contentEncryption { out.append("content encryption: \(contentEncryption)") }
        if let tagBytes { out.append("authentication tag: \(tagBytes) bytes") }
        if let encryptedContentType { out.append("encrypted content type: \(encryptedContentType)") }
        if let encryptedBytes { out.append("encrypted content: \(encryptedBytes) bytes") }
        for (i, r) in recipients.enumerated() {
            out.append("recipient \(i + 1): \(r.kind), \(r.algorithm), \(r.identifier)")
        }
        if contentType != "signedData" {
            out.append("signer: inside the encryption (open the envelope to verify it)")
        }
        if let signedBytes { out.append("signed content: \(signedBytes) bytes") }
        for (i, s) in signers.enumerated() {
            out.append("signer \(i + 1): \(s.subject) (sha256 \(s.sha256Fingerprint)), \(s.digestAlgorithm), \(s.signatureAlgorithm)")
        }
        return out
    }
}
