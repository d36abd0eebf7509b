import COpenSSL

/// An Ed25519 private key (RFC 8032) that signs through OpenSSL's `EVP_DigestSign`.
///
/// Loaded from a PEM PKCS#8 file with owner-only permissions (`openssl genpkey -algorithm ed25519`).
/// Owns its `EVP_PKEY`; not `Sendable`, keep it within one task.
public final class Ed25519PrivateKey {
    private let pkey: OpaquePointer
    /// The matching public key.
    public let publicKey: Ed25519PublicKey

    private init(owning pkey: OpaquePointer) throws {
        self.pkey = pkey
        var length = 32
        var raw = [UInt8](repeating: 0, count: 32)
        guard EVP_PKEY_get_raw_public_key(pkey, &raw, &length) == 1, length == 32 else {
            EVP_PKEY_free(pkey)
            throw Ed25519Error.openSSL(.keyFormat, "cannot derive the Ed25519 public key")
        }
        do {
            publicKey = try Ed25519PublicKey(rawBytes: raw)
        } catch {
            EVP_PKEY_free(pkey)
            throw error
        }
    }

    deinit { EVP_PKEY_free(pkey) }

    /// Loads a PEM PKCS#8 Ed25519 private key (`-----BEGIN PRIVATE KEY-----`).
    ///
    /// An encrypted key needs `passphrase`; without one it is refused rather than prompting
    /// on the terminal.
    /// - Parameters:
    ///   - path: the PEM file; refused when group or others have any permission on it.
    ///   - passphrase: the passphrase of an encrypted PKCS#8 key, if any (wiped after use by the caller).
    /// - Throws: ``Ed25519Error`` `.keyFileMissing`, `.keyPermissions` (group/other bits set)
    ///   or `.keyFormat`. Messages name the path, never the key material.
    public convenience init(pemFile path: String, passphrase: [UInt8]? = nil) throws {
        var bytes = try KeyFileReader.read(path, what: "private key file", requireOwnerOnly: true)
        defer { bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        let pkey: OpaquePointer? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            if var secret = passphrase {
                // With no callback, OpenSSL reads `u` as a NUL-terminated passphrase.
                secret.append(0)
                defer { secret.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
                return secret.withUnsafeMutableBytes { PEM_read_bio_PrivateKey(bio, nil, nil, $0.baseAddress) }
            }
            // A callback that supplies no passphrase: OpenSSL's default would read the terminal.
            return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        }
        guard let pkey else {
            throw Ed25519Error.openSSL(.keyFormat, "private key file \(path) is not a PEM PKCS#8 private key, or its passphrase is wrong or missing")
        }
        guard EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(pkey)
            throw Ed25519Error(.keyFormat, "private key file \(path) is not an Ed25519 key; create one with `openssl genpkey -algorithm ed25519`")
        }
        try self.init(owning: pkey)
    }

    /// Creates a key from its 32-byte RFC 8032 seed (`EVP_PKEY_new_raw_private_key`).
    /// - Throws: ``Ed25519Error`` `.keyFormat` when `seed` is not 32 bytes.
    public convenience init(seed: [UInt8]) throws {
        guard seed.count == 32 else {
            throw Ed25519Error(.keyFormat, "an Ed25519 seed has 32 bytes, got \(seed.count)")
        }
        guard let pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count) else {
            throw Ed25519Error.openSSL(.keyFormat, "the 32 bytes are not an Ed25519 seed")
        }
        try self.init(owning: pkey)
    }

    /// Signs `message` (pure Ed25519, no pre-hash) with `EVP_DigestSign`.
    /// - Returns: the 64-byte signature.
    /// - Throws: ``Ed25519Error`` `.signFailed`.
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw Ed25519Error.openSSL(.signFailed, "cannot allocate a signing context") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, nil, nil, pkey) == 1 else {
            throw Ed25519Error.openSSL(.signFailed, "cannot initialise Ed25519 signing")
        }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        guard EVP_DigestSign(ctx, &signature, &length, message, message.count) == 1, length == 64 else {
            throw Ed25519Error.openSSL(.signFailed, "Ed25519 signing failed")
        }
        return signature
    }
}
