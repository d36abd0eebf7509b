public import Foundation

/// Whom we accept signatures from, valid at `now`, with the digitalSignature usage, an
/// extended key usage (if any) that allows S/MIME signing, and not on the optional CRL.
///
/// In ``Mode/pinned`` mode (the default) pins are authoritative: the signer must be one of
/// the pinned certificates, and when a CA is named it must validate the signer's chain as
/// well. ``Mode/ca`` accepts any certificate the CA issued (through intermediates the
/// message carries, within the CA's path length), and must be chosen explicitly.
public struct TrustPolicy: Sendable, Equatable {
    /// How signers are trusted.
    public enum Mode: String, Sendable, Equatable {
        /// The signer must be pinned; a named CA must also validate its chain.
        case pinned
        /// Any certificate the named CA issued for signing is trusted.
        case ca
    }

    /// What an expired CRL (its next update in the past) does.
    public enum ExpiredCRL: String, Sendable, Equatable {
        /// Refuses to use the trust policy (configuration error): nothing is opened.
        case refuse
        /// Uses the CRL and says so in every open's warnings.
        case warn
    }

    /// How signers are trusted (default ``Mode/pinned``).
    public var mode: Mode
    /// Paths of pinned signer certificates (PEM or DER).
    public var pinned: [String]
    /// Path of the partner's CA certificate, or nil (required in ``Mode/ca``).
    public var caPath: String?
    /// Path of a CRL file (PEM or DER) consulted for the signer, or nil.
    public var crlPath: String?
    /// What an expired CRL does (default ``ExpiredCRL/refuse``).
    public var expiredCRL: ExpiredCRL
    /// The time at which validity is checked.
    public var now: Date
    /// The partner's name, for error messages (e.g. `acme-collect`).
    public var partnerName: String

    /// - Parameters:
    ///   - pinned: signer certificates accepted by fingerprint.
    ///   - caPath: the partner's CA.
    ///   - crlPath: a CRL checked for the signer.
    ///   - mode: pinned (default) or CA-only trust.
    ///   - expiredCRL: refuse (default) or warn about an expired CRL.
    ///   - now: the verification time (defaults to the current time).
    ///   - partnerName: names the partner in errors.
    public init(pinned: [String], caPath: String? = nil, crlPath: String? = nil, mode: Mode = .pinned, expiredCRL: ExpiredCRL = .refuse,
                now: Date = Date(), partnerName: String = "partner") {
        self.mode = mode
        self.pinned = pinned
        self.caPath = caPath
        self.crlPath = crlPath
        self.expiredCRL = expiredCRL
        self.now = now
        self.partnerName = partnerName
    }
}
