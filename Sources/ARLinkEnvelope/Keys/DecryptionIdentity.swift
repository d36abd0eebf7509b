public import Foundation

/// Our encryption certificate and private key, used to open what partners send us.
/// Holds OpenSSL handles: not `Sendable`.
public struct DecryptionIdentity {
    /// The certificate, for reports and header binding.
    public let certificate: CertificateSummary
    let cert: X509Handle
    let key: PKeyHandle

    /// Lowercase hex SHA-256 of the DER certificate.
    public var sha256Fingerprint: String { certificate.sha256Fingerprint }

    /// Loads and checks a decryption identity: permissions, key/certificate match, validity,
    /// keyEncipherment (RSA) or keyAgreement (EC) usage, RSA of at least 2048 bits.
    public init(certificatePath: String, keyPath: String, passphrase: Passphrase? = nil, now: Date = Date()) throws(EnvelopeError) {
        let cert = try X509Handle.load(path: certificatePath, what: "decryption certificate")
        let key = try PrivateKeyLoader.load(path: keyPath, passphrase: passphrase)
        try CertificateChecks.requireMatch(cert, key, certPath: certificatePath, keyPath: keyPath)
        try CertificateChecks.requireValid(cert, path: certificatePath, now: now)
        switch key.kind {
        case .rsa(let bits):
            guard bits >= 2048 else {
                throw EnvelopeError(.weakKey, "decryption key \(keyPath) is RSA-\(bits); at least 2048 bits are required")
            }
            try CertificateChecks.requireUsage(cert, .keyEncipherment, name: "keyEncipherment", path: certificatePath)
        case .ecP256:
            try CertificateChecks.requireUsage(cert, .keyAgreement, name: "keyAgreement", path: certificatePath)
        default:
            throw EnvelopeError(.weakKey, "decryption key \(keyPath) is \(key.description); RSA or EC P-256 is required")
        }
        self.cert = cert
        self.key = key
        self.certificate = CertificateSummary(cert)
    }
}
