public import Foundation

/// Our signing certificate and private key, checked at load.
///
/// ECDSA P-256 (signs with SHA-256) or RSA of at least 3072 bits (signs with RSA-PSS).
/// Holds OpenSSL handles: not `Sendable`, keep it in one task.
public struct SigningIdentity {
    /// The certificate, for reports and logs.
    public let certificate: CertificateSummary
    let cert: X509Handle
    let key: PKeyHandle

    /// Loads and checks a signing identity.
    /// - Parameters:
    ///   - certificatePath: PEM or DER certificate.
    ///   - keyPath: PEM or DER private key, mode 0600 or stricter.
    ///   - passphrase: where the key's passphrase comes from, when it is encrypted.
    ///   - now: the time validity is checked at.
    /// - Throws: ``EnvelopeError`` with `.keyPermissions`, `.keyMismatch`, `.certificateExpired`,
    ///   `.certificateUsage` (digitalSignature required), `.weakKey`, `.badKey`, `.badCertificate`, `.passphrase`.
    public init(certificatePath: String, keyPath: String, passphrase: Passphrase? = nil, now: Date = Date()) throws(EnvelopeError) {
        let cert = try X509Handle.load(path: certificatePath, what: "signing certificate")
        let key = try PrivateKeyLoader.load(path: keyPath, passphrase: passphrase)
        try CertificateChecks.requireMatch(cert, key, certPath: certificatePath, keyPath: keyPath)
        try CertificateChecks.requireValid(cert, path: certificatePath, now: now)
        try CertificateChecks.requireUsage(cert, .digitalSignature, name: "digitalSignature", path: certificatePath)
        switch key.kind {
        case .ecP256: break
        case .rsa(let bits) where bits >= 3072: break
        default:
            throw EnvelopeError(
                .weakKey,
                "signing key \(keyPath) is \(key.description); the profile signs with EC P-256 or RSA of at least 3072 bits"
            )
        }
        self.cert = cert
        self.key = key
        self.certificate = CertificateSummary(cert)
    }

    /// Whether signatures use RSA-PSS (RSA keys) rather than ECDSA.
    var usesRSAPSS: Bool {
        if case .rsa = key.kind { return true }
        return false
    }
}
