internal import CRNP
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Envelope {
    /// The hashes an OpenPGP signature may use; MD5, SHA-1, RIPEMD-160 and SHA-224 are refused.
    static let openPGPHashes: Set<String> = ["SHA256", "SHA384", "SHA512", "SHA3-256", "SHA3-512"]
    /// The ciphers an OpenPGP message may use; CAST5, IDEA, 3DES, Blowfish, Twofish and the rest are refused.
    static let openPGPCiphers: Set<String> = ["AES128", "AES192", "AES256"]

    /// Opens an OpenPGP message: checks its packet structure, decrypts it with our key,
    /// checks the MDC and the one signature against the partner's pinned certificates, and
    /// only then moves the plaintext to `output`.
    ///
    /// 1. The outer packets are read first (``OpenPGPPacketScan``): session-key packets, then
    ///    exactly one SEIPD v1 packet ending at the end of the file. Anything else is refused
    ///    before decryption: not encrypted, no MDC (tag 9), AEAD, passwords only, trailing
    ///    bytes, truncation. An armoured file is first de-armoured (`rnp_dearmor`) into a
    ///    private temporary file.
    /// 2. librnp (`rnp_op_verify_execute`, streaming through callbacks) decrypts, decompresses
    ///    and verifies; the plaintext goes to a private staging file next to `output` (mode
    ///    0600), capped at `maxDecompressionRatio` times the message's size (plus 1 MiB).
    /// 3. Then: the MDC checked out and the cipher is AES; exactly one signature; its key's
    ///    primary fingerprint is pinned; neither the signing key nor its primary is revoked or
    ///    expired at `trust.now`; the signing key may sign; RSA keys have at least 3072 bits;
    ///    the hash is SHA-256 or stronger; the signature verifies.
    /// 4. Only then is the staging file fsync'ed and renamed to `output`. On any failure it is
    ///    deleted and nothing appears at `output`.
    ///
    /// - Parameters:
    ///   - input: the message (binary or armoured).
    ///   - output: where the plaintext appears (atomically, mode 0600).
    ///   - key: our secret decryption key.
    ///   - previousKeys: our earlier keys, still accepted for decryption during a rotation
    ///     (the message names the key it is encrypted to; the first of ours it names decrypts).
    ///   - trust: the partner's pinned certificates.
    ///   - maxDecompressionRatio: the largest plaintext, as a multiple of the message's size.
    ///   - durable: false for transient output (see ``open(input:output:identity:trust:allowCBC:knownSealedSHA256:durable:)``).
    /// - Returns: the signer (user id and primary-key fingerprint, upper-case hex) and the digests.
    /// - Throws: ``EnvelopeError`` with a specific code for every refusal.
    public static func openOpenPGP(
        input: String, output: String, key: OpenPGPSecretKey, previousKeys: [OpenPGPSecretKey] = [], trust: OpenPGPTrust,
        maxDecompressionRatio: Int = 100, durable: Bool = true, progress: ((Int64) -> Void)? = nil
    ) throws(EnvelopeError) -> OpenResult {
        do {
            return try OpenPGPOpener(input: input, keys: [key] + previousKeys, trust: trust, maxRatio: maxDecompressionRatio)
                .open(to: output, durable: durable, progress: progress)
        } catch let error as EnvelopeError {
            throw error
        } catch {
            throw EnvelopeError(.io, "opening \(input) failed: \(error)")
        }
    }
}

/// The steps of ``Envelope/openOpenPGP(input:output:key:trust:maxDecompressionRatio:durable:)``.
final class OpenPGPOpener {
    let input: String
    /// Our keys: the current one first, then earlier ones still accepted for decryption.
    let keys: [OpenPGPSecretKey]
    /// The one of ``keys`` the message is encrypted to (the current one until the scan says).
    var key: OpenPGPSecretKey
    let trust: OpenPGPTrust
    let maxRatio: Int
    let fd: Int32
    let size: Int64

