internal import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

extension Envelope {
    /// Describes an envelope or signed file without decrypting it: content types, algorithms,
    /// recipients and, for an unencrypted SignedData, the signer.
    /// - Throws: ``EnvelopeError`` `.missingFile`, `.empty`, `.truncated`, `.malformed`.
    public static func inspect(input: String) throws(EnvelopeError) -> InspectReport {
        let fd = Glibc.open(input, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw EnvelopeError(.missingFile, "\(input) cannot be opened: \(errnoText())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw EnvelopeError(.missingFile, "\(input) is not a regular file")
        }
        let size = Int64(st.st_size)
        return try wrap(input) { try EnvelopeInspector.inspect(size: size) { FileSource(fd: fd, size: size) } }
    }

    /// Same as ``inspect(input:)`` over bytes in memory (used by the fuzzer and tests).
    public static func inspect(bytes: [UInt8]) throws(EnvelopeError) -> InspectReport {
        try wrap("the input") { try EnvelopeInspector.inspect(size: Int64(bytes.count)) { MemorySource(bytes) } }
    }

    private static func wrap<T>(_ origin: String, _ body: () throws -> T) throws(EnvelopeError) -> T {
        do { return try body() } catch let error as EnvelopeError {
            throw EnvelopeError(error.code, "\(origin): \(error.message)", opensslErrors: error.opensslErrors)
        } catch {
            throw EnvelopeError(.io, "\(origin): \(error)")
        }
    }
}

enum EnvelopeInspector {
    static func inspect(size: Int64, _ makeSource: () -> any ByteSource) throws -> InspectReport {
        do {
            let layout = try OuterSplitter.split(makeSource(), size: size)
            let algorithm = try BERNode.parse(layout.contentEncryptionAlgorithm).algorithmOID ?? "unknown"
            let recipients = try RecipientEntry.parseAll(layout.recipientInfos).map { entry in
                InspectReport.Recipient(kind: entry.kind.rawValue, identifier: describe(entry.identifiers), algorithm: entry.algorithmDescription)
            }
            return InspectReport(
                contentType: OID.name(layout.contentType), contentEncryption: OID.name(algorithm),
                encryptedContentType: OID.name(layout.encryptedContentType), encryptedBytes: layout.encryptedContentLength,
                tagBytes: layout.macLength, recipients: recipients, signers: [], signedBytes: nil
            )
        } catch let error as EnvelopeError where error.code == .notEncrypted {
            // Not encrypted but signed: show the signer.
            return try inspectSigned(makeSource())
        }
    }

    private static func inspectSigned(_ source: any ByteSource) throws -> InspectReport {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { chunk.deallocate() }
        let layout = try InnerSplitter.split(source, chunk: chunk) { _ in }
        let cms = try CMSHandle.parse(layout.skeleton, what: "the signed structure")
        var signers: [InspectReport.Signer] = []
        let certificates = SignerInspection.certificates(cms)
        if let infos = CMS_get0_SignerInfos(cms.pointer) {
            for i in 0..<COpenSSL_sk_CMS_SignerInfo_num(infos) {
                guard let si = COpenSSL_sk_CMS_SignerInfo_value(infos, i) else { continue }
                var digest: UnsafeMutablePointer<X509_ALGOR>? = nil
                var signature: UnsafeMutablePointer<X509_ALGOR>? = nil
                CMS_SignerInfo_get0_algs(si, nil, nil, &digest, &signature)
                let cert = certificates.first { CMS_SignerInfo_cert_cmp(si, $0.pointer) == 0 }
                signers.append(
                    InspectReport.Signer(
                        subject: cert?.subject ?? "(certificate not included)",
                        sha256Fingerprint: cert?.sha256Fingerprint ?? "",
                        digestAlgorithm: OID.name((try? BERNode.parse(SignerInspection.algorithmDER(digest)).algorithmOID) ?? "unknown"),
                        signatureAlgorithm: OID.name((try? BERNode.parse(SignerInspection.algorithmDER(signature)).algorithmOID) ?? "unknown")
                    )
                )
            }
        }
        OpenSSLErrorQueue.clear()
        return InspectReport(
            contentType: "signedData", contentEncryption: nil, encryptedContentType: nil, encryptedBytes: nil, tagBytes: nil,
            recipients: [], signers: signers, signedBytes: layout.contentLength
        )
    }

    static func describe(_ identifiers: [RecipientEntry.Identifier]) -> String {
        identifiers.map { id in
            switch id {
            case .issuerAndSerial(let issuer, let serial):
                "issuer \(nameText(issuer)) serial \(Hex.encode(serialContents(serial)))"
            case .subjectKeyIdentifier(let key):
                "key id \(Hex.encode(key))"
            }
        }.joined(separator: "; ")
    }

    private static func serialContents(_ der: [UInt8]) -> ArraySlice<UInt8> {
        guard let node = try? BERNode.parse(der) else { return der[...] }
        return node.contents
    }

    private static func nameText(_ der: [UInt8]) -> String {
        der.withUnsafeBufferPointer { buffer -> String in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let name = d2i_X509_NAME(nil, &cursor, buffer.count) else {
                OpenSSLErrorQueue.clear()
                return "(unreadable name)"
            }
            defer { X509_NAME_free(name) }
            return X509Handle.nameText(name)
        }
    }
}
