internal import COpenSSL

/// Decrypts a ciphertext stream chunk by chunk with the `EVP_CIPHER_CTX` that `CMS_dataInit`
/// prepared (key unwrapped, IV and, for GCM, the expected tag set). At the end it calls
/// `EVP_DecryptFinal_ex`, which checks the GCM tag (or the CBC padding).
final class DecryptingSource: ByteSource {
    private let ciphertext: any ByteSource
    private let context: OpaquePointer
    private var input: UnsafeMutableRawBufferPointer
    private var finished = false
    /// Set once the final block checked out.
    private(set) var verified = false
    /// Ciphertext bytes consumed.
    private(set) var consumed: Int64 = 0

    /// - Parameters:
    ///   - ciphertext: the encrypted content bytes.
    ///   - context: the cipher context, owned by the BIO chain the caller keeps alive.
    init(ciphertext: any ByteSource, context: OpaquePointer, chunkSize: Int = 1 << 20) {
        self.ciphertext = ciphertext
        self.context = context
        self.input = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
    }

    deinit {
        input.initializeMemory(as: UInt8.self, repeating: 0)
        input.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while !finished {
            // Leave room for one block of output beyond the input (CBC may release a held block).
            let room = buffer.count - 32
            guard room > 0 else { throw EnvelopeError(.openssl, "decryption buffer too small") }
            let want = min(room, input.count)
            // Gather a large piece: the content may arrive in small BER chunks.
            var n = 0
            var ended = false
            while n < want {
                let got = try ciphertext.read(into: UnsafeMutableRawBufferPointer(rebasing: input[n..<want]))
                if got == 0 {
                    ended = true
                    break
                }
                n += got
            }
            var outLength: Int32 = 0
            if n > 0 {
                consumed += Int64(n)
                let ok = EVP_DecryptUpdate(
                    context, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), &outLength,
                    input.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(n)
                )
                if ok != 1 { throw EnvelopeError.fromOpenSSL(.openssl, "EVP_DecryptUpdate failed") }
                // At the end, return this output first; the next call finds no more input.
                if outLength > 0 { return Int(outLength) }
            }
            if ended {
                finished = true
                OpenSSLErrorQueue.clear()
                let ok = EVP_DecryptFinal_ex(context, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), &outLength)
                if ok != 1 {
                    throw EnvelopeError.fromOpenSSL(
                        .tagMismatch,
                        "the authentication tag does not match: the encrypted content or its tag was altered or cut short"
                    )
                }
                verified = true
                return Int(outLength)
            }
        }
        return 0
    }

    /// Decrypts and discards whatever is left, to learn whether the tag checks out.
    func drainAndCheck() -> Bool {
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        do {
            while try scratch.withUnsafeMutableBytes({ try read(into: $0) }) > 0 {}
        } catch {
            return false
        }
        return verified
    }
}
