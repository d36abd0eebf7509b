import COpenSSL

/// An Ed25519 public key (RFC 8032) that verifies signatures through OpenSSL's
/// `EVP_DigestVerify`.
///
/// Owns its `EVP_PKEY`; not `Sendable`, keep it within one task.
public final class Ed25519PublicKey {
    let pkey: OpaquePointer
    /// The 32 raw public key bytes (RFC 8032 encoding).
    public let rawBytes: [UInt8]

    init(owning pkey: OpaquePointer) throws {
        self.pkey = pkey
        var length = 32
        var raw = [UInt8](repeating: 0, count: 32)
        guard EVP_PKEY_get_raw_public_key(pkey, &raw, &length) == 1, length == 32 else {
            EVP_PKEY_free(pkey)
            throw Ed25519Error.openSSL(.keyFormat, "cannot read the raw Ed25519 public key")
        }
        rawBytes = raw
    }

    deinit { EVP_PKEY_free(pkey) }

    /// Creates a key from its 32 raw bytes (`EVP_PKEY_new_raw_public_key`).
    /// - Throws: ``Ed25519Error`` `.keyFormat` when `raw` is not 32 bytes or not a valid key.
    public convenience init(rawBytes raw: [UInt8]) throws {
        guard raw.count == 32 else {
            throw Ed25519Error(.keyFormat, "an Ed25519 public key has 32 bytes, got \(raw.count)")
        }
        guard let pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count) else {
            throw Ed25519Error.openSSL(.keyFormat, "the 32 bytes are not an Ed25519 public key")
        }
        try self.init(owning: pkey)
    }

    /// Creates a key from PEM text holding a SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`),
    /// as written by `openssl pkey -pubout`.
    /// - Parameter source: names the input in error messages (a path, or "checkpoint key").
    /// - Throws: ``Ed25519Error`` `.keyFormat` when it is not an Ed25519 SPKI.
    public convenience init(pem: [UInt8], source: String) throws {
        let pkey: OpaquePointer? = pem.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
        guard let pkey else {
            throw Ed25519Error.openSSL(.keyFormat, "\(source) is not a PEM public key (expected -----BEGIN PUBLIC KEY-----)")
        }
        guard EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(pkey)
            throw Ed25519Error(.keyFormat, "\(source) is not an Ed25519 public key; create one with `openssl genpkey -algorithm ed25519`")
        }
        try self.init(owning: pkey)
    }

    /// Loads a PEM SubjectPublicKeyInfo file.
    /// - Throws: ``Ed25519Error`` `.keyFileMissing` or `.keyFormat`.
    public convenience init(pemFile path: String) throws {
        let bytes = try KeyFileReader.read(path, what: "public key file", requireOwnerOnly: false)
        try self.init(pem: bytes, source: "public key file \(path)")
    }

    /// Checks an Ed25519 signature over `message` (`EVP_DigestVerifyInit` + `EVP_DigestVerify`).
    /// - Returns: `true` only for a valid 64-byte signature by this key.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == 64, let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, nil, nil, pkey) == 1 else {
            ERR_clear_error()
            return false
        }
        let result = EVP_DigestVerify(ctx, signature, signature.count, message, message.count)
        ERR_clear_error()
        return result == 1
    }

    /// The key as PEM SubjectPublicKeyInfo text.
    public func pemText() throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw Ed25519Error.openSSL(.keyFormat, "cannot allocate a memory BIO") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PUBKEY(bio, pkey) == 1 else {
            throw Ed25519Error.openSSL(.keyFormat, "cannot encode the public key as PEM")
        }
        var pointer: UnsafeMutablePointer<CChar>?
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &pointer)
        guard let pointer, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}
