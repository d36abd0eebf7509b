internal import COpenSSL

/// Encrypts with the AES-256-GCM context `CMS_dataInit` prepared for the AuthEnvelopedData and
/// writes each encrypted piece as one OCTET STRING chunk of the indefinite-length
/// `encryptedContent`, through the hashing output. Used by one thread at a time.
final class EncryptingWriter: @unchecked Sendable {
    private let context: OpaquePointer
    private let output: AtomicOutput
    let hasher: SHA256Stream
    private var cipher: UnsafeMutableRawBufferPointer
    private var used = 0
    /// The first failure on the encrypting thread.
    var failure: (any Error)?

    init(context: OpaquePointer, output: AtomicOutput, capacity: Int) throws {
        self.context = context
        self.output = output
        hasher = try SHA256Stream()
        cipher = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity + 64, alignment: 16)
    }

    deinit { cipher.deallocate() }

    /// Writes bytes outside the encryption (the envelope's own framing).
    func writeFraming(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try emit($0) }
    }

    /// Encrypts `plain` into the pending chunk (call ``flushChunk()`` to write it).
    func encrypt(_ plain: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < plain.count {
            let room = cipher.count - 64 - used
            if room <= 0 {
                try flushChunk()
                continue
            }
            let n = min(room, plain.count - offset)
            var outLength: Int32 = 0
            guard EVP_EncryptUpdate(
                context, cipher.baseAddress!.assumingMemoryBound(to: UInt8.self) + used, &outLength,
                plain.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset, Int32(n)) == 1
            else { throw EnvelopeError.fromOpenSSL(.openssl, "EVP_EncryptUpdate failed") }
            used += Int(outLength)
            offset += n
        }
    }

    func encrypt(_ plain: [UInt8]) throws { try plain.withUnsafeBytes { try encrypt($0) } }

    /// Writes the pending ciphertext as one OCTET STRING chunk.
    func flushChunk() throws {
        guard used > 0 else { return }
        try writeFraming([0x04] + DER.length(used))
        try emit(UnsafeRawBufferPointer(rebasing: cipher[0..<used]))
        used = 0
    }

    /// `EVP_EncryptFinal_ex` (GCM computes the tag), then writes the last chunk.
    func finish() throws {
        var outLength: Int32 = 0
        guard EVP_EncryptFinal_ex(context, cipher.baseAddress!.assumingMemoryBound(to: UInt8.self) + used, &outLength) == 1 else {
            throw EnvelopeError.fromOpenSSL(.openssl, "EVP_EncryptFinal_ex failed")
        }
        used += Int(outLength)
        try flushChunk()
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        try output.write(bytes)
    }
}
