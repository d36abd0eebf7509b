internal import COpenSSL
import Foundation

/// A loaded ``TrustPolicy``: certificates and CRL parsed and checked in memory, ready to judge
/// a signer. Loading it is the check of a partner's trust configuration: every file must be
/// what its role says, or the whole policy is refused (a fault on our side, never the partner's).
final class TrustEvaluator {
    let policy: TrustPolicy
    let pinned: [X509Handle]
    let pinnedFingerprints: Set<String>
    let ca: X509Handle?
    let crl: OpaquePointer?
    /// Things the operator should know that do not stop the policy (an expired CRL in warn mode).
    let warnings: [String]

    /// Parses every trust file of `policy`.
    /// - Throws: `.badTrustConfiguration` (78) for a file that is not what its role needs, a
    ///   policy that trusts nobody, a CRL not signed by the CA or expired (unless warned);
    ///   `.certificatePermissions` (77) for a world-writable file; `.missingFile` (66).
    init(_ policy: TrustPolicy) throws(EnvelopeError) {
        self.policy = policy
        let partner = "partner \"\(policy.partnerName)\""
        switch policy.mode {
        case .pinned where policy.pinned.isEmpty:
            throw EnvelopeError(.badTrustConfiguration, "no pinned signer certificate for \(partner): pin the partner's signing certificate, or choose trust: ca to accept whatever its CA issues")
        case .ca where policy.caPath == nil:
            throw EnvelopeError(.badTrustConfiguration, "\(partner) has trust: ca but no CA certificate (certificates.ca)")
        default:
            break
        }
        var pinned: [X509Handle] = []
        for path in policy.pinned { pinned.append(try Self.load(path, what: "pinned certificate", partner: partner)) }
        self.pinned = pinned
        self.pinnedFingerprints = Set(pinned.map(\.sha256Fingerprint))
        let ca = try policy.caPath.map { path throws(EnvelopeError) in try Self.load(path, what: "CA certificate", partner: partner) }
        if let ca, let path = policy.caPath, X509_check_ca(ca.pointer) == 0 {
            OpenSSLErrorQueue.clear()
            throw EnvelopeError(.badTrustConfiguration, "CA certificate \(path) of \(partner) (\(ca.subject)) is not a CA certificate (no basicConstraints CA:TRUE)")
        }
        self.ca = ca
        var warnings: [String] = []
        if let path = policy.crlPath {
            let crl = try Self.loadCRL(path, partner: partner)
            do {
                try Self.checkCRL(crl, path: path, ca: ca, policy: policy, warnings: &warnings)
            } catch {
                X509_CRL_free(crl)
                throw error
            }
            self.crl = crl
        } else {
            self.crl = nil
        }
        self.warnings = warnings
    }

    deinit { if let crl { X509_CRL_free(crl) } }

    /// Loads one trust certificate; a file that is not a certificate is a trust configuration error.
    private static func load(_ path: String, what: String, partner: String) throws(EnvelopeError) -> X509Handle {
        do {
            return try X509Handle.load(path: path, what: "\(what)")
        } catch where error.code == .badCertificate {
            throw EnvelopeError(.badTrustConfiguration, "\(partner): \(error.message); check the file named in the configuration",
                                opensslErrors: error.opensslErrors)
        }
    }

    private static func loadCRL(_ path: String, partner: String) throws(EnvelopeError) -> OpaquePointer {
        try SmallFile.requireNotWorldWritable(path, what: "CRL")
        let bytes = try SmallFile.read(path, what: "CRL")
        OpenSSLErrorQueue.clear()
        let parsed: OpaquePointer? = bytes.withUnsafeBytes { raw -> OpaquePointer? in
            guard let base = raw.baseAddress, raw.count > 0 else { return nil }
            if PEMText.looksLikePEM(bytes) {
                guard let bio = BIO_new_mem_buf(base, Int32(raw.count)) else { return nil }
                defer { BIO_free(bio) }
                return PEM_read_bio_X509_CRL(bio, nil, nil, nil)
            }
            var cursor: UnsafePointer<UInt8>? = base.assumingMemoryBound(to: UInt8.self)
            return d2i_X509_CRL(nil, &cursor, raw.count)
        }
        guard let parsed else { throw EnvelopeError.fromOpenSSL(.badTrustConfiguration, "\(partner): CRL \(path) is not a PEM or DER CRL") }
        return parsed
    }

    /// A CRL issued by the configured CA must carry its signature; an expired one is refused or warned about.
    private static func checkCRL(_ crl: OpaquePointer, path: String, ca: X509Handle?, policy: TrustPolicy,
                                 warnings: inout [String]) throws(EnvelopeError) {
        if let ca, let issuer = X509_CRL_get_issuer(crl), X509_NAME_cmp(X509_get_subject_name(ca.pointer), issuer) == 0,
            let caKey = ca.publicKey(), X509_CRL_verify(crl, caKey.pointer) != 1 {
            OpenSSLErrorQueue.clear()
            throw EnvelopeError(.badTrustConfiguration, "CRL \(path) names CA \(ca.subject) as its issuer but is not signed by it")
        }
        guard let next = X509_CRL_get0_nextUpdate(crl) else { return }
        let nextUpdate = X509Handle.date(next)
        guard nextUpdate < policy.now else { return }
        let sentence = "CRL \(path) of partner \"\(policy.partnerName)\" expired on \(nextUpdate) (its next update)"
        switch policy.expiredCRL {
        case .refuse:
            throw EnvelopeError(.badTrustConfiguration, "\(sentence); fetch a fresh CRL from the partner's CA, or set certificates.crl_expired: warn to use it anyway")
        case .warn:
            warnings.append("\(sentence); it is used anyway (certificates.crl_expired: warn)")
        }
    }

