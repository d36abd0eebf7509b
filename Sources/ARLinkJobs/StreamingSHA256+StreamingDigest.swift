public import ARLinkEnvelope
public import ARLinkSystem

/// The portfolio writer hashes its plaintext with OpenSSL's SHA-256 (the envelope's) rather
/// than the pure-Swift one.
extension StreamingSHA256: StreamingDigest {
    public func update(_ bytes: Span<UInt8>) {
        unsafe bytes.withUnsafeBytes { unsafe update($0) }
    }
}
