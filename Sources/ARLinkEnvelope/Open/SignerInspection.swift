internal import COpenSSL

/// Reads the SignerInfo of a parsed SignedData through OpenSSL's accessors.
enum SignerInspection {
    struct Info {
        /// The SignerInfo, valid while its CMS structure lives.
        let pointer: OpaquePointer
        let digestAlgorithm: [UInt8]
        let signatureAlgorithm: [UInt8]
        let hasSignedAttributes: Bool
        /// The messageDigest attribute in hex, when the digest algorithm is SHA-256.
        let messageDigestSHA256: String?
        /// The messageDigest attribute's bytes.
        let messageDigest: [UInt8]?
        /// The dotted OID of the digest algorithm.
        let digestOID: String
    }

    /// Requires exactly one SignerInfo and describes it.
    static func singleSigner(_ cms: CMSHandle, origin: String) throws -> Info {
        guard let infos = CMS_get0_SignerInfos(cms.pointer) else {
            throw EnvelopeError(.unsigned, "\(origin): the signed structure has no signer")
        }
        let count = COpenSSL_sk_CMS_SignerInfo_num(infos)
        if count == 0 { throw EnvelopeError(.unsigned, "\(origin): the signed structure has no signer") }
        if count > 1 {
            throw EnvelopeError(.multipleSigners, "\(origin): the content is signed by \(count) signers; exactly one is accepted")
        }
        guard let si = COpenSSL_sk_CMS_SignerInfo_value(infos, 0) else {
            throw EnvelopeError(.unsigned, "\(origin): the signed structure has no signer")
        }
        var digest: UnsafeMutablePointer<X509_ALGOR>? = nil
        var signature: UnsafeMutablePointer<X509_ALGOR>? = nil
        CMS_SignerInfo_get0_algs(si, nil, nil, &digest, &signature)
        let digestDER = algorithmDER(digest)
        let signatureDER = algorithmDER(signature)
        let attributes = CMS_signed_get_attr_count(si) > 0
        let digestOID = (try? BERNode.parse(digestDER).algorithmOID) ?? "unknown"
        var digestBytes: [UInt8]? = nil
        if let raw = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING) {
            let string = raw.assumingMemoryBound(to: ASN1_STRING.self)
            if let data = ASN1_STRING_get0_data(string) {
                digestBytes = Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(string))))
            }
        }
        let sha256 = digestOID == OID.sha256 && digestBytes?.count == 32 ? digestBytes.map { Hex.encode($0) } : nil
        return Info(
            pointer: si, digestAlgorithm: digestDER, signatureAlgorithm: signatureDER, hasSignedAttributes: attributes,
            messageDigestSHA256: sha256, messageDigest: digestBytes, digestOID: digestOID
        )
    }

    /// The certificate `CMS_set1_signers_certs` attached to the signer.
    static func signerCertificate(_ si: OpaquePointer, origin: String) throws -> X509Handle {
        var cert: OpaquePointer? = nil
        CMS_SignerInfo_get0_algs(si, nil, &cert, nil, nil)
        guard let cert else { throw EnvelopeError(.untrustedSigner, "\(origin): the signer's certificate is unknown") }
        return X509Handle(retaining: cert)
    }

    /// Whether the signed contentType attribute is id-data.
    static func contentTypeIsData(_ si: OpaquePointer) -> Bool {
        guard let raw = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT) else {
            return false
        }
        return OBJ_obj2nid(OpaquePointer(raw)) == NID_pkcs7_data
    }

    /// Certificates carried in the SignedData.
    static func certificates(_ cms: CMSHandle) -> [X509Handle] {
        guard let stack = CMS_get1_certs(cms.pointer) else { return [] }
        defer { COpenSSL_sk_X509_pop_free(stack) }
        var result: [X509Handle] = []
        for i in 0..<COpenSSL_sk_X509_num(stack) {
            if let cert = COpenSSL_sk_X509_value(stack, i) { result.append(X509Handle(retaining: cert)) }
        }
        return result
    }

    /// DER of an `X509_ALGOR`.
    static func algorithmDER(_ algorithm: UnsafeMutablePointer<X509_ALGOR>?) -> [UInt8] {
        guard let algorithm else { return [] }
        var out: UnsafeMutablePointer<UInt8>? = nil
        let n = i2d_X509_ALGOR(algorithm, &out)
        guard n > 0, let out else { return [] }
        defer { COpenSSL_OPENSSL_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(n)))
    }
}
