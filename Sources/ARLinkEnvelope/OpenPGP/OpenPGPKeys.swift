public import Foundation

/// The minimum RSA (and DSA/ElGamal) key size the OpenPGP profile accepts, for signers and recipients.
let openPGPMinimumRSABits = 3072

/// An OpenPGP certificate (public key) in a file, armoured or binary: a partner's, pinned by
/// its primary-key fingerprint, or a recipient's.
///
/// The file must hold exactly one primary key (with its subkeys). It is read again by every
/// seal and open that uses it; only its fingerprint and description are kept.
public struct OpenPGPCertificate: Sendable, Equatable {
    /// The file.
    public let path: String
    /// Upper-case hex fingerprint of the primary key (40 digits for v4 keys).
    public let fingerprint: String
    /// The primary user id (for messages only).
    public let userID: String
    /// Public-key algorithm and size of the primary key, e.g. `RSA 3072` or `EDDSA 255`.
    public let algorithm: String
    /// When the primary key was made (the newest valid pin is the one we encrypt to).
    public let created: Date

    /// Loads and checks a certificate file.
    /// - Parameters:
    ///   - path: the file (`gpg --export`, `rnp --export-key`, `sq key extract-cert`).
    ///   - expectedFingerprint: when given (the configuration's pin), the primary key must have
    ///     this fingerprint (hex, spaces ignored, any case).
    /// - Throws: ``EnvelopeError`` `missingFile`, `certificatePermissions` (world-writable),
    ///   `badCertificate` (not one OpenPGP certificate), `badTrustConfiguration` (fingerprint differs).
    public init(path: String, expectedFingerprint: String? = nil) throws(EnvelopeError) {
        try SmallFile.requireNotWorldWritable(path, what: "OpenPGP certificate")
        let ffi = try RNPFFI()
        let primaries: [RNPKey]
        do {
            primaries = try ffi.importKeys(path: path, secret: false, what: "OpenPGP certificate")
                .compactMap { ffi.key(fingerprint: $0) }.filter(\.isPrimary)
        } catch let error where error.code == .badKey {
            throw EnvelopeError(.badCertificate, error.message)
        }
        guard primaries.count == 1, let primary = primaries.first else {
            throw EnvelopeError(
                .badCertificate,
                "OpenPGP certificate \(path) holds \(primaries.count) primary keys; give one certificate per file"
            )
        }
        self.path = path
        fingerprint = primary.fingerprint
        userID = primary.userID
        algorithm = "\(primary.algorithm) \(primary.bits)"
        created = Date(timeIntervalSince1970: TimeInterval(primary.creation))
        if let expectedFingerprint {
            let wanted = expectedFingerprint.uppercased().filter { !$0.isWhitespace }
            if wanted != fingerprint {
                throw EnvelopeError(
                    .badTrustConfiguration,
                    "OpenPGP certificate \(path) has primary-key fingerprint \(fingerprint), not the pinned \(wanted)"
                )
            }
        }
    }

    /// A short description for messages: user id and fingerprint.
    public var shortName: String { userID.isEmpty ? fingerprint : "\"\(userID)\" (\(fingerprint))" }
}

extension OpenPGPCertificate {
    /// Whether, at `now`, the primary key is neither revoked nor expired and a key of it that is
    /// neither may encrypt: whether we can encrypt to this certificate today.
    /// - Throws: ``EnvelopeError`` when the file can no longer be read.
    public func canEncrypt(at now: Date) throws(EnvelopeError) -> Bool {
        let ffi = try RNPFFI()
        ffi.setTime(UInt64(max(0, now.timeIntervalSince1970)))
        _ = try ffi.importKeys(path: path, secret: false, what: "OpenPGP certificate")
        guard let primary = ffi.key(fingerprint: fingerprint), !primary.isRevoked, !primary.isExpired else { return false }
        return ([primary] + primary.subkeys).contains { $0.allows("encrypt") && !$0.isRevoked && !$0.isExpired }
    }
}

/// One of our OpenPGP secret keys in a file (`gpg --export-secret-keys`, `rnp --export-key
/// --secret`, `sq key generate`), armoured or binary, optionally protected by a passphrase
/// that comes from a file or an environment variable.
///
/// Only the path, the passphrase source and the primary fingerprint are kept: the secret
/// material is read by each operation into its own librnp key store and freed with it.
public struct OpenPGPSecretKey: Sendable, Equatable {
    public let path: String
    public let passphrase: Passphrase?
    /// Upper-case hex fingerprint of the primary key.
    public let fingerprint: String
    /// The primary user id (for messages only).
    public let userID: String
    /// Upper-case hex key ids of the primary key and its subkeys (a message names the one it
    /// is encrypted to).
    public let keyIDs: Set<String>

