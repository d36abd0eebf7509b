#if canImport(Glibc)
import Glibc
#endif

extension Syscall {
    /// `read(2)` of up to `count` bytes into `buffer` from index `at` (which must leave room
    /// for them), repeated on `EINTR`.
    /// - Returns: the bytes read (0 at the end of the file), or -1 with ``Errno/current`` set.
    public static func read(_ fd: Int32, into buffer: inout [UInt8], at start: Int, count: Int) -> Int {
        precondition(start >= 0 && count >= 0 && start + count <= buffer.count, "read past the end of the buffer")
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + start, count) }
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    /// `lseek(2)` to `offset` from the start of the file.
    /// - Returns: false when the seek failed.
    public static func seek(_ fd: Int32, to offset: Int64) -> Bool {
        Glibc.lseek(fd, off_t(offset), SEEK_SET) == offset
    }

    /// `close(2)`.
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
