@testable import ARLinkEnvelope
import Foundation

/// Who is who in the tests, by the keys-example layout.
enum Signer: String, CaseIterable, Sendable, CustomStringConvertible {
    /// EC P-256, ECDSA with SHA-256.
    case companyEC = "company/signing"
    /// RSA-3072, RSA-PSS.
    case partnerRSA = "partner/signing"

    var description: String { self == .companyEC ? "EC P-256 signer" : "RSA-3072 PSS signer" }
    var cert: String { rawValue + ".crt" }
    var key: String { rawValue + ".key" }
    /// `openssl cms -sign` options for this signer.
    func cliOptions(_ f: Fixture) -> String {
        "-signer '\(f.path(cert))' -inkey '\(f.path(key))'" + (self == .partnerRSA ? " -keyopt rsa_padding_mode:pss" : "")
    }
    func identity(_ f: Fixture) throws -> SigningIdentity {
        try SigningIdentity(certificatePath: f.path(cert), keyPath: f.path(key))
    }
    func trust(_ f: Fixture, now: Date = Date()) -> TrustPolicy {
        TrustPolicy(pinned: [f.path(cert)], now: now, partnerName: "acme-collect")
    }
}

enum Recipient: String, CaseIterable, Sendable, CustomStringConvertible {
    /// RSA-3072, RSA-OAEP-SHA256.
    case companyRSA = "company/encryption"
    /// EC P-256, ECDH.
    case partnerEC = "partner/encryption"

    var description: String { self == .companyRSA ? "RSA-OAEP recipient" : "EC P-256 recipient" }
    var cert: String { rawValue + ".crt" }
    var key: String { rawValue + ".key" }
    /// `openssl cms -encrypt` recipient options with the profile's parameters.
    func cliOptions(_ f: Fixture) -> String {
        "-recip '\(f.path(cert))' "
            + (self == .companyRSA ? "-keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256" : "-keyopt ecdh_kdf_md:sha256")
    }
    func recipient(_ f: Fixture) throws -> RecipientCertificate { try RecipientCertificate(path: f.path(cert)) }
    func identity(_ f: Fixture) throws -> DecryptionIdentity {
        try DecryptionIdentity(certificatePath: f.path(cert), keyPath: f.path(key))
    }
}