    /// Loads and checks a secret key file: owner-only permissions, exactly one primary key with
    /// secret material, and (when the key is protected) a passphrase that unlocks it.
    /// - Throws: ``EnvelopeError`` `keyPermissions`, `missingFile`, `badKey`, `passphrase`.
    public init(path: String, passphrase: Passphrase? = nil) throws(EnvelopeError) {
        try SmallFile.requireOwnerOnly(path, what: "OpenPGP secret key")
        let ffi = try RNPFFI()
        let primaries = try ffi.importKeys(path: path, secret: true, what: "OpenPGP secret key")
            .compactMap { ffi.key(fingerprint: $0) }.filter(\.isPrimary)
        guard primaries.count == 1, let primary = primaries.first else {
            throw EnvelopeError(.badKey, "OpenPGP secret key \(path) holds \(primaries.count) primary keys; give one key per file")
        }
        guard primary.hasSecret else {
            throw EnvelopeError(.badKey, "OpenPGP secret key \(path) holds only a public key (export it with --export-secret-keys)")
        }
        if primary.isProtected {
            guard let passphrase else {
                throw EnvelopeError(.passphrase, "OpenPGP secret key \(path) is protected; give its passphrase (file or environment variable)")
            }
            var secret = try passphrase.secretCString()
            defer { for i in secret.indices { secret[i] = 0 } }
            guard primary.unlock(secret) else {
                throw EnvelopeError(.passphrase, "the \(passphrase) does not unlock OpenPGP secret key \(path)")
            }
        }
        self.path = path
        self.passphrase = passphrase
        fingerprint = primary.fingerprint
        userID = primary.userID
        keyIDs = Set(([primary] + primary.subkeys).map(\.keyID))
    }

    /// Imports this key (secret and public parts) into `ffi` and hands it the passphrase.
    func load(into ffi: RNPFFI) throws(EnvelopeError) -> RNPKey {
        _ = try ffi.importKeys(path: path, secret: true, what: "OpenPGP secret key")
        if let passphrase { ffi.setPassphrase(try passphrase.secretCString()) }
        guard let key = ffi.key(fingerprint: fingerprint) else {
            throw EnvelopeError(.badKey, "OpenPGP secret key \(path) changed since it was loaded (no key \(fingerprint))")
        }
        return key
    }

    /// A short description for messages.
    public var shortName: String { userID.isEmpty ? fingerprint : "\"\(userID)\" (\(fingerprint))" }
}

/// Whom an OpenPGP signature is trusted from: the partner's certificates, pinned by their
/// primary-key fingerprints (several at once during a rotation), at a given time.
public struct OpenPGPTrust: Sendable {
    public let pinned: [OpenPGPCertificate]
    /// The time at which keys must be valid (now, unless a test says otherwise).
    public let now: Date
    /// The partner's name, for messages.
    public let partnerName: String

    public init(pinned: [OpenPGPCertificate], now: Date = Date(), partnerName: String = "partner") {
        self.pinned = pinned
        self.now = now
        self.partnerName = partnerName
    }
}

/// How the OpenPGP seal writes its message.
public struct OpenPGPSealOptions: Sendable, Equatable {
    /// Compression of the signed literal data. `none` (the default) or `zlib`.
    public enum Compression: String, Sendable, CaseIterable {
        case none
        case zlib
    }

    /// ASCII armour (`-----BEGIN PGP MESSAGE-----`) instead of binary packets. Default false.
    public var armor: Bool
    public var compression: Compression

    public init(armor: Bool = false, compression: Compression = .none) {
        self.armor = armor
        self.compression = compression
    }
}

/// The value a signed header's `recipient_key_sha256` holds for an OpenPGP key: the lowercase
/// hex SHA-256 of the key's primary-key fingerprint written as upper-case hex ASCII, without
/// spaces (`printf %s FINGERPRINT | sha256sum`). The field keeps its 64-hex format for both
/// envelopes, and a partner's tools can compute it from the fingerprint `gpg --fingerprint` shows.
public enum OpenPGPHeaderKey {
    /// - Parameter fingerprint: the primary-key fingerprint (hex, any case, spaces ignored).
    public static func sha256(fingerprint: String) -> String {
        let text = fingerprint.uppercased().filter { !$0.isWhitespace }
        guard let sha = try? ReusableSHA256() else { return "" }
        return Hex.encode(sha.digest(Array(text.utf8)))
    }
}

extension OpenPGPCertificate {
    /// `recipient_key_sha256` for this certificate (``OpenPGPHeaderKey``).
    public var headerKeySHA256: String { OpenPGPHeaderKey.sha256(fingerprint: fingerprint) }
}

extension OpenPGPSecretKey {
    /// `recipient_key_sha256` for this key (``OpenPGPHeaderKey``).
    public var headerKeySHA256: String { OpenPGPHeaderKey.sha256(fingerprint: fingerprint) }
}