    init(input: String, keys: [OpenPGPSecretKey], trust: OpenPGPTrust, maxRatio: Int) throws(EnvelopeError) {
        guard let first = keys.first else { throw EnvelopeError(.badKey, "no OpenPGP secret key to open \(input) with") }
        self.input = input
        self.keys = keys
        self.key = first
        self.trust = trust
        self.maxRatio = max(1, maxRatio)
        guard !trust.pinned.isEmpty else {
            throw EnvelopeError(.badTrustConfiguration, "no OpenPGP certificate is pinned for partner \"\(trust.partnerName)\"")
        }
        let fd = Glibc.open(input, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw EnvelopeError(.missingFile, "message \(input) cannot be opened: \(errnoText())") }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw EnvelopeError(.missingFile, "message \(input) is not a regular file")
        }
        self.fd = fd
        size = Int64(st.st_size)
    }

    deinit { close(fd) }

    func open(to output: String, durable: Bool, progress: ((Int64) -> Void)? = nil) throws -> OpenResult {
        guard size > 0 else { throw EnvelopeError(.empty, "message \(input) is empty") }
        // Armour: de-armour into a private temporary file first; the binary is what we scan and decrypt.
        var binaryFD = fd
        var binarySize = size
        var sealedSHA256: String? = nil
        var dearmored: AtomicOutput? = nil
        if try isArmored() {
            try checkArmorEnd()
            let temporary = try dearmor(next: output)
            dearmored = temporary
            binaryFD = temporary.fd
            binarySize = temporary.bytesWritten
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw EnvelopeError(.io, "cannot rewind \(input): \(errnoText())") }
            sealedSHA256 = try SHA256Stream.file(fd: fd)
        }
        defer { dearmored?.discard() }

        let scan = try OpenPGPPacketScan.scan(fd: binaryFD, size: binarySize, name: input)

        // The first of our keys the message names; a wildcard recipient (id 0) tries the current key.
        guard let addressed = keys.first(where: { ours in scan.recipientKeyIDs.contains { ours.keyIDs.contains($0) } })
            ?? (scan.recipientKeyIDs.contains("0000000000000000") ? keys.first : nil)
        else {
            throw EnvelopeError(
                .notForUs,
                "\(input) is encrypted to key id(s) \(scan.recipientKeyIDs.joined(separator: ", ")), none of them ours (\(keys.map(\.shortName).joined(separator: ", ")))"
            )
        }
        key = addressed
        let ffi = try RNPFFI()
        ffi.setTime(UInt64(max(0, trust.now.timeIntervalSince1970)))
        _ = try key.load(into: ffi)
        for certificate in trust.pinned {
            _ = try ffi.importKeys(path: certificate.path, secret: false, what: "OpenPGP certificate")
        }

        guard lseek(binaryFD, 0, SEEK_SET) == 0 else { throw EnvelopeError(.io, "cannot rewind \(input): \(errnoText())") }
        let source = try RNPSource(fd: binaryFD)
        let sourceInput = try RNPInput(source: source)
        let staging = try AtomicOutput(path: output)
        let limit = binarySize.multipliedReportingOverflow(by: Int64(maxRatio))
        let sink = try RNPSink(destination: staging, limit: limit.overflow ? .max : limit.partialValue + (1 << 20))
        sink.progress = progress
        let sinkOutput = try RNPOutput(sink: sink)
        let op = try RNPVerifyOperation(ffi: ffi, input: sourceInput, output: sinkOutput)
        let rc = rnp_op_verify_execute(op.pointer)

        let signer = try judge(rc: rc, op: op, source: source, sink: sink, ffi: ffi)
        try sink.finish()
        try staging.commit(durable: durable)
        return OpenResult(
            signerSubject: signer.userID, signerFingerprint: signer.primaryFingerprint,
            plaintextSHA256: sink.finishDigest(), sealedSHA256: sealedSHA256 ?? source.finishDigest(),
            plaintextBytes: sink.bytesWritten, sealedBytes: size, warnings: [], decryptionKeyFingerprint: key.fingerprint
        )
    }

    /// Everything that must hold before the plaintext is released, in the order that gives the
    /// most specific reason. Returns the signing key.
    private func judge(rc: UInt32, op: RNPVerifyOperation, source: RNPSource, sink: RNPSink, ffi: RNPFFI) throws -> RNPKey {
        if sink.overLimit {
            throw EnvelopeError(
                .compressionRatio,
                "\(input) decompresses to more than \(maxRatio) times its size; refused as a compression bomb"
            )
        }
        if let error = sink.writeError { throw error }
        if source.failed { throw EnvelopeError(.io, "reading \(input) failed: \(errnoText())") }

        let protection = op.protection
        if rc != RNPResult.success && !op.decrypted {
            if rc == RNPResult.badPassword {
                throw EnvelopeError(.passphrase, "the passphrase does not unlock our key \(key.shortName)")
            }
            throw EnvelopeError(.notForUs, "\(input) cannot be decrypted with our key \(key.shortName) (\(RNPResult.name(rc)))")
        }
        if protection.mode == "cfb" || protection.mode == "none" {
            throw EnvelopeError(.unauthenticatedEncryption, "\(input) is encrypted without integrity protection (mode \(protection.mode))")
        }
        if protection.mode != "cfb-mdc" {
            throw EnvelopeError(.disallowedAlgorithm, "\(input) uses encryption mode \(protection.mode); only SEIPD v1 with MDC is accepted")
        }
        if !Envelope.openPGPCiphers.contains(protection.cipher) {
            throw EnvelopeError(.disallowedAlgorithm, "\(input) is encrypted with \(protection.cipher); only AES is accepted")
        }
        // The MDC is checked at the end of the content. A flipped bit garbles the content, so
        // librnp usually fails to parse it before reaching the MDC: any failure without a checked
        // MDC counts as altered content. (Content that is not a signed literal data message,
        // such as a detached signature alone, ends here too.)
        if rc == RNPResult.macInvalid || rc == RNPResult.decryptFailed || !protection.valid {
            throw EnvelopeError(
                .tagMismatch, "\(input): the integrity check (MDC) did not pass: the content was altered, or is not a signed literal data message (\(RNPResult.name(rc)))"
            )
        }

        let signatures = op.signatures
        if signatures.isEmpty {
            throw EnvelopeError(.unsigned, "\(input) is encrypted but not signed")
        }
        if signatures.count > 1 {
            throw EnvelopeError(.multipleSigners, "\(input) carries \(signatures.count) signatures; exactly one is accepted")
        }
        let signature = signatures[0]
        guard let signingKey = signature.key else {
            throw EnvelopeError(
                .untrustedSigner,
                "\(input) is signed by key id \(signature.keyID), which is not one of the \(trust.pinned.count) certificate(s) pinned for partner \"\(trust.partnerName)\""
            )
        }
        let primaryFingerprint = signingKey.primaryFingerprint
        guard trust.pinned.contains(where: { $0.fingerprint == primaryFingerprint }) else {
            throw EnvelopeError(
                .untrustedSigner,
                "\(input) is signed by key \(primaryFingerprint), which is not one of the \(trust.pinned.count) certificate(s) pinned for partner \"\(trust.partnerName)\""
            )
        }
        let primary = ffi.key(fingerprint: primaryFingerprint) ?? signingKey
        for k in [primary, signingKey] {
            if k.isRevoked { throw EnvelopeError(.revokedSigner, "\(input) is signed by key \(k.fingerprint), which is revoked") }
        }
        for k in [primary, signingKey] {
            if k.isExpired { throw EnvelopeError(.expiredSigner, "\(input) is signed by key \(k.fingerprint), which has expired") }
        }
        if !signingKey.allows("sign") {
            throw EnvelopeError(.signerKeyUsage, "\(input) is signed by key \(signingKey.fingerprint), which is not flagged for signing")
        }
        for k in [primary, signingKey] where ["RSA", "DSA", "ELGAMAL"].contains(k.algorithm) && k.bits < openPGPMinimumRSABits {
            throw EnvelopeError(
                .weakKey, "\(input) is signed by a \(k.bits)-bit \(k.algorithm) key (\(k.fingerprint)); at least \(openPGPMinimumRSABits) bits are required"
            )
        }
        if !Envelope.openPGPHashes.contains(signature.hash) {
            throw EnvelopeError(.disallowedAlgorithm, "\(input) is signed with \(signature.hash); SHA-256 or stronger is required")
        }
        guard signature.status == RNPResult.success else {
            throw EnvelopeError(.signatureInvalid, "\(input): the signature does not verify (\(RNPResult.name(signature.status)))")
        }
        guard rc == RNPResult.success else {
            if rc == RNPResult.write { throw EnvelopeError(.io, "writing the plaintext of \(input) failed") }
            throw EnvelopeError(.malformed, "\(input) cannot be read as an OpenPGP message (\(RNPResult.name(rc)))")
        }
        return signingKey
    }

    /// Whether the file starts (after blank space) with an ASCII armour line.
    private func isArmored() throws -> Bool {
        var head = [UInt8](repeating: 0, count: 128)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n >= 0 else { throw EnvelopeError(.io, "reading \(input) failed: \(errnoText())") }
        let text = head.prefix(n).drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        return text.starts(with: Array("-----BEGIN PGP ".utf8))
    }

    /// Requires the armour's `-----END PGP MESSAGE-----` line and nothing but blank space after
    /// it: `rnp_dearmor` reads the first armoured block only and would ignore a second message
    /// or trailing text. The base64 body cannot hold a `-`, so the first END line is the block's.
    private func checkArmorEnd() throws {
        let marker = Array("-----END PGP MESSAGE-----".utf8)
        let blockSize = 1 << 20
        var block = [UInt8](repeating: 0, count: blockSize + marker.count)
        var carried = 0
        var offset: Int64 = 0
        var found = false
        while true {
            let n = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + carried, blockSize, off_t(offset)) }
            guard n >= 0 else { throw EnvelopeError(.io, "reading \(input) failed: \(errnoText())") }
            offset += Int64(n)
            let window = block[0..<(carried + n)]
            var rest = window[...]
            if !found, let hit = firstRange(of: marker, in: window) {
                found = true
                rest = window[hit.upperBound...]
                // The END line itself may continue up to its newline.
                if let newline = rest.firstIndex(of: 0x0A) {
                    rest = rest[rest.index(after: newline)...]
                } else {
                    rest = rest[rest.endIndex...]
                }
            }
            if found, let junk = rest.first(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A) }) {
                _ = junk
                throw EnvelopeError(.trailingData, "\(input): text follows the armoured message's END line; refusing the whole file")
            }
            if n == 0 { break }
            // Keep the tail, so a marker split across two reads is still found.
            carried = found ? 0 : min(marker.count - 1, carried + n)
            if carried > 0 { block.replaceSubrange(0..<carried, with: window.suffix(carried)) }
        }
        if !found {
            throw EnvelopeError(.truncated, "\(input): the armoured message has no END line; it was cut short")
        }
    }

    /// The first occurrence of `marker` in `bytes`, as indices of `bytes`.
    private func firstRange(of marker: [UInt8], in bytes: ArraySlice<UInt8>) -> Range<Int>? {
        var from = bytes.startIndex
        while let i = bytes[from...].firstIndex(of: marker[0]) {
            guard i + marker.count <= bytes.endIndex else { return nil }
            if bytes[i..<(i + marker.count)].elementsEqual(marker) { return i..<(i + marker.count) }
            from = i + 1
        }
        return nil
    }

    /// De-armours the input (`rnp_dearmor`) into a private temporary file next to `output`.
    private func dearmor(next output: String) throws -> AtomicOutput {
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw EnvelopeError(.io, "cannot rewind \(input): \(errnoText())") }
        let source = try RNPSource(fd: fd)
        let sourceInput = try RNPInput(source: source)
        let temporary = try AtomicOutput(path: output + ".dearmored")
        // The binary is never larger than its armour.
        let sink = try RNPSink(destination: temporary, limit: size)
        let sinkOutput = try RNPOutput(sink: sink)
        let rc = rnp_dearmor(sourceInput.pointer, sinkOutput.pointer)
        if let error = sink.writeError { throw error }
        guard rc == RNPResult.success else {
            throw EnvelopeError(.malformed, "\(input): the ASCII armour cannot be read (\(RNPResult.name(rc)))")
        }
        try sink.finish()
        try temporary.flush()
        return temporary
    }
}

