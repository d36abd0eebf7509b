public import ARLinkCore

/// Errors of the envelope module: sealing, opening, trust and key checks.
///
/// Every refusal has its own ``Code`` and a sentence naming the file, the cause and the fix.
/// Equality compares the code only, so tests match on codes. Messages never hold plaintext,
/// key material or passphrases.
public struct EnvelopeError: ARLinkFailure, Equatable {
    /// The kind of failure; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            // Input files and structure (65 / 66)
            case missingFile = "envelope.missing_file"
            case malformed = "envelope.malformed"
            case truncated = "envelope.truncated"
            case empty = "envelope.empty"
            case trailingData = "envelope.trailing_data"
            case compressionRatio = "envelope.compression_ratio"
            // Integrity and allowlist (65 / 77)
            case tagMismatch = "envelope.tag_mismatch"
            case signatureInvalid = "envelope.signature_invalid"
            case disallowedAlgorithm = "envelope.disallowed_algorithm"
            case unauthenticatedEncryption = "envelope.unauthenticated_encryption"
            case unsigned = "envelope.unsigned"
            case notEncrypted = "envelope.not_encrypted"
            case multipleSigners = "envelope.multiple_signers"
            case nestedSignature = "envelope.nested_signature"
            case weakKey = "envelope.weak_key"
            // Trust (77)
            case notForUs = "envelope.not_for_us"
            case untrustedSigner = "envelope.untrusted_signer"
            case expiredSigner = "envelope.expired_signer"
            case signerNotYetValid = "envelope.signer_not_yet_valid"
            case revokedSigner = "envelope.revoked_signer"
            case signerKeyUsage = "envelope.signer_key_usage"
            case headerMismatch = "envelope.header_mismatch"
            // Keys and certificates (78)
            case keyPermissions = "envelope.key_permissions"
            case certificatePermissions = "envelope.certificate_permissions"
            case badKey = "envelope.bad_key"
            case badCertificate = "envelope.bad_certificate"
            case keyMismatch = "envelope.key_mismatch"
            case passphrase = "envelope.passphrase"
            case certificateExpired = "envelope.certificate_expired"
            case certificateUsage = "envelope.certificate_usage"
            case badTrustConfiguration = "envelope.bad_trust_configuration"
            // Environment (70 / 73)
            case io = "envelope.io"
            case openssl = "envelope.openssl"
        }
        fileprivate let value: Value
        public var description: String { value.rawValue }

        /// An input file (envelope, certificate, key, CRL) does not exist or cannot be read.
        public static let missingFile = Code(value: .missingFile)
        /// The envelope is not the BER/DER structure expected (garbage, absurd lengths, too deep).
        public static let malformed = Code(value: .malformed)
        /// The envelope ends before its structure does.
        public static let truncated = Code(value: .truncated)
        /// The envelope file is empty.
        public static let empty = Code(value: .empty)
        /// Bytes follow the end of the message (OpenPGP): the whole file is refused.
        public static let trailingData = Code(value: .trailingData)
        /// The content decompresses to more than the allowed ratio of the file's size (a
        /// compression bomb, OpenPGP).
        public static let compressionRatio = Code(value: .compressionRatio)
        /// The AES-GCM authentication tag (or the OpenPGP MDC) does not match: the ciphertext or tag was altered.
        public static let tagMismatch = Code(value: .tagMismatch)
        /// The inner signature does not verify over the content.
        public static let signatureInvalid = Code(value: .signatureInvalid)
        /// An algorithm outside the allowlist (CBC, 3DES, SHA-1, unknown).
        public static let disallowedAlgorithm = Code(value: .disallowedAlgorithm)
        /// Plain `EnvelopedData` (no integrity) where `AuthEnvelopedData` is required.
        public static let unauthenticatedEncryption = Code(value: .unauthenticatedEncryption)
        /// The decrypted content is not signed.
        public static let unsigned = Code(value: .unsigned)
        /// The file is a CMS structure that is not encrypted (e.g. a bare SignedData).
        public static let notEncrypted = Code(value: .notEncrypted)
        /// More (or fewer) than exactly one signer.
        public static let multipleSigners = Code(value: .multipleSigners)
        /// The signed content is itself a signature or other CMS structure.
        public static let nestedSignature = Code(value: .nestedSignature)
        /// An RSA key under the minimum size, or an unsupported key type.
        public static let weakKey = Code(value: .weakKey)
        /// The envelope has no recipient entry for our certificate, or our key cannot unwrap it.
        public static let notForUs = Code(value: .notForUs)
        /// The signer is not a pinned certificate nor issued by the configured CA.
        public static let untrustedSigner = Code(value: .untrustedSigner)
        /// The signer certificate has expired at verification time.
        public static let expiredSigner = Code(value: .expiredSigner)
        /// The signer certificate is not valid yet at verification time.
        public static let signerNotYetValid = Code(value: .signerNotYetValid)
        /// The signer certificate is listed on the configured CRL.
        public static let revokedSigner = Code(value: .revokedSigner)
        /// The signer certificate lacks the digitalSignature key usage.
        public static let signerKeyUsage = Code(value: .signerKeyUsage)
        /// The file header names another sender, recipient or recipient key than expected.
        public static let headerMismatch = Code(value: .headerMismatch)
        /// A private key or passphrase file is readable by group or others.
        public static let keyPermissions = Code(value: .keyPermissions)
        /// A certificate, trust anchor or CRL file is writable by anybody.
        public static let certificatePermissions = Code(value: .certificatePermissions)
        /// A private key cannot be read or is unsuitable.
        public static let badKey = Code(value: .badKey)
        /// A certificate cannot be read or is unsuitable.
        public static let badCertificate = Code(value: .badCertificate)
        /// A private key does not belong to its certificate.
        public static let keyMismatch = Code(value: .keyMismatch)
        /// A passphrase source is missing or wrong.
        public static let passphrase = Code(value: .passphrase)
        /// One of our own certificates is expired or not yet valid.
        public static let certificateExpired = Code(value: .certificateExpired)
        /// One of our own certificates lacks the key usage its role needs.
        public static let certificateUsage = Code(value: .certificateUsage)
        /// A trust policy that cannot work: no pins (without `trust: ca`), a pin or CA that is
        /// not a certificate, a CRL that does not parse, is not signed by the CA or has expired.
        public static let badTrustConfiguration = Code(value: .badTrustConfiguration)
        /// Reading or writing a file failed.
        public static let io = Code(value: .io)
        /// OpenSSL failed unexpectedly; the message carries its error queue.
        public static let openssl = Code(value: .openssl)
    }

    public let code: Code
    public let message: String
    /// OpenSSL's error queue at the time of the failure, oldest first (may be empty).
    public let opensslErrors: [String]
    public let file: String
    public let line: Int

    public init(
        _ code: Code, _ message: String, opensslErrors: [String] = [], file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.opensslErrors = opensslErrors
        self.file = file
        self.line = line
    }

    public var codeName: String { code.description }

    /// Exit status per design section 3: integrity, allowlist and trust refusals 77, loose key
    /// or certificate permissions 77, malformed input 65, missing input 66, key and trust configuration 78.
    public var exitStatus: ExitStatus {
        switch code.value {
        case .missingFile: .noInput
        case .malformed, .truncated, .empty, .trailingData, .compressionRatio:
            .dataError
        case .tagMismatch, .signatureInvalid, .disallowedAlgorithm, .unauthenticatedEncryption, .unsigned, .notEncrypted,
            .multipleSigners, .nestedSignature, .weakKey, .notForUs, .untrustedSigner, .expiredSigner,
            .signerNotYetValid, .revokedSigner, .signerKeyUsage, .headerMismatch, .keyPermissions, .certificatePermissions:
            .noPermission
        case .badKey, .badCertificate, .keyMismatch, .passphrase, .certificateExpired,
            .certificateUsage, .badTrustConfiguration:
            .config
        case .io: .tempFailure
        case .openssl: .software
        }
    }

    /// True for a fault on our side (our keys and certificates, a partner's trust configuration,
    /// local I/O): it is never blamed on the file being opened, which stays where it was.
    public var isLocalFault: Bool {
        switch code.value {
        case .missingFile, .keyPermissions, .certificatePermissions, .badKey, .badCertificate, .keyMismatch, .passphrase,
            .certificateExpired, .certificateUsage, .badTrustConfiguration, .io, .openssl:
            true
        default:
            false
        }
    }

    public var description: String {
        if opensslErrors.isEmpty { return "\(codeName): \(message)" }
        return "\(codeName): \(message) (openssl: \(opensslErrors.joined(separator: "; ")))"
    }

    public static func == (lhs: EnvelopeError, rhs: EnvelopeError) -> Bool { lhs.code == rhs.code }
}
