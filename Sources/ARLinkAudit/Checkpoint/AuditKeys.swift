import Foundation
public import ARLinkEnvelope

/// The C2SP key id of an Ed25519 note key: the first four bytes of
/// SHA-256(key name || 0x0A || 0x01 || 32-byte public key).
func noteKeyID(name: String, publicKey: [UInt8], hasher: MerkleHasher) -> [UInt8] {
    var input = Array(name.utf8)
    input.append(0x0A)
    input.append(0x01)
    input.append(contentsOf: publicKey)
    return Array(hasher.sha256(input).prefix(4))
}

/// Signs checkpoints with the company's Ed25519 audit key.
///
/// Not `Sendable` (it owns an OpenSSL key); one per task.
public final class AuditSigner {
    /// The name in the signature line; by convention the log's origin.
    public let keyName: String
    private let key: Ed25519PrivateKey
    private let hasher: MerkleHasher
    /// The 4-byte key id.
    public let keyID: [UInt8]

    /// Loads the PEM PKCS#8 private key at `privateKeyPath` (owner-only permissions).
    /// - Throws: ``AuditError`` `.key` with the reason (missing, too open, not Ed25519).
    public convenience init(privateKeyPath: String, keyName: String, passphrase: [UInt8]? = nil) throws {
        let key: Ed25519PrivateKey
        do { key = try Ed25519PrivateKey(pemFile: privateKeyPath, passphrase: passphrase) } catch let error as Ed25519Error {
            throw AuditError(.key, "audit signing key: \(error.message)", underlying: error)
        }
        try self.init(key: key, keyName: keyName)
    }

    /// Wraps an already loaded key.
    public init(key: Ed25519PrivateKey, keyName: String) throws {
        guard AuditVerifierKey.isValidKeyName(keyName) else {
            throw AuditError(.key, "audit key name \"\(keyName.prefix(80))\" must be non-empty and contain no spaces, newlines or '+'")
        }
        self.key = key
        self.keyName = keyName
        hasher = try MerkleHasher()
        keyID = noteKeyID(name: keyName, publicKey: key.publicKey.rawBytes, hasher: hasher)
    }

    /// The public half, for verification.
    public var publicKey: Ed25519PublicKey { key.publicKey }

    /// Signs a checkpoint body and returns the whole note.
    /// - Throws: ``AuditError`` `.key` when OpenSSL cannot sign.
    public func signCheckpoint(origin: String, treeSize: UInt64, rootHash: MerkleHash) throws -> SignedCheckpoint {
        let body = SignedCheckpoint.body(origin: origin, treeSize: treeSize, rootHash: rootHash)
        let signature: [UInt8]
        do { signature = try key.sign(Array(body.utf8)) } catch {
            throw AuditError(.key, "cannot sign the audit checkpoint: \(error)", underlying: error)
        }
        let blob = (keyID + signature)
        let line = "\u{2014} \(keyName) \(base64(blob))\n"
        return SignedCheckpoint(origin: origin, treeSize: treeSize, rootHash: rootHash, noteText: body + "\n" + line)
    }
}

/// The public audit key that checks checkpoint signatures.
public final class AuditVerifierKey {
    public let keyName: String
    public let publicKey: Ed25519PublicKey
    public let keyID: [UInt8]

    /// Loads a PEM SubjectPublicKeyInfo Ed25519 key.
    /// - Throws: ``AuditError`` `.key`.
    public convenience init(publicKeyPath: String, keyName: String) throws {
        let key: Ed25519PublicKey
        do { key = try Ed25519PublicKey(pemFile: publicKeyPath) } catch let error as Ed25519Error {
            throw AuditError(.key, "audit public key: \(error.message)", underlying: error)
        }
        try self.init(publicKey: key, keyName: keyName)
    }

    public init(publicKey: Ed25519PublicKey, keyName: String) throws {
        guard Self.isValidKeyName(keyName) else {
            throw AuditError(.key, "audit key name \"\(keyName.prefix(80))\" must be non-empty and contain no spaces, newlines or '+'")
        }
        self.publicKey = publicKey
        self.keyName = keyName
        keyID = noteKeyID(name: keyName, publicKey: publicKey.rawBytes, hasher: try MerkleHasher())
    }

    /// The C2SP verifier key text `<name>+<hex key id>+<base64(0x01 || public key)>`.
    public var verifierKeyText: String {
        "\(keyName)+\(keyID.map { String(format: "%02x", $0) }.joined())+\(base64([0x01] + publicKey.rawBytes))"
    }

    static func isValidKeyName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { !$0.properties.isWhitespace && $0 != "+" && $0.value >= 0x21 }
    }

    /// Parses and checks a checkpoint note signed by this key.
    ///
    /// - Parameters:
    ///   - note: the note text.
    ///   - source: names the note in messages ("checkpoint #3 in the database").
    ///   - origin: the expected origin, if known.
    /// - Returns: the checkpoint.
    /// - Throws: ``AuditError`` `.malformed` for a broken note, `.tampered` for a signature by
    ///   another key, an invalid signature, or another origin.
    public func open(_ note: String, source: String, origin: String? = nil) throws -> SignedCheckpoint {
        let parsed = try SignedNote(parsing: note, source: source)
        let (noteOrigin, size, root) = try SignedCheckpoint.parseBody(parsed.text, source: source)
        let mine = parsed.signatures.filter { $0.keyName == keyName && $0.keyID == keyID }
        guard let signature = mine.first else {
            let found = parsed.signatures.map { "\($0.keyName) (key id \(hexString($0.keyID)))" }.joined(separator: ", ")
            throw AuditError(.tampered, "\(source) (tree size \(size)) is signed by another key: \(found); the audit key is \(keyName) (key id \(hexString(keyID)))")
        }
        guard publicKey.isValidSignature(signature.signature, for: Array(parsed.text.utf8)) else {
            throw AuditError(.tampered, "\(source) (tree size \(size)): the signature by \(keyName) does not verify: the checkpoint text was altered or forged")
        }
        if let origin, origin != noteOrigin {
            throw AuditError(.tampered, "\(source) (tree size \(size)) is for log \"\(noteOrigin.prefix(80))\", expected \"\(origin)\"")
        }
        return SignedCheckpoint(origin: noteOrigin, treeSize: size, rootHash: root, noteText: note)
    }
}

func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

func base64(_ bytes: [UInt8]) -> String {
    Data(bytes).base64EncodedString()
}
