internal import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

extension Envelope {
    /// Signs the exact bytes of `input`, encrypts the signed structure to every recipient, and
    /// writes the envelope to `output` atomically (DER-framed BER, mode 0600).
    ///
    /// `SignedData` (ECDSA P-256 with SHA-256, or RSA-PSS with SHA-256; signing certificate
    /// included; signed content type, message digest and signing time) inside
    /// `AuthEnvelopedData` with AES-256-GCM; RSA recipients by RSA-OAEP-SHA256, EC recipients by
    /// ECDH P-256 with a SHA-256 KDF. Streams in constant memory: a detached `CMS_sign` digests
    /// the content while ``InnerSignedDataWriter`` frames it into `BIO_new_CMS` over a streaming
    /// `CMS_encrypt_ex`, fed in 1 MiB chunks.
    ///
    /// - Parameters:
    ///   - input: the plaintext file.
    ///   - output: where the envelope appears.
    ///   - signer: our signing identity.
    ///   - recipients: the partner's encryption certificate and our archive certificate.
    /// - Returns: digests and sizes.
    /// - Throws: ``EnvelopeError``.
    public static func seal(
        input: String, output: String, signer: SigningIdentity, recipients: [RecipientCertificate]
    ) throws(EnvelopeError) -> SealResult {
        do {
            return try EnvelopeSealer(signer: signer, recipients: recipients).seal(input: input, output: output)
        } catch let error as EnvelopeError {
            throw error
        } catch {
            throw EnvelopeError(.io, "sealing \(input) failed: \(error)")
        }
    }
}

/// The steps of ``Envelope/seal(input:output:signer:recipients:)``.
struct EnvelopeSealer {
    let signer: SigningIdentity
    let recipients: [RecipientCertificate]
    static let chunkSize = 1 << 20

    func seal(input: String, output: String) throws -> SealResult {
        guard !recipients.isEmpty else { throw EnvelopeError(.badCertificate, "no recipient certificate given") }
        let fd = open(input, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw EnvelopeError(.missingFile, "input \(input) cannot be opened: \(errnoText())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw EnvelopeError(.missingFile, "input \(input) is not a regular file")
        }
        OpenSSLErrorQueue.clear()
        let signed = try makeSignedData()
        let enveloped = try makeAuthEnvelopedData()
        let destination = try AtomicOutput(path: output)
        let sink = try HashingSinkBIO(output: destination)
        let plaintextBytes = try stream(fd: fd, through: signed, enveloped, into: sink, input: input)
        if let failure = sink.failure { throw failure }
        try destination.commit()
        let digest = try messageDigest(signed)
        return SealResult(
            plaintextSHA256: digest, sealedSHA256: sink.hasher.finish(), plaintextBytes: plaintextBytes,
            sealedBytes: destination.bytesWritten
        )
    }

    private func makeSignedData() throws -> CMSHandle {
        let flags = UInt32(CMS_BINARY | CMS_DETACHED | CMS_STREAM | CMS_PARTIAL)
        guard let raw = CMS_sign(nil, nil, nil, nil, flags) else { throw EnvelopeError.fromOpenSSL(.openssl, "CMS_sign failed") }
        let signed = CMSHandle(owning: raw)
        let pss = signer.usesRSAPSS
        let signerFlags = UInt32(CMS_BINARY | CMS_NOSMIMECAP | (pss ? CMS_KEY_PARAM : 0))
        guard let si = CMS_add1_signer(signed.pointer, signer.cert.pointer, signer.key.pointer, EVP_sha256(), signerFlags) else {
            throw EnvelopeError.fromOpenSSL(.badKey, "CMS_add1_signer refused the signing key \(signer.certificate.shortName)")
        }
        if pss {
            guard let ctx = CMS_SignerInfo_get0_pkey_ctx(si),
                EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0,
                EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) > 0
            else {
                throw EnvelopeError.fromOpenSSL(.openssl, "cannot select RSA-PSS for the signature")
            }
        }
        return signed
    }

