public import ARLinkCore

/// Streams a plaintext `feedback.v1` JSON Lines file: the header, then one event at a time,
/// then checks the trailer's control totals against what was read.
///
/// Memory stays constant whatever the file size (one line at a time, capped). A file whose
/// trailer is missing, mismatched or followed by more records is refused with its own code.
///
/// Ordinary event lines of a JSON Lines file are read straight from their bytes
/// (``FeedbackEventScanner``); every other line goes through the JSON parser. Both give the
/// same events, and every error comes from the JSON parser and the record checks.
public final class FeedbackReader {
    /// Default cap on one line.
    public static let defaultMaxLineBytes = 64 * 1024

    private let source: any RecordSource
    private let name: String
    /// The lines of a JSON Lines file, read directly when ``scanner`` is on.
    private let lines: RecordLineReader?
    /// Reads ordinary event lines without the JSON tree; nil for CSV or when turned off.
    private let scanner: FeedbackEventScanner?
    /// ``lines`` and ``scanner`` together when both are set (the JSON Lines fast path).
    private let fast: FastPath?

    private struct FastPath {
        let lines: RecordLineReader
        let scanner: FeedbackEventScanner
    }
    private var seen = EventTally()
    private var finished = false
    /// The header, read by ``init(path:displayName:format:maxLineBytes:)``.
    public private(set) var header: FileHeader

    /// Opens the file and reads its header.
    /// - Parameters:
    ///   - path: the plaintext file.
    ///   - displayName: how messages name the file (its sealed name, never a private path).
    ///   - format: JSON Lines (default) or the CSV flavour (``FeedbackCSV``).
    /// - Throws: ``FeedbackError``: `.empty`, `.missingHeader`, `.badHeader`, `.badJSON`, `.lineTooLong`.
    public convenience init(path: String, displayName: String, format: FeedbackFormat = .jsonl, maxLineBytes: Int = FeedbackReader.defaultMaxLineBytes) throws {
        try self.init(path: path, displayName: displayName, format: format, maxLineBytes: maxLineBytes, fastPath: true)
    }

    /// Opens the file and reads its header, with or without the fast path for event lines
    /// (``FeedbackEventScanner``); tests compare the two.
    init(path: String, displayName: String, format: FeedbackFormat, maxLineBytes: Int, fastPath: Bool) throws {
        self.name = displayName
        switch format {
        case .jsonl:
            let lines = try RecordLineReader(path: path, maxLine: maxLineBytes, name: displayName)
            source = JSONLinesSource(lines, name: displayName)
            self.lines = lines
            scanner = fastPath ? FeedbackEventScanner() : nil
        case .csv:
            source = try CSVRecordSource(path: path, name: displayName, maxLineBytes: maxLineBytes)
            lines = nil
            scanner = nil
        }
        if let lines, let scanner { fast = FastPath(lines: lines, scanner: scanner) } else { fast = nil }
        guard let (first, _) = try source.next() else { throw FeedbackError(.empty, "\(displayName) is empty (no header record)", lineNumber: 1) }
        guard FeedbackRecordParser.recordType(first) == "header" else {
            throw FeedbackError(.missingHeader, "\(displayName) line 1 is not a header record (expected \"record_type\": \"header\")", lineNumber: 1)
        }
        header = try FeedbackRecordParser.header(first, schema: "feedback.v1", kind: "feedback", place: "\(displayName) line 1")
    }

    /// The number of the line last read.
    public var lineNumber: Int { source.line }

    /// The next event, or nil after the trailer was read and matched.
    /// - Throws: ``FeedbackError`` for any bad record, a missing or mismatched trailer.
    public func next() throws -> FeedbackEvent? {
        guard !finished else { return nil }
        let value: LineJSON
        let line: Int
        if let fast {
            guard let bytes = try fast.lines.nextLine() else { throw truncated() }
            line = fast.lines.line
            if let event = fast.scanner.event(bytes) {
                try tally(event, line: line)
                return event
            }
            value = try Self.parseJSON(bytes, name: self.name, line: line)
        } else {
            guard let (parsed, at) = try source.next() else { throw truncated() }
            value = parsed
            line = at
        }
        let name = self.name
        let place = "\(name) line \(line)"
        switch FeedbackRecordParser.recordType(value) {
        case "trailer":
            let trailer = try FeedbackRecordParser.trailer(value, place: place, lineNumber: line)
            try check(trailer, line: line)
            if try source.next() != nil {
                throw FeedbackError(.afterTrailer, "\(name) has records after the trailer on line \(line)", lineNumber: line + 1)
            }
            finished = true
            return nil
        case "header":
            throw FeedbackError(.badRecord, "\(place): a second header record", lineNumber: line)
        default:
            let event = try FeedbackRecordParser.event(value, place: place, lineNumber: line)
            try tally(event, line: line)
            return event
        }
    }

