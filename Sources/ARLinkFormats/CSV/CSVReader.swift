import ARLinkCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming RFC 4180 reader that works on bytes.
///
/// Reads the file in chunks (``CSVOptions/chunkSize``, 1 MiB by default) into one buffer and
/// hands out each record's fields as byte ranges inside it; a `String` is made only for the
/// fields a caller keeps. Memory is bounded by `maxRecordBytes + chunkSize` whatever the file
/// size. Quoted fields, doubled quotes, delimiters and line breaks inside quotes, CRLF, LF and
/// lone CR line ends are handled; a UTF-8 byte-order mark is skipped; UTF-16 files are refused.
///
/// Benchmark that justified writing our own (design section 8): see `arlink-bench csv`.
///
/// A record's fields are valid until the next call to ``nextRecord()``.
public final class CSVReader {
    /// The file's display name in messages (last path component).
    public let displayName: String
    /// Delimiter, chunk size and caps.
    public let options: CSVOptions

    /// The physical line (1-based) where the current record starts.
    public var line: Int { st.pointee.line }
    /// Fields in the current record.
    public var fieldCount: Int { st.pointee.fieldCount }
    /// False when the current record was ended by the end of the file rather than a line break.
    public var recordHasLineEnd: Bool { st.pointee.hasLineEnd }
    /// Bytes read from the file so far.
    public var bytesRead: Int64 { st.pointee.bytesRead }

    /// Mutable state behind a pointer: class stored `var`s pay a dynamic exclusivity check on
    /// every access, which cost about 7% of the extract read.
    private struct State {
        var line = 0
        var fieldCount = 0
        var hasLineEnd = true
        var bytesRead: Int64 = 0
        var pos = 0
        var end = 0
        var eof = false
        var nextLine = 1
        var started = false
        /// Bytes this reader may still read (a range's end), `Int64.max` for the whole file.
        var remaining = Int64.max
        /// The end of data is the range's end, not the file's: a record cut there is not a record.
        var softLimited = false
    }

    private let fd: Int32
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private let st: UnsafeMutablePointer<State>
    private var pos: Int { get { st.pointee.pos } set { st.pointee.pos = newValue } }
    private var end: Int { get { st.pointee.end } set { st.pointee.end = newValue } }
    private var eof: Bool { get { st.pointee.eof } set { st.pointee.eof = newValue } }
    private var nextLine: Int { get { st.pointee.nextLine } set { st.pointee.nextLine = newValue } }
    private var started: Bool { get { st.pointee.started } set { st.pointee.started = newValue } }
    private let starts: UnsafeMutablePointer<Int>
    private let ends: UnsafeMutablePointer<Int>
    private let escaped: UnsafeMutablePointer<Bool>
    private let scratch: UnsafeMutablePointer<[UInt8]>

    /// The file read (named in read errors).
    private let path: String
    private static let quote = UInt8(ascii: "\"")
    private static let lf: UInt8 = 10
    private static let cr: UInt8 = 13