    private func makeAuthEnvelopedData() throws -> CMSHandle {
        let none = try X509StackHandle([])
        let flags = UInt32(CMS_BINARY | CMS_STREAM | CMS_PARTIAL)
        guard let raw = CMS_encrypt_ex(none.pointer, nil, EVP_aes_256_gcm(), flags, nil, nil) else {
            throw EnvelopeError.fromOpenSSL(.openssl, "CMS_encrypt_ex (AES-256-GCM) failed")
        }
        let enveloped = CMSHandle(owning: raw)
        for recipient in recipients {
            guard let ri = CMS_add1_recipient_cert(enveloped.pointer, recipient.cert.pointer, UInt32(CMS_KEY_PARAM)),
                let ctx = CMS_RecipientInfo_get0_pkey_ctx(ri)
            else {
                throw EnvelopeError.fromOpenSSL(.badCertificate, "cannot add recipient \(recipient.certificate.shortName)")
            }
            let configured: Bool
            if recipient.isRSA {
                configured = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0
                    && EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) > 0
                    && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) > 0
            } else {
                configured = EVP_PKEY_CTX_set_ecdh_kdf_md(ctx, EVP_sha256()) > 0
            }
            if !configured {
                throw EnvelopeError.fromOpenSSL(.openssl, "cannot configure the key encryption for \(recipient.certificate.shortName)")
            }
        }
        CMS_set_detached(enveloped.pointer, 0)
        return enveloped
    }

    /// Streams the input in 1 MiB chunks, each both through the signature's digest BIOs
    /// (`CMS_dataInit` on the detached SignedData over a null BIO) and, framed by
    /// ``InnerSignedDataWriter``, into `BIO_new_CMS(sink, enveloped)`. Then `CMS_dataFinal`
    /// signs, the certificates and SignerInfo are appended, and a flush finishes the envelope.
    private func stream(fd: Int32, through signed: CMSHandle, _ enveloped: CMSHandle, into sink: HashingSinkBIO, input: String) throws -> Int64 {
        guard let envelopeBIO = BIO_new_CMS(sink.bio, enveloped.pointer) else {
            throw EnvelopeError.fromOpenSSL(.openssl, "BIO_new_CMS (envelope) failed")
        }
        defer { Self.unwind(envelopeBIO, until: sink.bio) }
        guard let null = BIO_new(BIO_s_null()) else { throw EnvelopeError.fromOpenSSL(.openssl, "BIO_new(null) failed") }
        guard let digestBIO = CMS_dataInit(signed.pointer, null) else {
            BIO_free(null)
            throw EnvelopeError.fromOpenSSL(.openssl, "CMS_dataInit (signature) failed")
        }
        defer { BIO_free_all(digestBIO) }
        func emit(_ bytes: UnsafeRawBufferPointer) throws {
            var offset = 0
            while offset < bytes.count {
                let written = BIO_write(envelopeBIO, bytes.baseAddress! + offset, Int32(bytes.count - offset))
                if written <= 0 {
                    if let failure = sink.failure { throw failure }
                    throw EnvelopeError.fromOpenSSL(.openssl, "sealing \(input) failed while streaming")
                }
                offset += Int(written)
            }
        }
        func emit(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try emit($0) } }
        try emit(InnerSignedDataWriter.prefix)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        defer {
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            buffer.deallocate()
        }
        var total: Int64 = 0
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw EnvelopeError(.io, "reading \(input) failed: \(errnoText())")
            }
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            if BIO_write(digestBIO, chunk.baseAddress, Int32(n)) != Int32(n) {
                throw EnvelopeError.fromOpenSSL(.openssl, "digesting \(input) failed")
            }
            try emit(InnerSignedDataWriter.chunkHeader(n))
            try emit(chunk)
            total += Int64(n)
        }
        try emit(InnerSignedDataWriter.endOfContent)
        OpenSSLErrorQueue.clear()
        if CMS_dataFinal(signed.pointer, digestBIO) != 1 {
            throw EnvelopeError.fromOpenSSL(.openssl, "signing \(input) failed")
        }
        try emit(try InnerSignedDataWriter.tail(ofDetached: signed))
        try emit(InnerSignedDataWriter.endOfStructure)
        if COpenSSL_BIO_flush(envelopeBIO) != 1 {
            if let failure = sink.failure { throw failure }
            throw EnvelopeError.fromOpenSSL(.openssl, "finishing the envelope of \(input) failed")
        }
        return total
    }

    /// Frees the BIOs of a `BIO_new_CMS` chain from `top` down to (not including) `stop`.
    private static func unwind(_ top: OpaquePointer, until stop: OpaquePointer) {
        var current: OpaquePointer? = top
        while let bio = current, bio != stop {
            current = BIO_pop(bio)
            BIO_free(bio)
        }
    }

    /// The signed messageDigest attribute: the SHA-256 of the content, computed by OpenSSL.
    private func messageDigest(_ signed: CMSHandle) throws -> String {
        let info = try SignerInspection.singleSigner(signed, origin: "the new signature")
        guard let digest = info.messageDigestSHA256 else {
            throw EnvelopeError(.openssl, "the new signature has no SHA-256 message digest")
        }
        return digest
    }
}
