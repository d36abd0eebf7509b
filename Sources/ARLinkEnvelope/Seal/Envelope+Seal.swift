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
    /// ECDH P-256 with a SHA-256 KDF. Streams in constant memory on two threads: a detached
    /// `CMS_sign` digests the content while ``InnerSignedDataWriter`` frames it and the cipher
    /// context of a streaming `CMS_encrypt_ex` encrypts it in 1 MiB chunks; the envelope is
    /// indefinite-length BER like `openssl cms -encrypt -stream` output.
    ///
    /// - Parameters:
    ///   - input: the plaintext file.
    ///   - output: where the envelope appears.
    ///   - signer: our signing identity.
    ///   - recipients: the partner's encryption certificate and our archive certificate.
    ///   - progress: called with the plaintext bytes read so far, after each chunk.
    /// - Returns: digests and sizes.
    /// - Throws: ``EnvelopeError``.
    public static func seal(
        input: String, output: String, signer: SigningIdentity, recipients: [RecipientCertificate], progress: ((Int64) -> Void)? = nil
    ) throws(EnvelopeError) -> SealResult {
        do {
            return try EnvelopeSealer(signer: signer, recipients: recipients).seal(input: input, output: output, progress: progress)
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

    func seal(input: String, output: String, progress: ((Int64) -> Void)? = nil) throws -> SealResult {
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
        let (plaintextBytes, sealedSHA256) = try stream(fd: fd, signed: signed, enveloped: enveloped, into: destination, input: input, progress: progress)
        try destination.commit()
        let digest = try messageDigest(signed)
        return SealResult(
            plaintextSHA256: digest, sealedSHA256: sealedSHA256, plaintextBytes: plaintextBytes,
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
        CMS_set_detached(enveloped.pointer, 1)
        return enveloped
    }

    /// Streams the input in 1 MiB chunks on two threads. This thread reads each chunk and
    /// digests it for the signature (`CMS_dataInit` of the detached SignedData over a null BIO);
    /// the other frames it (``InnerSignedDataWriter``), encrypts it with the cipher context of
    /// `CMS_dataInit` on the AuthEnvelopedData, hashes and writes it (``EncryptingWriter``). At
    /// the end `CMS_dataFinal` signs, the certificates and SignerInfo are encrypted after the
    /// content, `CMS_dataFinal` on the envelope collects the GCM tag, and ``OuterFraming``
    /// closes the structure.
    /// - Returns: plaintext size and the SHA-256 of the envelope.
    private func stream(
        fd: Int32, signed: CMSHandle, enveloped: CMSHandle, into destination: AtomicOutput, input: String, progress: ((Int64) -> Void)?
    ) throws -> (Int64, String) {
        guard let null = BIO_new(BIO_s_null()) else { throw EnvelopeError.fromOpenSSL(.openssl, "BIO_new(null) failed") }
        guard let digestBIO = CMS_dataInit(signed.pointer, null) else {
            BIO_free(null)
            throw EnvelopeError.fromOpenSSL(.openssl, "CMS_dataInit (signature) failed")
        }
        defer { BIO_free_all(digestBIO) }
        guard let null2 = BIO_new(BIO_s_null()) else { throw EnvelopeError.fromOpenSSL(.openssl, "BIO_new(null) failed") }
        guard let cipherBIO = CMS_dataInit(enveloped.pointer, null2) else {
            BIO_free(null2)
            throw EnvelopeError.fromOpenSSL(.openssl, "CMS_dataInit (envelope) failed: cannot encrypt to the recipients")
        }
        defer { BIO_free_all(cipherBIO) }
        guard let context = COpenSSL_BIO_get_cipher_ctx(cipherBIO) else {
            throw EnvelopeError.fromOpenSSL(.openssl, "no cipher context for the envelope")
        }
        let head = try OuterFraming.parts(enveloped)
        let writer = try EncryptingWriter(context: context, output: destination, capacity: Self.chunkSize + 16)
        try writer.writeFraming(OuterFraming.prefix(oid: head.oid, before: head.before, eci: head.eci))
        try writer.encrypt(InnerSignedDataWriter.prefix)

        let channel = ChunkChannel(buffers: 3, size: Self.chunkSize)
        let worker = JoinableThread {
            while let (buffer, count) = channel.takeFull() {
                do {
                    try writer.encrypt(InnerSignedDataWriter.chunkHeader(count))
                    try writer.encrypt(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                    try writer.flushChunk()
                } catch {
                    writer.failure = error
                    channel.consumerFailure()
                    return
                }
                channel.recycle(buffer)
            }
        }
        var total: Int64 = 0
        var readFailure: (any Error)? = nil
        while let buffer = channel.takeFree() {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR {
                    channel.recycle(buffer)
                    continue
                }
                readFailure = EnvelopeError(.io, "reading \(input) failed: \(errnoText())")
                break
            }
            if n == 0 {
                channel.recycle(buffer)
                break
            }
            if BIO_write(digestBIO, buffer.baseAddress, Int32(n)) != Int32(n) {
                readFailure = EnvelopeError.fromOpenSSL(.openssl, "digesting \(input) failed")
                break
            }
            channel.submit(buffer, count: n)
            total += Int64(n)
            progress?(total)
        }
        channel.end()
        worker.join()
        if let failure = writer.failure ?? readFailure { throw failure }

        OpenSSLErrorQueue.clear()
        if CMS_dataFinal(signed.pointer, digestBIO) != 1 {
            throw EnvelopeError.fromOpenSSL(.openssl, "signing \(input) failed")
        }
        try writer.encrypt(InnerSignedDataWriter.endOfContent)
        try writer.encrypt(try InnerSignedDataWriter.tail(ofDetached: signed))
        try writer.encrypt(InnerSignedDataWriter.endOfStructure)
        try writer.finish()
        if CMS_dataFinal(enveloped.pointer, cipherBIO) != 1 {
            throw EnvelopeError.fromOpenSSL(.openssl, "finishing the envelope of \(input) failed (no GCM tag)")
        }
        let tail = try OuterFraming.parts(enveloped)
        guard tail.before == head.before, tail.eci == head.eci else {
            throw EnvelopeError(.openssl, "the envelope's recipients changed while sealing")
        }
        try writer.writeFraming(OuterFraming.suffix(after: tail.after))
        return (total, writer.hasher.finish())
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
