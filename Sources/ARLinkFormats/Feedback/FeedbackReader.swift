public import ARLinkCore

/// Streams a plaintext `feedback.v1` JSON Lines file: the header, then one event at a time,
/// then checks the trailer's control totals against what was read.
///
/// Memory stays constant whatever the file size (one line at a time, capped). A file whose
/// trailer is missing, mismatched or followed by more records is refused with its own code.
public final class FeedbackReader {
    /// Default cap on one line.
    public static let defaultMaxLineBytes = 64 * 1024

    private let lines: RecordLineReader
    private let name: String
    private var seen = ControlTotals()
    private var finished = false
    /// The header, read by ``init(path:displayName:maxLineBytes:)``.
    public private(set) var header: FileHeader

    /// Opens the file and reads its header.
    /// - Parameters:
    ///   - path: the plaintext file.
    ///   - displayName: how messages name the file (its sealed name, never a private path).
    /// - Throws: ``FeedbackError``: `.empty`, `.missingHeader`, `.badHeader`, `.badJSON`, `.lineTooLong`.
    public init(path: String, displayName: String, maxLineBytes: Int = FeedbackReader.defaultMaxLineBytes) throws {
        self.name = displayName
        self.lines = try RecordLineReader(path: path, maxLine: maxLineBytes, name: displayName)
        let name = displayName
        let first: LineJSON? = try lines.next { bytes in try Self.parseJSON(bytes, name: name, line: 1) }
        guard let first else { throw FeedbackError(.empty, "\(displayName) is empty (no header record)", lineNumber: 1) }
        guard FeedbackRecordParser.recordType(first) == "header" else {
            throw FeedbackError(.missingHeader, "\(displayName) line 1 is not a header record (expected \"record_type\": \"header\")", lineNumber: 1)
        }
        header = try FeedbackRecordParser.header(first, schema: "feedback.v1", kind: "feedback", place: "\(displayName) line 1")
    }

    /// The number of the line last read.
    public var lineNumber: Int { lines.line }

    /// The next event, or nil after the trailer was read and matched.
    /// - Throws: ``FeedbackError`` for any bad record, a missing or mismatched trailer.
    public func next() throws -> FeedbackEvent? {
        guard !finished else { return nil }
        let name = self.name
        let lines = self.lines
        guard let (value, line) = try lines.next({ bytes in (try Self.parseJSON(bytes, name: name, line: lines.line), lines.line) }) else {
            throw FeedbackError(.missingTrailer, "\(name) ends after line \(lines.line) without a trailer record; the file is truncated or incomplete", lineNumber: lines.line)
        }
        let place = "\(name) line \(line)"
        switch FeedbackRecordParser.recordType(value) {
        case "trailer":
            let trailer = try FeedbackRecordParser.trailer(value, place: place, lineNumber: line)
            try check(trailer, line: line)
            if try lines.next({ _ in true }) != nil {
                throw FeedbackError(.afterTrailer, "\(name) has records after the trailer on line \(line)", lineNumber: line + 1)
            }
            finished = true
            return nil
        case "header":
            throw FeedbackError(.badRecord, "\(place): a second header record", lineNumber: line)
        default:
            let event = try FeedbackRecordParser.event(value, place: place, lineNumber: line)
            seen.counts[event.type.rawValue, default: 0] += 1
            if event.type == .payment, let amount = event.amount {
                guard let sum = try? (seen.totals[amount.currency] ?? .zero(amount.currency)).adding(amount) else {
                    throw FeedbackError(.badRecord, "\(place): the payment total in \(amount.currency) overflows", lineNumber: line)
                }
                seen.totals[amount.currency] = sum
            }
            return event
        }
    }

    /// The counts and totals read so far (all of them once ``next()`` returned nil).
    public var totals: ControlTotals { seen }

    func check(_ trailer: ControlTotals, line: Int) throws(FeedbackError) {
        var problems: [String] = []
        let claimed = trailer.counts.filter { $0.value != 0 }
        let read = seen.counts.filter { $0.value != 0 }
        for key in Set(claimed.keys).union(read.keys).sorted() where claimed[key] != read[key] {
            problems.append("\(key.prefix(32)): trailer says \(claimed[key] ?? 0), file has \(read[key] ?? 0)")
        }
        let claimedTotals = trailer.totals.filter { !$0.value.isZero }
        let readTotals = seen.totals.filter { !$0.value.isZero }
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