    /// The refusal of a file that ends without a trailer.
    private func truncated() -> FeedbackError {
        FeedbackError(.missingTrailer, "\(name) ends after line \(source.line) without a trailer record; the file is truncated or incomplete", lineNumber: source.line)
    }

    /// Counts `event`, and adds a payment to its currency's total.
    private func tally(_ event: FeedbackEvent, line: Int) throws(FeedbackError) {
        seen.count(event.type)
        if event.type == .payment, let amount = event.amount, !seen.addPayment(amount) {
            throw FeedbackError(.badRecord, "\(name) line \(line): the payment total in \(amount.currency) overflows", lineNumber: line)
        }
    }

    /// The counts and totals read so far (all of them once ``next()`` returned nil).
    public var totals: ControlTotals { seen.totals }

    func check(_ trailer: ControlTotals, line: Int) throws(FeedbackError) {
        var problems: [String] = []
        let found = totals
        let claimed = trailer.counts.filter { $0.value != 0 }
        let read = found.counts.filter { $0.value != 0 }
        for key in Set(claimed.keys).union(read.keys).sorted() where claimed[key] != read[key] {
            problems.append("\(key.prefix(32)): trailer says \(claimed[key] ?? 0), file has \(read[key] ?? 0)")
        }
        let claimedTotals = trailer.totals.filter { !$0.value.isZero }
        let readTotals = found.totals.filter { !$0.value.isZero }
        for currency in Set(claimedTotals.keys).union(readTotals.keys).sorted() where claimedTotals[currency] != readTotals[currency] {
            problems.append("payments in \(currency): trailer says \(claimedTotals[currency]?.decimalString ?? "0"), file has \(readTotals[currency]?.decimalString ?? "0")")
        }
        if !problems.isEmpty {
            throw FeedbackError(.trailerMismatch, "\(name) line \(line): the trailer does not match the records read (\(problems.joined(separator: "; ")))", lineNumber: line)
        }
    }

    static func parseJSON(_ bytes: UnsafeBufferPointer<UInt8>, name: String, line: Int) throws(FeedbackError) -> LineJSON {
        do {
            return try LineJSONParser.parse(bytes)
        } catch {
            throw FeedbackError(.badJSON, "\(name) line \(line) is not valid JSON: \(error.reason) at byte \(error.offset + 1)", lineNumber: line)
        }
    }
}

/// The two file flavours of `feedback.v1`.
public enum FeedbackFormat: String, Sendable {
    case jsonl, csv

    /// The flavour a file name says: `….csv.p7m`, `….csv.pgp` or `….csv` is CSV, anything else JSON Lines.
    public static func of(fileName: String) -> FeedbackFormat {
        fileName.hasSuffix(".csv.p7m") || fileName.hasSuffix(".csv.pgp") || fileName.hasSuffix(".csv") ? .csv : .jsonl
    }
}

/// Records of a file, one at a time, with the line they start on.
protocol RecordSource: AnyObject {
    var line: Int { get }
    func next() throws -> (LineJSON, Int)?
}

final class JSONLinesSource: RecordSource {
    let lines: RecordLineReader
    let name: String
    init(_ lines: RecordLineReader, name: String) { self.lines = lines; self.name = name }
    var line: Int { lines.line }
    func next() throws -> (LineJSON, Int)? {
        let lines = self.lines
        let name = self.name
        return try lines.next { bytes in (try FeedbackReader.parseJSON(bytes, name: name, line: lines.line), lines.line) }
    }
}

final class CSVRecordSource: RecordSource {
    let reader: CSVReader
    let name: String
    init(path: String, name: String, maxLineBytes: Int) throws {
        self.name = name
        do {
            reader = try CSVReader(path: path, options: CSVOptions(maxRecordBytes: maxLineBytes, maxFields: 64))
        } catch let error as FormatError {
            throw FeedbackError(.unreadable, "\(name): \(error.message)")
        }
    }
    var line: Int { reader.line }
    func next() throws -> (LineJSON, Int)? {
        do {
            guard try reader.nextRecord() else { return nil }
            var fields: [String] = []
            for index in 0..<reader.fieldCount { fields.append(try reader.string(index, column: "field \(index + 1)", trim: false)) }
            guard let record = FeedbackCSV.record(fields) else { return nil }
            return (record, reader.line)
        } catch let error as FormatError {
            let code: FeedbackError.Code = error.code == .lineTooLong ? .lineTooLong : .badRecord
            throw FeedbackError(code, "\(name): \(error.message)", lineNumber: reader.line)
        }
    }
}