    /// Opens `path` for reading.
    /// - Throws: ``FormatError/Code/unreadable`` when the file is missing or cannot be opened.
    public init(path: String, options: CSVOptions = CSVOptions()) throws {
        self.displayName = Location.displayName(path)
        self.path = path
        self.options = options
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = errno == ENOENT ? "does not exist" : "cannot be opened (\(String(cString: strerror(errno))))"
            throw FormatError(.unreadable, "\(Location.displayName(path)) \(reason): check the extract path (\(path))")
        }
        self.fd = fd
        capacity = options.maxRecordBytes + options.chunkSize + 1
        buffer = .allocate(capacity: capacity)
        starts = .allocate(capacity: options.maxFields + 1)
        ends = .allocate(capacity: options.maxFields + 1)
        escaped = .allocate(capacity: options.maxFields + 1)
        scratch = .allocate(capacity: 1)
        scratch.initialize(to: [])
        st = .allocate(capacity: 1)
        st.initialize(to: State())
    }

    /// Opens `path` to read only the byte range `start..<start+length` (to the end of the file
    /// when `length` is `Int64.max`), for a parallel pass.
    ///
    /// The range must start at the beginning of a record (after a line break); its lines are
    /// numbered from `firstLine`. When the range does not end at a record boundary,
    /// ``nextRecord()`` throws ``RangeNotAtRecordBoundary``; ``extendToEndOfFile()`` then lets
    /// the reader continue past the range.
    convenience init(path: String, options: CSVOptions, start: Int64, length: Int64, firstLine: Int) throws {
        try self.init(path: path, options: options)
        if start > 0 {
            guard lseek(fd, off_t(start), SEEK_SET) == start else {
                throw FormatError(.unreadable, "\(displayName) cannot be read (seek failed: \(String(cString: strerror(errno))))")
            }
            st.pointee.started = true
        }
        st.pointee.nextLine = firstLine
        st.pointee.remaining = length
        st.pointee.softLimited = length != Int64.max
    }

    /// Lifts a range's end: the reader goes on to the end of the file.
    func extendToEndOfFile() {
        st.pointee.remaining = Int64.max
        st.pointee.softLimited = false
        st.pointee.eof = false
    }

    /// The line number the next record would start on.
    var upcomingLine: Int { st.pointee.nextLine }

    /// Thrown when a range read ends in the middle of a record (the split guessed wrong).
    struct RangeNotAtRecordBoundary: Error {}

    deinit {
        close(fd)
        buffer.deallocate()
        starts.deallocate()
        ends.deallocate()
        escaped.deallocate()
        scratch.deinitialize(count: 1)
        scratch.deallocate()
        st.deinitialize(count: 1)
        st.deallocate()
    }

    // MARK: - Records

    /// Advances to the next non-blank record.
    /// - Returns: false at the end of the file.
    /// - Throws: ``FormatError`` for an unreadable or UTF-16 file, an unterminated or malformed
    ///   quoted field, a truncated last line, a record over the length or field-count cap.
    public func nextRecord() throws -> Bool {
        if !started { try start() }
        while true {
            if pos >= end && eof { return false }
            let recordStart = pos
            let soft = st.pointee.softLimited
            switch try parseRecord(atEOF: eof && !soft) {
            case .complete(let next, let newlines):
                if next - recordStart > options.maxRecordBytes {
                    throw FormatError(.lineTooLong, "\(Location.describe(file: displayName, line: nextLine)): the line is longer than the cap of \(options.maxRecordBytes) bytes (expected one record per line; raise the cap only for a trusted extract)")
                }
                st.pointee.line = nextLine
                nextLine += newlines
                pos = next
                // A bare line break is not a record (an empty quoted field "" is a value).
                if fieldCount == 1 && starts[0] == ends[0] && starts[0] == recordStart { continue }
                return true
            case .incomplete(let inQuote, let quoteLine):
                if eof && soft { throw RangeNotAtRecordBoundary() }
                if end - pos > options.maxRecordBytes {
                    if inQuote {
                        throw FormatError(.unterminatedQuote, "\(Location.describe(file: displayName, line: quoteLine)): a quoted field opened here is not closed within \(options.maxRecordBytes) bytes (a stray '\"'? expected a closing quote before the line end)")
                    }
                    throw FormatError(.lineTooLong, "\(Location.describe(file: displayName, line: nextLine)): the line is longer than the cap of \(options.maxRecordBytes) bytes (expected one record per line; raise the cap only for a trusted extract)")
                }
                try fill()
            }
        }
    }

    /// The bytes of field `index` (quotes removed, doubled quotes undone), valid inside `body`.
    @inline(__always)
    public func withField<R, E: Error>(_ index: Int, _ body: (Span<UInt8>) throws(E) -> R) throws(E) -> R {
        guard index >= 0, index < fieldCount else { return try body(Span()) }
        let s = starts[index]
        let e = ends[index]
        if !escaped[index] {
            let field = UnsafeBufferPointer(start: buffer + s, count: e - s)
            return try body(field.span)
        }
        scratch.pointee.removeAll(keepingCapacity: true)
        var i = s
        while i < e {
            let b = buffer[i]
            scratch.pointee.append(b)
            i += (b == Self.quote && i + 1 < e && buffer[i + 1] == Self.quote) ? 2 : 1
        }
        let unescaped = scratch.pointee
        return try body(unescaped.span)
    }

    /// Whether field `index` is empty or absent.
    @inline(__always)
    public func isEmpty(_ index: Int) -> Bool {
        index < 0 || index >= fieldCount || starts[index] == ends[index]
    }

    /// Field `index` as a validated UTF-8 string, surrounding spaces trimmed unless `trim` is false.
    /// - Parameter column: the column's name, for the error message.
    /// - Throws: ``FormatError/Code/notUTF8`` naming the line and column (never the value).
    public func string(_ index: Int, column: String, trim: Bool = true) throws -> String {
        let text: String? = withField(index) { raw in
            guard let valid = try? UTF8Span(validating: raw.extracting(trim ? Self.trimmedBounds(raw) : 0..<raw.count)) else { return nil }
            return String(copying: valid)
        }
        guard let text else {
            throw FormatError(.notUTF8, "\(Location.describe(file: displayName, line: line, column: column)): the value is not valid UTF-8 (expected a UTF-8 export; convert the file, e.g. iconv -f WINDOWS-1252 -t UTF-8)")
        }
        return text
    }

    /// Reads the header line: the column names, trimmed.
    /// - Throws: ``FormatError/Code/emptyFile`` when there is no line at all,
    ///   ``FormatError/Code/wrongDelimiter`` when the header is one column holding another delimiter.
    public func readHeader() throws -> [String] {
        guard try nextRecord() else {
            throw FormatError(.emptyFile, "\(displayName) is empty (expected a header line with column names, then one line per record)")
        }
        var names: [String] = []
        names.reserveCapacity(fieldCount)
        for i in 0..<fieldCount { names.append(try string(i, column: "header")) }
        if names.count == 1 {
            for candidate in [UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: "|")] where candidate != options.delimiter {
                if names[0].utf8.contains(candidate) {
                    throw FormatError(.wrongDelimiter, "\(displayName) line \(Location.grouped(line)): the header is a single column containing \(CSVOptions.name(of: candidate)), so the file looks separated by \(CSVOptions.name(of: candidate)) but \(CSVOptions.name(of: options.delimiter)) is configured (set the extract's delimiter)")
                }
            }
        }
        return names
    }

    /// The bounds of `raw` without leading and trailing spaces and tabs (for
    /// `raw.extracting(_:)`).
    @inline(__always)
    static func trimmedBounds(_ raw: Span<UInt8>) -> Range<Int> {
        var s = 0
        var e = raw.count
        while s < e, raw[s] == 32 || raw[s] == 9 { s += 1 }
        while e > s, raw[e - 1] == 32 || raw[e - 1] == 9 { e -= 1 }
        return s..<e
    }

    // MARK: - Reading

    private func start() throws {
        // Read until at least 4 bytes or the end, to see byte-order marks.
        while end < 4 && !eof { try readMore() }
        if end >= 2 && ((buffer[0] == 0xFF && buffer[1] == 0xFE) || (buffer[0] == 0xFE && buffer[1] == 0xFF)) {
            throw utf16Error("starts with a UTF-16 byte-order mark")
        }
        if end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { pos = 3 }
        try checkNUL(from: pos)
        started = true
    }

    private func utf16Error(_ why: String) -> FormatError {
        FormatError(.utf16, "\(displayName) \(why): it is UTF-16, not UTF-8 (export as UTF-8 CSV, or convert with iconv -f UTF-16 -t UTF-8)")
    }

    private func checkNUL(from: Int) throws {
        guard from < end, memchr(buffer + from, 0, end - from) != nil else { return }
        throw utf16Error("contains NUL bytes")
    }

    /// Moves the unread tail to the front and reads more.
    private func fill() throws {
        if pos > 0 {
            let remaining = end - pos
            if remaining > 0 { memmove(buffer, buffer + pos, remaining) }
            end = remaining
            pos = 0
        }
        try readMore()
    }

    private func readMore() throws {
        let remaining = st.pointee.remaining
        if remaining <= 0 { eof = true; return }
        let room = Int(min(Int64(min(options.chunkSize, capacity - end)), remaining))
        guard room > 0 else { return }
        while true {
            let n = read(fd, buffer + end, room)
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                throw FormatError(LocalIO.isStorageFault(code) ? .readFailed : .unreadable, "\(path) cannot be read (\(LocalIO.describe(code)))")
            }
            if n == 0 { eof = true; return }
            let before = end
            end += n
            st.pointee.bytesRead += Int64(n)
            if remaining != Int64.max { st.pointee.remaining = remaining - Int64(n) }
            if st.pointee.bytesRead <= Int64(options.chunkSize) * 2 && started { try checkNUL(from: before) }
            return
        }
    }

    // MARK: - Parsing

    private enum Outcome {
        case complete(next: Int, newlines: Int)
        case incomplete(inQuote: Bool, quoteLine: Int)
    }

    /// Parses one record starting at `pos`. At the end of the file the end of data ends the record.
    @inline(__always)
    private func parseRecord(atEOF: Bool) throws -> Outcome {
        let b = buffer
        let delim = options.delimiter
        let maxFields = options.maxFields
        let limit = end
        var i = pos
        var n = 0
        var newlines = 0
        while true {
            if n == maxFields {
                throw FormatError(.tooManyFields, "\(Location.describe(file: displayName, line: nextLine)): more than \(maxFields) fields in one record (expected the extract's columns only)")
            }
            if i < limit && b[i] == Self.quote {
                // Quoted field.
                let openLine = nextLine + newlines
                i += 1
                let contentStart = i
                var hasEscape = false
                var closed = false
                while i < limit {
                    let c = b[i]
                    if c == Self.quote {
                        if i + 1 >= limit {
                            if atEOF { closed = true; break }
                            return .incomplete(inQuote: false, quoteLine: openLine)
                        }
                        if b[i + 1] == Self.quote { hasEscape = true; i += 2; continue }
                        closed = true
                        break
                    }
                    if c == Self.lf { newlines += 1 } else if c == Self.cr && (i + 1 >= limit || b[i + 1] != Self.lf) { newlines += 1 }
                    i += 1
                }
                guard closed else {
                    if !atEOF { return .incomplete(inQuote: true, quoteLine: openLine) }
                    let lastLine = nextLine + newlines
                    if lastLine == openLine {
                        throw FormatError(.truncatedLine, "\(Location.describe(file: displayName, line: openLine)): the file ends inside a quoted field on its last line, so it looks truncated (expected a closing quote and a line end; export the file again)")
                    }
                    throw FormatError(.unterminatedQuote, "\(Location.describe(file: displayName, line: openLine)): a quoted field opened here is never closed (a stray '\"'? expected a closing quote before the end of the file)")
                }
                starts[n] = contentStart
                ends[n] = i
                escaped[n] = hasEscape
                n += 1
                i += 1 // past the closing quote
                if i >= limit {
                    if atEOF { return finish(n: n, next: i, newlines: newlines, lineEnd: false) }
                    return .incomplete(inQuote: false, quoteLine: openLine)
                }
                let c = b[i]
                if c == delim { i += 1; continue }
                if c == Self.lf { return finish(n: n, next: i + 1, newlines: newlines + 1, lineEnd: true) }
                if c == Self.cr {
                    if i + 1 < limit { return finish(n: n, next: b[i + 1] == Self.lf ? i + 2 : i + 1, newlines: newlines + 1, lineEnd: true) }
                    if atEOF { return finish(n: n, next: i + 1, newlines: newlines + 1, lineEnd: true) }
                    return .incomplete(inQuote: false, quoteLine: openLine)
                }
                throw FormatError(.badQuote, "\(Location.describe(file: displayName, line: nextLine + newlines)): field \(n) has text after its closing quote (expected \(CSVOptions.name(of: delim)) or a line end; a quote inside a quoted field must be doubled)")
            }
            // Unquoted field: scan to the delimiter or a line end.
            let s = i
            while i < limit {
                let c = b[i]
                if c == delim || c == Self.lf || c == Self.cr { break }
                i += 1
            }
            starts[n] = s
            ends[n] = i
            escaped[n] = false
            n += 1
            if i >= limit {
                if atEOF { return finish(n: n, next: i, newlines: newlines, lineEnd: false) }
                return .incomplete(inQuote: false, quoteLine: 0)
            }
            let c = b[i]
            if c == delim { i += 1; continue }
            if c == Self.lf { return finish(n: n, next: i + 1, newlines: newlines + 1, lineEnd: true) }
            // CR
            if i + 1 < limit { return finish(n: n, next: b[i + 1] == Self.lf ? i + 2 : i + 1, newlines: newlines + 1, lineEnd: true) }
            if atEOF { return finish(n: n, next: i + 1, newlines: newlines + 1, lineEnd: true) }
            return .incomplete(inQuote: false, quoteLine: 0)
        }
    }

    @inline(__always)
    private func finish(n: Int, next: Int, newlines: Int, lineEnd: Bool) -> Outcome {
        st.pointee.fieldCount = n
        st.pointee.hasLineEnd = lineEnd
        return .complete(next: next, newlines: newlines)
    }
}
