internal import COpenSSL
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Envelope {
    /// Opens an envelope: decrypts with our key, checks the GCM tag, verifies the inner
    /// signature against the trust policy, and only then moves the plaintext to `output`.
    ///
    /// Streaming in constant memory: the BER structure is split in Swift into a small skeleton
    /// and the encrypted content; the content key is unwrapped from the skeleton with
    /// `CMS_decrypt_set1_pkey_and_peer` (always passing our certificate), the content is
    /// decrypted chunk by chunk into a private quarantine file next to `output`, the tag is
    /// checked at the end, and the inner `SignedData` is verified with `CMS_verify` against the
    /// quarantined content. On any failure the quarantine file is deleted and nothing appears
    /// at `output`.
    ///
    /// - Parameters:
    ///   - input: the envelope (BER or DER, AuthEnvelopedData).
    ///   - output: where the plaintext appears (atomically, mode 0600).
    ///   - identity: our decryption certificate and key.
    ///   - trust: whose signatures are accepted.
    ///   - allowCBC: accept plain EnvelopedData with AES-CBC (a partner exception; warns).
    ///   - legacyKeyTransport: weak key transports the partner's configuration accepts (a
    ///     partner exception; the one used is in ``OpenResult/legacyKeyTransport`` and warned of).
    ///   - knownSealedSHA256: the envelope's SHA-256 when the caller already has it (the
    ///     inbound job hashes every received file to claim it); the open then skips its own
    ///     pass over the envelope and reports this value as ``OpenResult/sealedSHA256``.
    ///   - durable: false when `output` is transient: read once, removed, and opened again
    ///     from the envelope after a crash (the inbound job's plaintext). It then appears at
    ///     `output` without being fsynced: 115 MB per million feedback events that never
    ///     need to reach the disk.
    ///   - progress: called with the plaintext bytes written so far, after each chunk.
    /// - Returns: the signer and the digests.
    /// - Throws: ``EnvelopeError`` with a specific code for every refusal.
    public static func open(
        input: String, output: String, identity: DecryptionIdentity, trust: TrustPolicy, allowCBC: Bool = false,
        legacyKeyTransport: Set<LegacyKeyTransport> = [], knownSealedSHA256: String? = nil, durable: Bool = true,
        progress: ((Int64) -> Void)? = nil
    ) throws(EnvelopeError) -> OpenResult {
        do {
            let evaluator = try TrustEvaluator(trust)
            return try EnvelopeOpener(input: input, identity: identity, trust: evaluator, allowCBC: allowCBC, legacyKeyTransport: legacyKeyTransport)
                .open(to: output, knownSealedSHA256: knownSealedSHA256, durable: durable, progress: progress)
        } catch let error as EnvelopeError {
            throw error
        } catch {
            throw EnvelopeError(.io, "opening \(input) failed: \(error)")
        }
    }
}

/// The steps of ``Envelope/open(input:output:identity:trust:allowCBC:)``, one method each.
final class EnvelopeOpener {
    let input: String
    let identity: DecryptionIdentity
    let trust: TrustEvaluator
    let allowCBC: Bool
    let legacyKeyTransport: Set<LegacyKeyTransport>
    let fd: Int32
    let size: Int64

