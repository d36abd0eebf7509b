/// The algorithms an envelope may use before any plaintext is released (design section 4).
enum Allowlist {
    static let strongHashes: Set<String> = [OID.sha256, OID.sha384, OID.sha512]
    static let keyAgreements: Set<String> = [
        OID.ecdhSHA256KDF, OID.ecdhSHA384KDF, OID.ecdhSHA512KDF,
        OID.ecdhCofactorSHA256KDF, OID.ecdhCofactorSHA384KDF, OID.ecdhCofactorSHA512KDF,
    ]
    static let keyWraps: Set<String> = [OID.aes128Wrap, OID.aes192Wrap, OID.aes256Wrap]
    static let cbcCiphers: Set<String> = [OID.aes128CBC, OID.aes192CBC, OID.aes256CBC]

    /// Checks the outer content type and content-encryption algorithm.
    /// - Returns: warnings to report on every run (the CBC exception).
    static func checkOuter(_ layout: OuterLayout, allowCBC: Bool) throws -> [String] {
        let algorithmNode = try BERNode.parse(layout.contentEncryptionAlgorithm)
        let algorithm = algorithmNode.algorithmOID ?? "unknown"
        if layout.contentType == OID.authEnvelopedData {
            guard algorithm == OID.aes256GCM else {
                throw EnvelopeError(.disallowedAlgorithm, "content encryption \(OID.name(algorithm)) is not allowed; AES-256-GCM is required")
            }
            guard layout.macLength == 16 else {
                throw EnvelopeError(.disallowedAlgorithm, "the GCM tag is \(layout.macLength ?? 0) bytes; 16 are required")
            }
            return []
        }
        guard allowCBC else {
            throw EnvelopeError(
                .unauthenticatedEncryption,
                "the envelope is plain envelopedData (\(OID.name(algorithm))), which has no integrity protection; authEnvelopedData with AES-256-GCM is required (openssl cms -encrypt -aes-256-gcm)"
            )
        }
        guard cbcCiphers.contains(algorithm) else {
            throw EnvelopeError(.disallowedAlgorithm, "content encryption \(OID.name(algorithm)) is not allowed even with the CBC exception (AES-CBC only)")
        }
        return [
            "partner uses \(OID.name(algorithm)) without authenticated encryption (allowed by its configuration); only the inner signature protects integrity"
        ]
    }

    /// Checks the key transport or key agreement algorithm of our recipient entry.
    /// - Parameter legacy: the weak forms the partner's configuration accepts.
    /// - Returns: the legacy form the entry uses, when it is one `legacy` allows (nil for the
    ///   profile's own algorithms).
    static func checkRecipient(_ entry: RecipientEntry, legacy: Set<LegacyKeyTransport> = []) throws -> LegacyKeyTransport? {
        switch entry.kind {
        case .keyTransport:
            if entry.algorithm == OID.rsaEncryption {
                guard legacy.contains(.rsaPKCS1v15) else {
                    throw EnvelopeError(
                        .disallowedAlgorithm,
                        "our recipient entry uses RSA PKCS#1 v1.5 key transport; RSA-OAEP with SHA-256 is required (openssl: -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256), or the partner's legacy_key_transport must list rsa_pkcs1v15"
                    )
                }
                return .rsaPKCS1v15
            }
            guard entry.algorithm == OID.rsaesOAEP else {
                throw EnvelopeError(
                    .disallowedAlgorithm,
                    "our recipient entry uses \(OID.name(entry.algorithm)) key transport; RSA-OAEP with SHA-256 is required (openssl: -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256)"
                )
            }
            let (hash, mgf) = entry.oaepHashes
            if strongHashes.contains(hash), strongHashes.contains(mgf) { return nil }
            let weakOnlySHA1 = [hash, mgf].allSatisfy { $0 == OID.sha1 || strongHashes.contains($0) }
            guard weakOnlySHA1, legacy.contains(.rsaOAEPSHA1) else {
                throw EnvelopeError(
                    .disallowedAlgorithm,
                    "our recipient entry uses RSA-OAEP with \(OID.name(hash)) (MGF1 \(OID.name(mgf))); SHA-1 is refused (openssl: -keyopt rsa_oaep_md:sha256)\(weakOnlySHA1 ? ", or the partner's legacy_key_transport must list rsa_oaep_sha1" : "")"
                )
            }
            return .rsaOAEPSHA1
        case .keyAgreement:
            var used: LegacyKeyTransport? = nil
            if entry.algorithm == OID.ecdhSHA1KDF {
                guard legacy.contains(.ecdhSHA1KDF) else {
                    throw EnvelopeError(
                        .disallowedAlgorithm,
                        "our recipient entry uses \(OID.name(entry.algorithm)); ECDH with a SHA-256 or stronger KDF is required (openssl: -keyopt ecdh_kdf_md:sha256), or the partner's legacy_key_transport must list ecdh_sha1_kdf"
                    )
                }
                used = .ecdhSHA1KDF
            } else if !keyAgreements.contains(entry.algorithm) {
                throw EnvelopeError(
                    .disallowedAlgorithm,
                    "our recipient entry uses \(OID.name(entry.algorithm)); ECDH with a SHA-256 or stronger KDF is required (openssl: -keyopt ecdh_kdf_md:sha256)"
                )
            }
            if let wrap = entry.parameters?.algorithmOID, !keyWraps.contains(wrap) {
                throw EnvelopeError(.disallowedAlgorithm, "our recipient entry wraps the key with \(OID.name(wrap)); AES key wrap is required")
            }
            return used
        case .other:
            throw EnvelopeError(.disallowedAlgorithm, "our recipient entry is of an unsupported kind")
        }
    }

    static let signatureAlgorithms: Set<String> = [
        "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4",  // ecdsa-with-SHA256/384/512
        "1.2.840.10045.2.1",  // id-ecPublicKey (digest named separately)
        OID.rsaEncryption, "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13",
        OID.rsassaPSS,
    ]

    /// Checks the signer's digest and signature algorithms (DER AlgorithmIdentifiers).
    static func checkSigner(digest: [UInt8], signature: [UInt8]) throws {
        let digestOID = try BERNode.parse(digest).algorithmOID ?? "unknown"
        guard strongHashes.contains(digestOID) else {
            throw EnvelopeError(.disallowedAlgorithm, "the signature uses digest \(OID.name(digestOID)); SHA-256 or stronger is required")
        }
        let signatureNode = try BERNode.parse(signature)
        let signatureOID = signatureNode.algorithmOID ?? "unknown"
        guard signatureAlgorithms.contains(signatureOID) else {
            throw EnvelopeError(.disallowedAlgorithm, "signature algorithm \(OID.name(signatureOID)) is not allowed (ECDSA or RSA with SHA-256 or stronger)")
        }
        if signatureOID == OID.rsassaPSS {
            var hash = OID.sha1
            for child in signatureNode.children.dropFirst().first?.children ?? [] where child.header.isContext(0) {
                if let oid = child.children.first?.algorithmOID { hash = oid }
            }
            guard strongHashes.contains(hash) else {
                throw EnvelopeError(.disallowedAlgorithm, "the RSA-PSS signature uses \(OID.name(hash)); SHA-256 or stronger is required")
            }
        }
    }
}
