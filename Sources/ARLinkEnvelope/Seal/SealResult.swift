/// What sealing produced.
public struct SealResult: Sendable, Equatable {
    /// Lowercase hex SHA-256 of the input file (equal to the signed messageDigest).
    public let plaintextSHA256: String
    /// Lowercase hex SHA-256 of the envelope written.
    public let sealedSHA256: String
    /// Size of the input.
    public let plaintextBytes: Int64
    /// Size of the envelope.
    public let sealedBytes: Int64
}
