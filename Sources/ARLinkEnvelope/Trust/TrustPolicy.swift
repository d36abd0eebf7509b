public import Foundation

/// Whom we accept signatures from: pinned certificates and/or certificates issued by one CA,
/// valid at `now`, with the digitalSignature usage, not on the optional CRL.
public struct TrustPolicy: Sendable, Equatable {
    /// Paths of pinned signer certificates (PEM or DER).
    public var pinned: [String]
    /// Path of a CA certificate whose issued certificates are trusted too, or nil.
    public var caPath: String?
    /// Path of a CRL file (PEM or DER) consulted for the signer, or nil.
    public var crlPath: String?
    /// The time at which validity is checked.
    public var now: Date
    /// The partner's name, for error messages (e.g. `acme-collect`).
    public var partnerName: String

    /// - Parameters:
    ///   - pinned: signer certificates accepted by fingerprint.
    ///   - caPath: a CA whose certificates are accepted.
    ///   - crlPath: a CRL checked for the signer.
    ///   - now: the verification time (defaults to the current time).
    ///   - partnerName: names the partner in errors.
    public init(pinned: [String], caPath: String? = nil, crlPath: String? = nil, now: Date = Date(), partnerName: String = "partner") {
        self.pinned = pinned
        self.caPath = caPath
        self.crlPath = crlPath
        self.now = now
        self.partnerName = partnerName
    }
}
