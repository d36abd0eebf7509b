internal import CRNP
public import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Envelope {
    /// Signs the exact bytes of `input` and encrypts them to every recipient as one OpenPGP
    /// message, written to `output` atomically (mode 0600).
    ///
    /// The message is what GnuPG 2.2/2.4, rnp, Sequoia and the Java/.NET stacks all read: v4
    /// one-pass signature (SHA-256) over a literal data packet, inside a v1 Symmetrically
    /// Encrypted Integrity Protected Data packet (AES-256, MDC), one v3 session-key packet per
    /// recipient's encryption subkey. Never AEAD (OCB/EAX, v5) or v6 packets. No compression and
    /// binary packets unless `options` says otherwise. librnp's `rnp_op_encrypt_*` streams the
    /// input and output through callbacks, so memory stays constant.
    ///
    /// - Parameters:
    ///   - input: the plaintext file.
    ///   - output: where the message appears.
    ///   - signer: our secret signing key.
    ///   - recipients: the partner's certificate and our archive certificate.
    ///   - options: armour and compression.
    ///   - now: the time at which keys must be valid and the signature is made.
    /// - Returns: digests and sizes.
    /// - Throws: ``EnvelopeError``: `weakKey` (RSA under 3072 bits), `certificateExpired`
    ///   (an expired or revoked key), `certificateUsage` (no signing or encryption key),
    ///   `passphrase`, `missingFile`, `io`.
    public static func sealOpenPGP(
        input: String, output: String, signer: OpenPGPSecretKey, recipients: [OpenPGPCertificate],
        options: OpenPGPSealOptions = OpenPGPSealOptions(), now: Date? = nil, progress: ((Int64) -> Void)? = nil
    ) throws(EnvelopeError) -> SealResult {
        do {
            return try OpenPGPSealer(signer: signer, recipients: recipients, options: options, now: now)
                .seal(input: input, output: output, progress: progress)
        } catch let error as EnvelopeError {
            throw error
        } catch {
            throw EnvelopeError(.io, "sealing \(input) failed: \(error)")
        }
    }
}

/// The steps of ``Envelope/sealOpenPGP(input:output:signer:recipients:options:now:)``.
struct OpenPGPSealer {
    let signer: OpenPGPSecretKey
    let recipients: [OpenPGPCertificate]
    let options: OpenPGPSealOptions
    let now: Date?

