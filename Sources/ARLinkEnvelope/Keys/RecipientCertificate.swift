public import Foundation

/// A certificate we encrypt to: RSA (RSA-OAEP-SHA256 key transport, keyEncipherment usage)
/// or EC P-256 (ECDH key agreement, keyAgreement usage). Checked at load.
public struct RecipientCertificate {
    /// The certificate, for reports and logs.
    public let certificate: CertificateSummary
    let cert: X509Handle
    let isRSA: Bool

    /// Lowercase hex SHA-256 of the DER certificate (the header's recipient key fingerprint).
    public var sha256Fingerprint: String { certificate.sha256Fingerprint }
    /// Subject in RFC 2253 form.
    public var subject: String { certificate.subject }

    /// Loads and checks a recipient certificate.
    /// - Throws: ``EnvelopeError`` with `.badCertificate`, `.certificateExpired`, `.certificateUsage`, `.weakKey`.
    public init(path: String, now: Date = Date()) throws(EnvelopeError) {
        let cert = try X509Handle.load(path: path, what: "recipient certificate")
        try CertificateChecks.requireValid(cert, path: path, now: now)
        guard let key = cert.publicKey() else {
            throw EnvelopeError(.badCertificate, "recipient certificate \(path) has no usable public key")
        }
        switch key.kind {
        case .rsa(let bits):
            guard bits >= 2048 else {
                throw EnvelopeError(.weakKey, "recipient certificate \(path) has an RSA-\(bits) key; at least 2048 bits are required")
            }
            try CertificateChecks.requireUsage(cert, .keyEncipherment, name: "keyEncipherment", path: path)
            isRSA = true
        case .ecP256:
            try CertificateChecks.requireUsage(cert, .keyAgreement, name: "keyAgreement", path: path)
            isRSA = false
        default:
            throw EnvelopeError(
                .weakKey, "recipient certificate \(path) has a \(key.description) key; RSA (at least 2048 bits) or EC P-256 is required"
            )
        }
        self.cert = cert
        self.certificate = CertificateSummary(cert)
    }
}
