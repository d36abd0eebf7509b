#if canImport(Glibc)
import Glibc
#endif

/// Something bytes are pulled from: a file, an OCTET STRING's contents, a decryptor.
protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes; returns 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Skips `count` bytes; returns how many were skipped (fewer only at the end).
    func skip(_ count: Int64) throws -> Int64
}

extension ByteSource {
    func skip(_ count: Int64) throws -> Int64 {
        var scratch = [UInt8](repeating: 0, count: 64 << 10)
        var done: Int64 = 0
        while done < count {
            let want = Int(min(Int64(scratch.count), count - done))
            let n = try scratch.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            if n == 0 { break }
            done += Int64(n)
        }
        return done
    }
}

/// A file read with `pread`, from a start offset, seekable.
final class FileSource: ByteSource {
    let fd: Int32
    let size: Int64
    private(set) var position: Int64

    init(fd: Int32, size: Int64, position: Int64 = 0) {
        self.fd = fd
        self.size = size
        self.position = position
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            let n = pread(fd, buffer.baseAddress, buffer.count, off_t(position))
            if n < 0 {
                if errno == EINTR { continue }
                throw EnvelopeError(.io, "reading the envelope failed at byte \(position): \(errnoText())")
            }
            position += Int64(n)
            return n
        }
    }

    func skip(_ count: Int64) throws -> Int64 {
        let step = max(0, min(count, size - position))
        position += step
        return step
    }
}
