internal import COpenSSL

/// Loads private keys from PEM or DER files, encrypted or not, after checking that only
/// the owner can read the file.
enum PrivateKeyLoader {
    /// - Throws: `.keyPermissions` for group/other access, `.missingFile`, `.passphrase` for a wrong
    ///   or missing passphrase, `.badKey` when the file holds no private key.
    static func load(path: String, passphrase: Passphrase?) throws(EnvelopeError) -> PKeyHandle {
        try SmallFile.requireOwnerOnly(path, what: "private key")
        var bytes = try SmallFile.read(path, what: "private key")
        defer { wipe(&bytes) }
        var secret: [CChar] = try passphrase?.secretCString() ?? [0]
        defer { wipe(&secret) }
        let encrypted = isEncrypted(bytes)
        if encrypted && passphrase == nil {
            throw EnvelopeError(.passphrase, "private key \(path) is encrypted but no passphrase source is configured for it")
        }
        OpenSSLErrorQueue.clear()
        let key: OpaquePointer? = bytes.withUnsafeBytes { raw -> OpaquePointer? in
            guard let base = raw.baseAddress, raw.count > 0 else { return nil }
            return secret.withUnsafeMutableBufferPointer { pass -> OpaquePointer? in
                guard let bio = BIO_new_mem_buf(base, Int32(raw.count)) else { return nil }
                defer { BIO_free(bio) }
                if PEMText.looksLikePEM(bytes) {
                    return PEM_read_bio_PrivateKey(bio, nil, nil, pass.baseAddress)
                }
                if let key = d2i_PKCS8PrivateKey_bio(bio, nil, nil, pass.baseAddress) { return key }
                _ = BIO_ctrl(bio, BIO_CTRL_RESET, 0, nil)
                return d2i_PrivateKey_bio(bio, nil)
            }
        }
        guard let key else {
            if encrypted {
                throw EnvelopeError.fromOpenSSL(.passphrase, "private key \(path) cannot be decrypted with the passphrase from \(passphrase?.description ?? "nowhere")")
            }
            throw EnvelopeError.fromOpenSSL(.badKey, "\(path) does not hold a PEM or DER private key")
        }
        OpenSSLErrorQueue.clear()
        return PKeyHandle(owning: key)
    }

    /// Whether the key file is an encrypted PEM (PKCS#8 or legacy) key.
    static func isEncrypted(_ bytes: [UInt8]) -> Bool {
        guard PEMText.looksLikePEM(bytes) else { return false }
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        return text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED")
    }

    private static func wipe<T>(_ array: inout [T]) {
        array.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { OPENSSL_cleanse(base, raw.count) }
        }
    }
}
