import ARLinkCore
import ARLinkEnvelope
#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 of a local file's bytes (the claim key of a received file), through OpenSSL.
enum FileDigest {
    static func sha256(path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw InboundError(.io, "cannot open \(path) to hash it (\(LocalIO.describe(errno)))") }
        defer { close(fd) }
        let sha = try StreamingSHA256()  // OpenSSL's SHA-256: about 6x the pure-Swift one
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw InboundError(.io, "cannot read \(path) (\(LocalIO.describe(errno)))")
            }
            if n == 0 { break }
            sha.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return sha.finalizeHex()
    }
}
