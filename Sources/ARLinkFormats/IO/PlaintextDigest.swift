import ARLinkCore

/// A streaming digest that ``PortfolioWriter`` feeds with every byte it writes, so the caller
/// gets the plaintext's SHA-256 without reading the file again.
///
/// The formats layer has only a pure-Swift SHA-256 (``SHA256``, about 275 MB/s here); a caller
/// that links OpenSSL can pass a faster implementation (`EVP_DigestUpdate` runs at about
/// 1.8 GB/s with the CPU's SHA extensions). `update` is called from the writer's helper thread,
/// one call at a time; `finalizeHex` once, after the last `update`, from the caller's thread.
public protocol PlaintextDigest: AnyObject {
    /// Adds bytes.
    func update(_ bytes: UnsafeRawBufferPointer)
    /// The digest of everything added, as lowercase hex.
    func finalizeHex() -> String
}

/// ``PlaintextDigest`` over this module's pure-Swift ``SHA256``.
public final class SwiftSHA256Digest: PlaintextDigest {
    private var hasher = SHA256()

    public init() {}

    public func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bytes) }

    public func finalizeHex() -> String { hasher.finalizeHex() }
}
