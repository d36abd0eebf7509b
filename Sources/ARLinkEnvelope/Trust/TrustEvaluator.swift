internal import COpenSSL
import Foundation

/// A loaded ``TrustPolicy``: certificates and CRL in memory, ready to judge a signer.
final class TrustEvaluator {
    let policy: TrustPolicy
    let pinned: [X509Handle]
    let pinnedFingerprints: Set<String>
    let ca: X509Handle?
    let crl: OpaquePointer?

    init(_ policy: TrustPolicy) throws(EnvelopeError) {
        self.policy = policy
        if policy.pinned.isEmpty && policy.caPath == nil {
            throw EnvelopeError(.badTrustConfiguration, "no pinned signer certificate and no CA for partner \"\(policy.partnerName)\": nobody could be trusted")
        }
        var pinned: [X509Handle] = []
        for path in policy.pinned { pinned.append(try X509Handle.load(path: path, what: "pinned certificate")) }
        self.pinned = pinned
        self.pinnedFingerprints = Set(pinned.map(\.sha256Fingerprint))
        self.ca = try policy.caPath.map { path throws(EnvelopeError) in try X509Handle.load(path: path, what: "CA certificate") }
        if let crlPath = policy.crlPath {
            let bytes = try SmallFile.read(crlPath, what: "CRL")
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
            guard let parsed else { throw EnvelopeError.fromOpenSSL(.badTrustConfiguration, "CRL \(crlPath) is not a PEM or DER CRL") }
            self.crl = parsed
        } else {
            self.crl = nil
        }
    }

    deinit { if let crl { X509_CRL_free(crl) } }

    /// Judges the certificate that produced a valid signature.
    /// - Parameter untrusted: other certificates carried by the message (possible intermediates).
    /// - Throws: `.untrustedSigner`, `.expiredSigner`, `.signerNotYetValid`, `.signerKeyUsage`,
    ///   `.revokedSigner`, `.weakKey`.
    func evaluate(signer: X509Handle, untrusted: [X509Handle]) throws(EnvelopeError) {
        let name = "signer \(signer.subject) (sha256 \(signer.sha256Fingerprint.prefix(16))…)"
        if !pinnedFingerprints.contains(signer.sha256Fingerprint) {
            guard let ca else {
                throw EnvelopeError(.untrustedSigner, "\(name) is not pinned for partner \"\(policy.partnerName)\"")
            }
            try verifyChain(signer, ca: ca, untrusted: untrusted, name: name)
        }
        if signer.notBefore > policy.now {
            throw EnvelopeError(.signerNotYetValid, "\(name) is not valid before \(signer.notBefore)")
        }
        if signer.notAfter < policy.now {
            throw EnvelopeError(.expiredSigner, "\(name) expired on \(signer.notAfter)")
        }
        guard let usage = signer.keyUsage, usage.contains(.digitalSignature) else {
            throw EnvelopeError(
                .signerKeyUsage,
                "\(name) lacks the digitalSignature key usage (has: \(signer.keyUsage?.names.joined(separator: ", ") ?? "no keyUsage extension"))"
            )
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
        if let ca, X509_NAME_cmp(X509_get_subject_name(ca.pointer), crlIssuer) == 0, let caKey = ca.publicKey() {
            if X509_CRL_verify(crl, caKey.pointer) != 1 {
                OpenSSLErrorQueue.clear()
                throw EnvelopeError(.badTrustConfiguration, "CRL \(policy.crlPath ?? "") is not signed by CA \(ca.subject)")
            }
        }
        var revoked: OpaquePointer? = nil
        if X509_CRL_get0_by_cert(crl, &revoked, signer.pointer) == 1 {
            throw EnvelopeError(.revokedSigner, "\(name) is revoked by CRL \(policy.crlPath ?? "")")
        }
    }

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
            throw EnvelopeError(
                .untrustedSigner,
                "\(name) is not pinned for partner \"\(policy.partnerName)\" and not issued by CA \(ca.subject) (\(reason))"
            )
        }
    }
}
