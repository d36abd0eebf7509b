internal import COpenSSL
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Incremental SHA-256 over `EVP_DigestUpdate`.
final class SHA256Stream {
    private let context: OpaquePointer

    /// - Parameter algorithm: `SHA256` (default), `SHA384` or `SHA512`.
    init(algorithm: String = "SHA256") throws {
        guard let context = EVP_MD_CTX_new() else { throw EnvelopeError.fromOpenSSL(.openssl, "EVP_MD_CTX_new failed") }
        self.context = context
        let md: OpaquePointer? =
            switch algorithm {
            case "SHA384": EVP_sha384()
            case "SHA512": EVP_sha512()
            default: EVP_sha256()
            }
        guard EVP_DigestInit_ex(context, md, nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw EnvelopeError.fromOpenSSL(.openssl, "EVP_DigestInit_ex failed")
        }
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    /// Lowercase hex digest.
    func finish() -> String { Hex.encode(finishBytes()) }

    /// The digest bytes.
    func finishBytes() -> [UInt8] {
        var md = [UInt8](repeating: 0, count: 64)
        var len: UInt32 = 0
        EVP_DigestFinal_ex(context, &md, &len)
        return Array(md.prefix(Int(len)))
    }

    /// Hashes a whole file through 1 MiB reads.
    static func file(fd: Int32) throws -> String { Hex.encode(try file(fd: fd, algorithm: "SHA256")) }

    /// Hashes a whole file with `algorithm` through 1 MiB reads.
    static func file(fd: Int32, algorithm: String, bufferSize: Int = 1 << 20) throws -> [UInt8] {
        let hasher = try SHA256Stream(algorithm: algorithm)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var offset: off_t = 0
        while true {
            let n = pread(fd, buffer.baseAddress, buffer.count, offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw EnvelopeError(.io, "reading for the SHA-256 failed: \(errnoText())")
            }
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            offset += off_t(n)
        }
        return hasher.finishBytes()
    }
}

/// Computes a file's SHA-256 on another thread while the caller does other work (the second
/// core hashes the sealed bytes while the first decrypts).
final class BackgroundFileDigest: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<String, EnvelopeError>?

    /// Starts hashing `fd` (which must stay open until ``wait()`` returns); files under 4 MiB
    /// are hashed at once on the calling thread, where a thread would cost more than it saves.
    init(fd: Int32, size: Int64) {
        if size < 4 << 20 {
            do { result = .success(Hex.encode(try SHA256Stream.file(fd: fd, algorithm: "SHA256", bufferSize: 64 << 10))) } catch let error as EnvelopeError {
                result = .failure(error)
            } catch { result = .failure(EnvelopeError(.io, "hashing failed")) }
            return
        }
        let thread = Thread { [self] in
            let outcome: Result<String, EnvelopeError>
            do { outcome = .success(try SHA256Stream.file(fd: fd)) } catch let error as EnvelopeError {
                outcome = .failure(error)
            } catch { outcome = .failure(EnvelopeError(.io, "hashing failed")) }
            condition.lock()
            result = outcome
            condition.broadcast()
            condition.unlock()
        }
        thread.start()
    }

    /// Waits for the digest.
    func wait() throws -> String {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return try result!.get()
    }
}
