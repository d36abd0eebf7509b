extension Envelope {
    /// Loads and checks a partner's trust configuration without opening anything: every pinned
    /// certificate, the CA and the CRL must parse and suit their role.
    /// - Returns: warnings (an expired CRL in warn mode).
    /// - Throws: ``EnvelopeError`` `.badTrustConfiguration` (78), `.certificatePermissions` (77), `.missingFile` (66).
    public static func checkTrust(_ policy: TrustPolicy) throws(EnvelopeError) -> [String] {
        try TrustEvaluator(policy).warnings
    }
}
