import ARLinkCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a portfolio file line by line in chunks (JSON Lines), with a cap on line length.
/// A line's bytes are valid until the next call; `\r\n` endings lose their `\r`.
final class TextLineReader {
    let displayName: String
    private let fd: Int32
    private let buffer: UnsafeMutablePointer<UInt8>
    /// The file read (named in read errors).
    private let path: String
    private let capacity: Int
    private let chunk: Int
    private let maxLine: Int
    private var pos = 0
    private var end = 0
    private var eof = false
    /// The 1-based number of the line last returned.
    private(set) var line = 0
    /// Whether the line last returned ended with a line break (false for a cut last line).
    private(set) var hadLineEnd = true

    init(path: String, maxLineBytes: Int = 16 << 20, chunkSize: Int = 1 << 20) throws {
        displayName = Location.displayName(path)
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = errno == ENOENT ? "does not exist" : "cannot be opened (\(String(cString: strerror(errno))))"
            throw FormatError(.unreadable, "\(Location.displayName(path)) \(reason)")
        }
        self.fd = fd
        maxLine = maxLineBytes
        chunk = max(1, chunkSize)
        capacity = maxLineBytes + chunk + 1
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// The next line's bytes (without the line end), or nil at the end of the file.
    func next<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R? {
        while true {
            if let nl = memchr(buffer + pos, 10, end - pos) {
                let at = buffer.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                var e = at
                if e > pos && buffer[e - 1] == 13 { e -= 1 }
                line += 1
                hadLineEnd = true
                let start = pos
                pos = at + 1
                return try body(UnsafeBufferPointer(start: buffer + start, count: e - start))
            }
            if eof {
                guard pos < end else { return nil }
                line += 1
                hadLineEnd = false
                let start = pos
                pos = end
                return try body(UnsafeBufferPointer(start: buffer + start, count: end - start))
            }
            if end - pos > maxLine {
                throw FormatError(.lineTooLong, "\(displayName) line \(Location.grouped(line + 1)) is longer than the cap of \(maxLine) bytes")
            }
            if pos > 0 {
                if end > pos { memmove(buffer, buffer + pos, end - pos) }
                end -= pos
                pos = 0
            }
            let n = read(fd, buffer + end, min(chunk, capacity - end))
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                throw FormatError(LocalIO.isStorageFault(code) ? .readFailed : .unreadable, "\(path) cannot be read (\(LocalIO.describe(code)))")
            }
            if n == 0 { eof = true } else { end += n }
        }
    }
}
