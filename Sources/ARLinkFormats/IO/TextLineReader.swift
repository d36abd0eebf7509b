import ARLinkCore
import ARLinkSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a portfolio file line by line in chunks (JSON Lines), with a cap on line length.
/// A line's bytes are valid only inside the closure given to ``next(_:)``; `\r\n` endings
/// lose their `\r`.
final class TextLineReader {
    let displayName: String
    private let fd: Int32
    /// The file read (named in read errors).
    private let path: String
    private let chunk: Int
    private let maxLine: Int
    /// Bytes read and not yet returned are `buffer[pos..<buffer.count]`.
    private var buffer: [UInt8] = []
    private var pos = 0
    /// Where the search for the next line break resumes (everything before it was searched).
    private var searched = 0
    private var offset: Int64 = 0
    private var eof = false
    /// The 1-based number of the line last returned.
    private(set) var line = 0
    /// Whether the line last returned ended with a line break (false for a cut last line).
    private(set) var hadLineEnd = true

    init(path: String, maxLineBytes: Int = 16 << 20, chunkSize: Int = 1 << 20) throws {
        displayName = Location.displayName(path)
        self.path = path
        let fd = Syscall.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            let reason = code == ENOENT ? "does not exist" : "cannot be opened (\(LocalIO.describe(code)))"
            throw FormatError(.unreadable, "\(Location.displayName(path)) \(reason)")
        }
        self.fd = fd
        maxLine = maxLineBytes
        chunk = max(1, chunkSize)
    }

    deinit {
        close(fd)
    }

    /// The next line's bytes (without the line end), or nil at the end of the file.
    func next<R>(_ body: (Span<UInt8>) throws -> R) throws -> R? {
        while true {
            if let nl = buffer[searched...].firstIndex(of: 10) {
                var e = nl
                if e > pos && buffer[e - 1] == 13 { e -= 1 }
                line += 1
                hadLineEnd = true
                let start = pos
                pos = nl + 1
                searched = pos
                let bytes = buffer
                return try body(bytes.span.extracting(start..<e))
            }
            searched = buffer.count
            if eof {
                guard pos < buffer.count else { return nil }
                line += 1
                hadLineEnd = false
                let start = pos
                pos = buffer.count
                searched = pos
                let bytes = buffer
                return try body(bytes.span.extracting(start..<bytes.count))
            }
            if buffer.count - pos > maxLine {
                throw FormatError(.lineTooLong, "\(displayName) line \(Location.grouped(line + 1)) is longer than the cap of \(maxLine) bytes")
            }
            if pos > 0 {
                buffer.removeFirst(pos)
                searched -= pos
                pos = 0
            }
            guard let bytes = Syscall.pread(fd, count: chunk, at: offset) else {
                let code = errno
                throw FormatError(LocalIO.isStorageFault(code) ? .readFailed : .unreadable, "\(path) cannot be read (\(LocalIO.describe(code)))")
            }
            if bytes.isEmpty { eof = true } else {
                buffer.append(contentsOf: bytes)
                offset += Int64(bytes.count)
            }
        }
    }
}