    /// Judges the certificate that produced a valid signature.
    /// - Parameter untrusted: other certificates carried by the message (possible intermediates).
    /// - Throws: `.untrustedSigner`, `.expiredSigner`, `.signerNotYetValid`, `.signerKeyUsage`,
    ///   `.revokedSigner`, `.weakKey`.
    func evaluate(signer: X509Handle, untrusted: [X509Handle]) throws(EnvelopeError) {
        let name = "signer \(signer.subject) (sha256 \(signer.sha256Fingerprint.prefix(16))…)"
        if policy.mode == .pinned && !pinnedFingerprints.contains(signer.sha256Fingerprint) {
            throw EnvelopeError(.untrustedSigner, "\(name) is not one of the \(pinned.count) certificate(s) pinned for partner \"\(policy.partnerName)\"")
        }
        guard let usage = signer.keyUsage, usage.contains(.digitalSignature) else {
            throw EnvelopeError(
                .signerKeyUsage,
                "\(name) lacks the digitalSignature key usage (has: \(signer.keyUsage?.names.joined(separator: ", ") ?? "no keyUsage extension"))"
            )
        }
        if !signer.allowsSigning {
            throw EnvelopeError(.signerKeyUsage, "\(name) has an extended key usage without emailProtection (S/MIME signing); it is not meant for signing files")
        }
        if let ca { try verifyChain(signer, ca: ca, untrusted: untrusted, name: name) }
        if signer.notBefore > policy.now {
            throw EnvelopeError(.signerNotYetValid, "\(name) is not valid before \(signer.notBefore)")
        }
        if signer.notAfter < policy.now {
            throw EnvelopeError(.expiredSigner, "\(name) expired on \(signer.notAfter)")
        }
        if case .rsa(let bits) = signer.publicKey()?.kind, bits < 2048 {
            throw EnvelopeError(.weakKey, "\(name) has an RSA-\(bits) key; at least 2048 bits are required")
        }
        try checkRevocation(signer, name: name)
    }

    private func checkRevocation(_ signer: X509Handle, name: String) throws(EnvelopeError) {
        guard let crl else { return }
        guard let crlIssuer = X509_CRL_get_issuer(crl), X509_NAME_cmp(crlIssuer, X509_get_issuer_name(signer.pointer)) == 0 else {
            // A CRL from another issuer says nothing about this certificate.
            return
        }
        var revoked: OpaquePointer? = nil
        if X509_CRL_get0_by_cert(crl, &revoked, signer.pointer) == 1 {
            throw EnvelopeError(.revokedSigner, "\(name) is revoked by CRL \(policy.crlPath ?? "")")
        }
    }

    /// `X509_verify_cert` from the signer to the CA, with the S/MIME signing purpose (leaf
    /// extended key usage, CA basic constraints and path lengths), at the policy's time.
    private func verifyChain(_ signer: X509Handle, ca: X509Handle, untrusted: [X509Handle], name: String) throws(EnvelopeError) {
        guard let store = X509_STORE_new() else { throw EnvelopeError.fromOpenSSL(.openssl, "X509_STORE_new failed") }
        defer { X509_STORE_free(store) }
        X509_STORE_add_cert(store, ca.pointer)
        guard let ctx = X509_STORE_CTX_new() else { throw EnvelopeError.fromOpenSSL(.openssl, "X509_STORE_CTX_new failed") }
        defer { X509_STORE_CTX_free(ctx) }
        let chain: X509StackHandle
        do { chain = try X509StackHandle(untrusted) } catch { throw EnvelopeError(.openssl, "cannot build the certificate stack") }
        guard X509_STORE_CTX_init(ctx, store, signer.pointer, chain.pointer) == 1 else {
            throw EnvelopeError.fromOpenSSL(.openssl, "X509_STORE_CTX_init failed")
        }
        X509_STORE_CTX_set_time(ctx, 0, time_t(policy.now.timeIntervalSince1970))
        X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SMIME_SIGN)
        if X509_verify_cert(ctx) == 1 {
            OpenSSLErrorQueue.clear()
            return
        }
        let code = X509_STORE_CTX_get_error(ctx)
        let reason = String(cString: X509_verify_cert_error_string(Int(code)))
        OpenSSLErrorQueue.clear()
        switch code {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            throw EnvelopeError(.expiredSigner, "\(name) expired on \(signer.notAfter)")
        case X509_V_ERR_CERT_NOT_YET_VALID:
            throw EnvelopeError(.signerNotYetValid, "\(name) is not valid before \(signer.notBefore)")
        case X509_V_ERR_CERT_REVOKED:
            throw EnvelopeError(.revokedSigner, "\(name) is revoked")
        default:
            let pinnedNote = policy.mode == .pinned ? "is pinned but " : ""
            throw EnvelopeError(
                .untrustedSigner,
                "\(name) \(pinnedNote)does not validate against CA \(ca.subject) of partner \"\(policy.partnerName)\" (\(reason))"
            )
        }
    }
}