    func seal(input: String, output: String, progress: ((Int64) -> Void)? = nil) throws -> SealResult {
        guard !recipients.isEmpty else { throw EnvelopeError(.badCertificate, "no OpenPGP recipient certificate given") }
        let fd = open(input, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw EnvelopeError(.missingFile, "input \(input) cannot be opened: \(errnoText())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw EnvelopeError(.missingFile, "input \(input) is not a regular file")
        }

        let ffi = try RNPFFI()
        if let now { ffi.setTime(UInt64(max(0, now.timeIntervalSince1970))) }
        let signingKey = try signer.load(into: ffi)
        try checkUsable(signingKey, role: "our signing key \(signer.shortName)", usage: "sign")
        var recipientKeys: [RNPKey] = []
        for recipient in recipients {
            _ = try ffi.importKeys(path: recipient.path, secret: false, what: "OpenPGP certificate")
            guard let key = ffi.key(fingerprint: recipient.fingerprint) else {
                throw EnvelopeError(.badCertificate, "OpenPGP certificate \(recipient.path) changed since it was loaded")
            }
            try checkUsable(key, role: "recipient \(recipient.shortName)", usage: "encrypt")
            recipientKeys.append(key)
        }

        let source = try RNPSource(fd: fd)
        let sourceInput = try RNPInput(source: source)
        let destination = try AtomicOutput(path: output)
        let sink = try RNPSink(destination: destination)
        sink.progress = progress
        let sinkOutput = try RNPOutput(sink: sink)
        let op = try RNPEncryptOperation(ffi: ffi, input: sourceInput, output: sinkOutput)
        for (key, recipient) in zip(recipientKeys, recipients) {
            try op.check(rnp_op_encrypt_add_recipient(op.pointer, key.pointer), .certificateUsage,
                         "recipient \(recipient.shortName) has no usable encryption key")
        }
        var signature: OpaquePointer? = nil
        try op.check(rnp_op_encrypt_add_signature(op.pointer, signingKey.pointer, &signature), .certificateUsage,
                     "our signing key \(signer.shortName) cannot sign")
        try op.check(rnp_op_encrypt_set_cipher(op.pointer, "AES256"), .openssl, "cannot select AES-256")
        try op.check(rnp_op_encrypt_set_aead(op.pointer, "None"), .openssl, "cannot select SEIPD v1 (no AEAD)")
        try op.check(rnp_op_encrypt_set_hash(op.pointer, "SHA256"), .openssl, "cannot select SHA-256")
        switch options.compression {
        case .none: try op.check(rnp_op_encrypt_set_compression(op.pointer, "Uncompressed", 0), .openssl, "cannot turn compression off")
        case .zlib: try op.check(rnp_op_encrypt_set_compression(op.pointer, "ZLIB", 6), .openssl, "cannot select ZLIB")
        }
        try op.check(rnp_op_encrypt_set_armor(op.pointer, options.armor), .openssl, "cannot set armour")
        try op.check(rnp_op_encrypt_set_file_mtime(op.pointer, 0), .openssl, "cannot set the literal packet's time")

        let rc = rnp_op_encrypt_execute(op.pointer)
        if let error = sink.writeError { throw error }
        if source.failed { throw EnvelopeError(.io, "reading \(input) failed") }
        if rc != RNPResult.success {
            if rc == RNPResult.badPassword {
                throw EnvelopeError(.passphrase, "the passphrase does not unlock our signing key \(signer.shortName)")
            }
            throw EnvelopeError(.openssl, "OpenPGP sealing of \(input) failed: \(RNPResult.name(rc))")
        }
        try sink.finish()
        try destination.commit()
        return SealResult(
            plaintextSHA256: source.finishDigest(), sealedSHA256: sink.finishDigest(), plaintextBytes: source.bytesRead,
            sealedBytes: destination.bytesWritten
        )
    }

    /// Refuses keys we must not use: revoked or expired, RSA under 3072 bits, or without a
    /// (sub)key for `usage`.
    private func checkUsable(_ key: RNPKey, role: String, usage: String) throws(EnvelopeError) {
        if key.isRevoked { throw EnvelopeError(.certificateExpired, "\(role) is revoked") }
        if key.isExpired { throw EnvelopeError(.certificateExpired, "\(role) has expired") }
        for k in [key] + key.subkeys where k.algorithm == "RSA" || k.algorithm == "DSA" || k.algorithm == "ELGAMAL" {
            if k.bits < openPGPMinimumRSABits {
                throw EnvelopeError(.weakKey, "\(role) has a \(k.bits)-bit \(k.algorithm) key; at least \(openPGPMinimumRSABits) bits are required")
            }
        }
        let usable = ([key] + key.subkeys).contains { $0.allows(usage) && !$0.isRevoked && !$0.isExpired }
        if !usable { throw EnvelopeError(.certificateUsage, "\(role) has no valid key that may \(usage)") }
    }
}

/// An `rnp_op_encrypt_t`, destroyed with `rnp_op_encrypt_destroy`; keeps its key store, input and output alive.
final class RNPEncryptOperation {
    let pointer: OpaquePointer
    let ffi: RNPFFI
    private let input: RNPInput
    private let output: RNPOutput

    init(ffi: RNPFFI, input: RNPInput, output: RNPOutput) throws(EnvelopeError) {
        var op: OpaquePointer? = nil
        let rc = rnp_op_encrypt_create(&op, ffi.pointer, input.pointer, output.pointer)
        guard rc == RNPResult.success, let op else {
            throw EnvelopeError(.openssl, "rnp_op_encrypt_create failed: \(RNPResult.name(rc))")
        }
        pointer = op
        self.ffi = ffi
        self.input = input
        self.output = output
    }

    deinit { rnp_op_encrypt_destroy(pointer) }

    func check(_ rc: UInt32, _ code: EnvelopeError.Code, _ message: String) throws(EnvelopeError) {
        if rc != RNPResult.success { throw EnvelopeError(code, "\(message) (\(RNPResult.name(rc)))") }
    }
}
