import ARLinkCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an exchange file line by line in 1 MiB chunks with a cap on line length; a line's
/// bytes are valid until the next call. Does not follow symbolic links.
final class RecordLineReader {
    let fd: Int32
    let maxLine: Int
    let name: String
    private var buffer: UnsafeMutableBufferPointer<UInt8>
    private var start = 0
    private var end = 0
    private var scanFrom = 0
    private var eof = false
    /// The 1-based number of the line last returned.
    private(set) var line = 0

    init(path: String, maxLine: Int, name: String, chunk: Int = 1 << 20) throws(FeedbackError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw FeedbackError(.unreadable, "\(name) cannot be opened (\(LocalIO.describe(errno)))") }
        self.fd = fd
        self.maxLine = maxLine
        self.name = name
        buffer = .allocate(capacity: chunk + maxLine + 2)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// The next line without its line end (a trailing `\r` is dropped too), nil at the end.
    func next<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R? {
        guard let slice = try nextLine() else { return nil }
        return try body(slice)
    }

    /// The bytes of the next line without its line end (a trailing `\r` is dropped too), nil
    /// at the end; valid until the next call.
    func nextLine() throws(FeedbackError) -> UnsafeBufferPointer<UInt8>? {
        guard let base = buffer.baseAddress else { return nil }
        while true {
            let from = max(start, scanFrom)
            if from < end, let hit = memchr(base + from, 0x0A, end - from) {
                let newline = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                line += 1
                var lineEnd = newline
                if lineEnd > start, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                guard lineEnd - start <= maxLine else {
                    throw FeedbackError(.lineTooLong, "\(name) line \(line) is longer than the cap of \(maxLine) bytes", lineNumber: line)
                }
                let slice = UnsafeBufferPointer(rebasing: buffer[start..<lineEnd])
                start = newline + 1
                scanFrom = start
                return slice
            }
            scanFrom = end
            if end - start > maxLine {
                throw FeedbackError(.lineTooLong, "\(name) line \(line + 1) is longer than the cap of \(maxLine) bytes", lineNumber: line + 1)
            }
            if eof {
                guard end > start else { return nil }
                line += 1
                let slice = UnsafeBufferPointer(rebasing: buffer[start..<end])
                start = end
                return slice
            }
            if start > 0 {
                if end > start { memmove(base, base + start, end - start) }
                scanFrom -= start
                end -= start
                start = 0
            }
            let n = read(fd, base + end, buffer.count - end)
            if n < 0 {
                if errno == EINTR { continue }
                throw FeedbackError(.unreadable, "\(name) cannot be read (\(LocalIO.describe(errno)))")
            }
            if n == 0 { eof = true } else { end += n }
        }
    }
}