/// An `rnp_op_verify_t`, destroyed with `rnp_op_verify_destroy`; keeps its key store, input and output alive.
final class RNPVerifyOperation {
    let pointer: OpaquePointer
    let ffi: RNPFFI
    private let input: RNPInput
    private let output: RNPOutput

    init(ffi: RNPFFI, input: RNPInput, output: RNPOutput) throws(EnvelopeError) {
        var op: OpaquePointer? = nil
        let rc = rnp_op_verify_create(&op, ffi.pointer, input.pointer, output.pointer)
        guard rc == RNPResult.success, let op else {
            throw EnvelopeError(.openssl, "rnp_op_verify_create failed: \(RNPResult.name(rc))")
        }
        pointer = op
        self.ffi = ffi
        self.input = input
        self.output = output
    }

    deinit { rnp_op_verify_destroy(pointer) }

    /// `rnp_op_verify_get_protection_info`: mode (`none`, `cfb`, `cfb-mdc`, `aead-ocb`, `aead-eax`),
    /// cipher and whether the integrity protection checked out.
    var protection: (mode: String, cipher: String, valid: Bool) {
        var mode: UnsafeMutablePointer<CChar>? = nil
        var cipher: UnsafeMutablePointer<CChar>? = nil
        var valid = false
        _ = rnp_op_verify_get_protection_info(pointer, &mode, &cipher, &valid)
        return (rnpTakeString(mode) ?? "none", rnpTakeString(cipher) ?? "none", valid)
    }

