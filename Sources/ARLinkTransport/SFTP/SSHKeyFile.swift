/// Finds out which algorithm an SSH client key uses, without decrypting it.
///
/// OpenSSH's own format (`BEGIN OPENSSH PRIVATE KEY`) keeps the public key in clear even when
/// the private part is passphrase-protected; PEM formats name the algorithm in their armour.
enum SSHKeyFile {
    enum KeyType: Equatable {
        case ed25519, ecdsa, rsa, dsa
        case other(String)
    }

    /// The key's type, from the private key file or else the public key file next to it.
    static func keyType(privateKeyPath: String, publicKeyPath: String?, purpose: String) throws -> KeyType {
        let text = try LocalFiles.readSmallFile(privateKeyPath, limit: 64 << 10, purpose: purpose)
        if text.contains("-----BEGIN OPENSSH PRIVATE KEY-----") {
            guard let type = openSSHKeyType(text) else {
                throw TransportError(.config, "\(purpose): \(privateKeyPath) is not a readable OpenSSH private key")
            }
            return classify(type)
        }
        if text.contains("-----BEGIN RSA PRIVATE KEY-----") { return .rsa }
        if text.contains("-----BEGIN DSA PRIVATE KEY-----") { return .dsa }
        if text.contains("-----BEGIN EC PRIVATE KEY-----") { return .ecdsa }
        let publicPath = publicKeyPath ?? privateKeyPath + ".pub"
        if let publicText = try? LocalFiles.readSmallFile(publicPath, limit: 64 << 10, purpose: purpose),
            let first = publicText.split(separator: " ").first
        {
            return classify(String(first))
        }
        throw TransportError(.config, "\(purpose): cannot tell the algorithm of \(privateKeyPath); use an OpenSSH-format key (ssh-keygen -t ed25519) or give public_key")
    }

    /// Refuses RSA and DSA keys with the reason.
    static func requireSupported(_ type: KeyType, path: String, purpose: String) throws {
        switch type {
        case .ed25519, .ecdsa:
            return
        case .rsa:
            throw TransportError(.config, "\(purpose): \(path) is an RSA key; libssh2 (used by libcurl) signs RSA keys with SHA-1 (ssh-rsa), which current OpenSSH servers refuse, so the login would fail; create an Ed25519 key with `ssh-keygen -t ed25519` and give the partner its public key")
        case .dsa:
            throw TransportError(.config, "\(purpose): \(path) is a DSA key, which OpenSSH no longer accepts; create an Ed25519 key with `ssh-keygen -t ed25519`")
        case .other(let name):
            throw TransportError(.config, "\(purpose): \(path) is a \(RemoteName.escape(Array(name.utf8))) key; only Ed25519 and ECDSA client keys are supported")
        }
    }

    private static func classify(_ name: String) -> KeyType {
        if name == "ssh-ed25519" { return .ed25519 }
        if name.hasPrefix("ecdsa-sha2-") { return .ecdsa }
        if name == "ssh-rsa" || name.hasPrefix("rsa-sha2") { return .rsa }
        if name == "ssh-dss" { return .dsa }
        return .other(name)
    }

    /// Reads the key type string from an `openssh-key-v1` blob.
    private static func openSSHKeyType(_ text: String) -> String? {
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let blob = Base64.decode(body) else { return nil }
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard blob.count > magic.count, Array(blob[0..<magic.count]) == magic else { return nil }
        var reader = BlobReader(bytes: blob, offset: magic.count)
        guard reader.string() != nil, reader.string() != nil, reader.string() != nil,  // cipher, kdf, kdf options
            let count = reader.uint32(), count >= 1,
            let publicKey = reader.string()
        else { return nil }
        var inner = BlobReader(bytes: publicKey, offset: 0)
        guard let type = inner.string() else { return nil }
        return String(decoding: type, as: UTF8.self)
    }

    private struct BlobReader {
        let bytes: [UInt8]
        var offset: Int

        mutating func uint32() -> UInt32? {
            guard offset + 4 <= bytes.count else { return nil }
            let value = bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            offset += 4
            return value
        }

        mutating func string() -> [UInt8]? {
            guard let length = uint32(), Int(length) <= bytes.count - offset else { return nil }
            let value = Array(bytes[offset..<offset + Int(length)])
            offset += Int(length)
            return value
        }
    }
}

/// Standard base64 decoding (padding optional, whitespace ignored).
enum Base64 {
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var out: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in text.utf8 {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="), UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): continue
            default: return nil
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}
