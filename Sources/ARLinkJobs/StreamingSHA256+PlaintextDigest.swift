public import ARLinkEnvelope
public import ARLinkFormats

/// The portfolio writer hashes its plaintext with OpenSSL's SHA-256 (the envelope's) rather
/// than its own pure-Swift fallback.
extension StreamingSHA256: PlaintextDigest {}
