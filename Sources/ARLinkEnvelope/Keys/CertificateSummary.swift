public import Foundation

/// What an operator needs to know about a certificate; a plain value, safe to log.
public struct CertificateSummary: Sendable, Equatable {
    /// Subject in RFC 2253 form, e.g. `CN=Acme Collect signing,O=Acme Collect`.
    public let subject: String
    /// Issuer in RFC 2253 form.
    public let issuer: String
    /// Lowercase hex SHA-256 of the DER certificate.
    public let sha256Fingerprint: String
    /// Start of validity.
    public let notBefore: Date
    /// End of validity.
    public let notAfter: Date
    /// Key usages (RFC 5280 names); empty when the extension is absent.
    public let keyUsage: [String]
    /// Key algorithm and size, e.g. `RSA-3072`, `EC P-256`.
    public let keyAlgorithm: String

    init(_ cert: X509Handle) {
        subject = cert.subject
        issuer = cert.issuer
        sha256Fingerprint = cert.sha256Fingerprint
        notBefore = cert.notBefore
        notAfter = cert.notAfter
        keyUsage = cert.keyUsage?.names ?? []
        keyAlgorithm = cert.publicKey()?.description ?? "unknown"
    }

    /// `CN=… (sha256 ab12cd34…)`, the way errors name a certificate.
    public var shortName: String { "\(subject) (sha256 \(sha256Fingerprint.prefix(16))…)" }
}
