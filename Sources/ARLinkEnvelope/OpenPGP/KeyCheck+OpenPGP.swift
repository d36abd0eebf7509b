public import Foundation

extension KeyCheck {
    /// Checks one OpenPGP key file for `arlink keys check`: a row with the primary key's user id
    /// and fingerprint (as `subject`), the header value ``OpenPGPHeaderKey`` (as `fingerprint`),
    /// the earliest expiry of the keys it needs, its usage and algorithm.
    ///
    /// Problems (exit 77): the file cannot be read or holds not exactly one primary key; a
    /// secret key file that is not owner-only, holds no secret material, or that the passphrase
    /// does not unlock; a fingerprint other than the pinned one; a revoked or expired primary;
    /// an RSA (DSA, ElGamal) key under 3072 bits; no valid key that may sign, or (with
    /// `needsEncryption`) encrypt. A warning when a needed key expires within `warnDays` days.
    /// - Parameters:
    ///   - secret: the file is our secret key (`company.openpgp.key`) rather than a certificate.
    ///   - expectedFingerprint: the configured pin, for a partner's certificate.
    ///   - needsSigning: the key must be able to sign (ours, the partner's pins).
    ///   - needsEncryption: the key must be able to encrypt (ours, our archive, the partner's first pin).
    public static func openPGP(
        role: String, path: String, secret: Bool, passphrase: Passphrase? = nil, expectedFingerprint: String? = nil,
        needsSigning: Bool, needsEncryption: Bool, now: Date = Date(), warnDays: Int = 30
    ) -> Row {
        var row = Row(role: role, path: path, subject: nil, fingerprint: nil, notAfter: nil, daysLeft: nil, usage: [],
                      keyAlgorithm: nil, permissions: nil, pairMatches: nil, problems: [], warnings: [])
        if secret, let mode = SmallFile.mode(path) { row.permissions = String(mode, radix: 8) }
        do {
            let fingerprint: String
            if secret {
                fingerprint = try OpenPGPSecretKey(path: path, passphrase: passphrase).fingerprint
            } else {
                fingerprint = try OpenPGPCertificate(path: path, expectedFingerprint: expectedFingerprint).fingerprint
            }
            let ffi = try RNPFFI()
            ffi.setTime(UInt64(max(0, now.timeIntervalSince1970)))
            _ = try ffi.importKeys(path: path, secret: false, what: secret ? "OpenPGP secret key" : "OpenPGP certificate")
            guard let primary = ffi.key(fingerprint: fingerprint) else {
                throw EnvelopeError(.badKey, "\(path) changed while it was checked")
            }
            row.subject = primary.userID.isEmpty ? "OpenPGP \(fingerprint)" : "\(primary.userID) (OpenPGP \(fingerprint))"
            row.fingerprint = OpenPGPHeaderKey.sha256(fingerprint: fingerprint)
            row.keyAlgorithm = ([primary] + primary.subkeys).map { "\($0.algorithm) \($0.bits)" }.joined(separator: " + ")
            if primary.isRevoked { row.problems.append("the primary key \(fingerprint) is revoked") }
            if primary.isExpired { row.problems.append("the primary key \(fingerprint) has expired") }
            for key in [primary] + primary.subkeys where ["RSA", "DSA", "ELGAMAL"].contains(key.algorithm) && key.bits < openPGPMinimumRSABits {
                row.problems.append("\(key.algorithm)-\(key.bits) key \(key.keyID) is too small (at least \(openPGPMinimumRSABits) bits)")
            }
            let needed = (needsSigning ? ["sign"] : []) + (needsEncryption ? ["encrypt"] : [])
            var expiries: [UInt64] = []
            for usage in needed {
                let usable = ([primary] + primary.subkeys).filter { $0.allows(usage) && !$0.isRevoked && !$0.isExpired }
                if usable.isEmpty {
                    row.problems.append("no valid key that may \(usage)")
                } else {
                    row.usage.append(usage)
                    // The latest-lasting usable key decides when this usage ends.
                    let tills = usable.map { $0.validUntil ?? UInt64.max }
                    if let best = tills.max(), best != UInt64.max { expiries.append(best) }
                }
            }
            if let primaryTill = primary.validUntil { expiries.append(primaryTill) }
            if let earliest = expiries.min() {
                let date = Date(timeIntervalSince1970: TimeInterval(earliest))
                row.notAfter = date
                let days = Int((date.timeIntervalSince(now) / 86_400).rounded(.down))
                row.daysLeft = days
                if date > now && days < warnDays { row.warnings.append("expires in \(days) days (\(date))") }
            }
        } catch let error as EnvelopeError {
            row.problems.append(error.message)
        } catch {
            row.problems.append("\(error)")
        }
        return row
    }
}
