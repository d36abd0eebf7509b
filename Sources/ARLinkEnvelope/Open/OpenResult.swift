/// What opening an envelope proved: who signed it and the digests of both forms.
public struct OpenResult: Sendable, Equatable {
    /// The signer's certificate subject (RFC 2253).
    public let signerSubject: String
    /// Lowercase hex SHA-256 of the signer's DER certificate.
    public let signerFingerprint: String
    /// Lowercase hex SHA-256 of the plaintext written to the output.
    public let plaintextSHA256: String
    /// Lowercase hex SHA-256 of the envelope file as received.
    public let sealedSHA256: String
    /// Size of the plaintext.
    public let plaintextBytes: Int64
    /// Size of the envelope.
    public let sealedBytes: Int64
    /// Warnings to show on every run (e.g. the CBC exception).
    public let warnings: [String]
    /// The weak key transport the envelope used, when the partner's configuration allows one
    /// (``LegacyKeyTransport``); the inbound job records each use in the audit log.
    public var legacyKeyTransport: LegacyKeyTransport? = nil
    /// For OpenPGP: the primary-key fingerprint of our key that decrypted the message (the
    /// current one, or an earlier one during a rotation).
    public var decryptionKeyFingerprint: String? = nil
}