    /// Whether one of our keys decrypted the session key (`rnp_op_verify_get_used_recipient`).
    var decrypted: Bool {
        var recipient: OpaquePointer? = nil
        return rnp_op_verify_get_used_recipient(pointer, &recipient) == RNPResult.success && recipient != nil
    }

    /// The signatures found, with their status, hash and key.
    var signatures: [RNPVerifiedSignature] {
        var count = 0
        guard rnp_op_verify_get_signature_count(pointer, &count) == RNPResult.success else { return [] }
        return (0..<count).compactMap { i in
            var sig: OpaquePointer? = nil
            guard rnp_op_verify_get_signature_at(pointer, i, &sig) == RNPResult.success, let sig else { return nil }
            let status = rnp_op_verify_signature_get_status(sig)
            let hash = rnpString { rnp_op_verify_signature_get_hash(sig, $0) } ?? "unknown"
            var keyHandle: OpaquePointer? = nil
            let key: RNPKey? =
                if rnp_op_verify_signature_get_key(sig, &keyHandle) == RNPResult.success, let keyHandle {
                    RNPKey(owning: keyHandle, in: ffi)
                } else {
                    nil
                }
            var keyID = "unknown"
            var handle: OpaquePointer? = nil
            if rnp_op_verify_signature_get_handle(sig, &handle) == RNPResult.success, let handle {
                keyID = rnpString { rnp_signature_get_keyid(handle, $0) } ?? "unknown"
                rnp_signature_handle_destroy(handle)
            }
            return RNPVerifiedSignature(status: status, hash: hash.uppercased(), key: key, keyID: keyID)
        }
    }
}

/// One signature of a verified message (valid while its operation lives).
struct RNPVerifiedSignature {
    let status: UInt32
    let hash: String
    let key: RNPKey?
    let keyID: String
}