    init(input: String, identity: DecryptionIdentity, trust: TrustEvaluator, allowCBC: Bool, legacyKeyTransport: Set<LegacyKeyTransport> = []) throws {
        self.input = input
        self.identity = identity
        self.trust = trust
        self.allowCBC = allowCBC
        self.legacyKeyTransport = legacyKeyTransport
        let fd = Glibc.open(input, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw EnvelopeError(.missingFile, "envelope \(input) cannot be opened: \(errnoText())") }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw EnvelopeError(.missingFile, "envelope \(input) is not a regular file")
        }
        self.fd = fd
        self.size = Int64(st.st_size)
    }

    deinit { close(fd) }

    /// Buffer size for this file: 1 MiB for large files, less for small ones (small inputs,
    /// such as the fuzzer's, then cost little to open).
    var bufferSize: Int { Int(min(max(size + 4096, 64 << 10), 1 << 20)) }

    func open(to output: String, knownSealedSHA256: String? = nil, durable: Bool = true, progress: ((Int64) -> Void)? = nil) throws -> OpenResult {
        let sealedDigest = knownSealedSHA256 == nil ? BackgroundFileDigest(fd: fd, size: size) : nil
        defer { _ = try? sealedDigest?.wait() }
        let layout: OuterLayout
        do {
            layout = try OuterSplitter.split(FileSource(fd: fd, size: size), size: size)
        } catch let error as EnvelopeError {
            throw EnvelopeError(error.code, "\(input): \(error.message)", opensslErrors: error.opensslErrors)
        }
        var warnings = try Allowlist.checkOuter(layout, allowCBC: allowCBC)
        let legacy = try checkAddressedToUs(layout)
        if let legacy {
            warnings.append("partner uses the legacy key transport \(legacy.rawValue) (allowed by its configuration)")
        }
        let outer = try CMSHandle.parse(layout.skeleton, what: "the envelope \(input)")
        try unwrapKey(outer)
        let quarantine = try AtomicOutput(path: output, bufferSize: bufferSize)
        let digest = try PipelinedDigest(bufferSize: bufferSize)
        let inner = try decrypt(outer, layout: layout, into: quarantine, digest: digest, progress: progress)
        let contentSHA256 = digest.finishBytes()
        try quarantine.flush()
        let verified = try verifySignature(inner, content: quarantine, sha256: contentSHA256)
        if !warnings.isEmpty { warnings = warnings.map { "\(input): \($0)" } }
        warnings += trust.warnings
        try quarantine.commit(durable: durable)
        let sealed = try knownSealedSHA256 ?? sealedDigest?.wait() ?? ""
        return OpenResult(
            signerSubject: verified.signer.subject, signerFingerprint: verified.signer.sha256Fingerprint,
            plaintextSHA256: verified.contentSHA256, sealedSHA256: sealed,
            plaintextBytes: inner.contentLength, sealedBytes: size, warnings: warnings, legacyKeyTransport: legacy
        )
    }

    /// Refuses an envelope with no recipient entry for our certificate, or with a weak one.
    /// - Returns: the legacy key transport the entry uses, when the partner allows it.
    private func checkAddressedToUs(_ layout: OuterLayout) throws -> LegacyKeyTransport? {
        let entries = try RecipientEntry.parseAll(layout.recipientInfos)
        guard let ours = entries.first(where: { $0.addresses(identity.cert) }) else {
            throw EnvelopeError(
                .notForUs,
                "\(input) is not encrypted to our certificate \(identity.certificate.shortName); it has \(entries.count) recipient(s), none of them us"
            )
        }
        return try Allowlist.checkRecipient(ours, legacy: legacyKeyTransport)
    }

    /// `CMS_decrypt_set1_pkey_and_peer` with our key and certificate (never without the
    /// certificate: OpenSSL would otherwise try every recipient and fall back to a random key).
    private func unwrapKey(_ cms: CMSHandle) throws {
        OpenSSLErrorQueue.clear()
        if CMS_decrypt_set1_pkey_and_peer(cms.pointer, identity.key.pointer, identity.cert.pointer, nil) != 1 {
            throw EnvelopeError.fromOpenSSL(.notForUs, "our key cannot unwrap the content key of \(input) (the entry for our certificate does not decrypt)")
        }
        OpenSSLErrorQueue.clear()
    }

    /// Streams the ciphertext through the cipher context `CMS_dataInit` prepared, splitting the
    /// decrypted SignedData on the fly and writing its content to the quarantine file.
    private func decrypt(
        _ cms: CMSHandle, layout: OuterLayout, into quarantine: AtomicOutput, digest: PipelinedDigest, progress: ((Int64) -> Void)? = nil
    ) throws -> InnerSplitter.Layout {
        guard let memory = BIO_new(BIO_s_mem()) else { throw EnvelopeError.fromOpenSSL(.openssl, "BIO_new failed") }
        guard let chain = CMS_dataInit(cms.pointer, memory) else {
            BIO_free(memory)
            throw EnvelopeError.fromOpenSSL(.openssl, "CMS_dataInit cannot set up decryption of \(input)")
        }
        defer { BIO_free_all(chain) }
        guard let context = COpenSSL_BIO_get_cipher_ctx(chain) else {
            throw EnvelopeError.fromOpenSSL(.openssl, "no cipher context for \(input)")
        }
        let reader = BERStreamReader(source: FileSource(fd: fd, size: size), bufferSize: bufferSize)
        try reader.skip(layout.encryptedContentOffset, context: "the envelope")
        let header = try reader.readHeader(context: "encryptedContent")
        let ciphertext = OctetStringSource(reader: reader, header: header, name: "the encrypted content")
        let plaintext = DecryptingSource(ciphertext: ciphertext, context: context, chunkSize: bufferSize)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer {
            chunk.initializeMemory(as: UInt8.self, repeating: 0)
            chunk.deallocate()
        }
        let inner: InnerSplitter.Layout
        var written: Int64 = 0
        do {
            inner = try InnerSplitter.split(plaintext, chunk: chunk, bufferSize: bufferSize) { bytes in
                digest.update(bytes)
                try quarantine.write(bytes)
                written += Int64(bytes.count)
                progress?(written)
            }
        } catch let error as EnvelopeError {
            // A tampered ciphertext often breaks the inner structure before the tag is reached:
            // the tag decides which error the operator sees.
            if error.code == .tagMismatch || !plaintext.drainAndCheck() {
                throw EnvelopeError(
                    .tagMismatch,
                    "\(input): the authentication tag does not match: the encrypted content or its tag was altered or cut short"
                )
            }
            throw EnvelopeError(error.code, "\(input): \(error.message)", opensslErrors: error.opensslErrors)
        }
        guard plaintext.verified else {
            throw EnvelopeError(.malformed, "\(input): the encrypted content did not end where the signed structure did")
        }
        return inner
    }

    struct Verified {
        let signer: X509Handle
        let contentSHA256: String
    }

    /// Checks the signer against the allowlist, verifies its signature over the signed
    /// attributes (`CMS_SignerInfo_verify`), compares the signed messageDigest with the digest of
    /// the content computed while it streamed (constant time), then applies the trust policy.
    /// This is what `CMS_verify` does, without reading the content a second time.
    private func verifySignature(_ inner: InnerSplitter.Layout, content: AtomicOutput, sha256: [UInt8]) throws -> Verified {
        let cms = try CMSHandle.parse(inner.skeleton, what: "the signed structure inside \(input)")
        let info = try SignerInspection.singleSigner(cms, origin: input)
        try Allowlist.checkSigner(digest: info.digestAlgorithm, signature: info.signatureAlgorithm)
        guard info.hasSignedAttributes else {
            throw EnvelopeError(.disallowedAlgorithm, "\(input): the signature has no signed attributes (content type, digest, signing time are required)")
        }
        let pinned = try X509StackHandle(trust.pinned)
        OpenSSLErrorQueue.clear()
        if CMS_set1_signers_certs(cms.pointer, pinned.pointer, 0) < 1 {
            throw EnvelopeError.fromOpenSSL(
                .untrustedSigner,
                "\(input): the signer's certificate is neither included in the signature nor pinned for partner \"\(trust.policy.partnerName)\""
            )
        }
        OpenSSLErrorQueue.clear()
        if CMS_SignerInfo_verify(info.pointer) != 1 {
            throw EnvelopeError.fromOpenSSL(.signatureInvalid, "\(input): the signature does not verify (altered signature or signed attributes)")
        }
        guard SignerInspection.contentTypeIsData(info.pointer) else {
            throw EnvelopeError(.signatureInvalid, "\(input): the signed content-type attribute is missing or is not data")
        }
        let expected = try contentDigest(info, streamed: sha256, content: content)
        guard let signed = info.messageDigest, signed.count == expected.count,
            CRYPTO_memcmp(signed, expected, expected.count) == 0
        else {
            throw EnvelopeError(.signatureInvalid, "\(input): the content does not match its signed digest (the content was altered)")
        }
        let signer = try SignerInspection.signerCertificate(info.pointer, origin: input)
        try trust.evaluate(signer: signer, untrusted: SignerInspection.certificates(cms))
        return Verified(signer: signer, contentSHA256: Hex.encode(sha256))
    }

    /// The content digest in the signer's algorithm: the streamed SHA-256, or for SHA-384/512 a
    /// second pass over the quarantined content.
    private func contentDigest(_ info: SignerInspection.Info, streamed: [UInt8], content: AtomicOutput) throws -> [UInt8] {
        switch info.digestOID {
        case OID.sha256: return streamed
        case OID.sha384: return try SHA256Stream.file(fd: content.fd, algorithm: "SHA384")
        case OID.sha512: return try SHA256Stream.file(fd: content.fd, algorithm: "SHA512")
        default: throw EnvelopeError(.disallowedAlgorithm, "\(input): digest \(OID.name(info.digestOID)) is not allowed")
        }
    }
}
