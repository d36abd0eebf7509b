import ARLinkCore

/// A bad row, thrown inside a row's processing and turned into a ``RowProblem`` by the loop.
struct RowFailure: Error {
    let problem: RowProblem
}

/// Typed access to the current record of a CSV file, raising ``RowFailure`` for bad values.
final class RowParser {
    let csv: CSVReader
    let options: ExtractOptions
    /// Currencies seen so far, keyed by their three upper-case letters.
    private var currencyCache: [(code: UInt32, currency: Currency)] = []

    init(csv: CSVReader, options: ExtractOptions) {
        self.csv = csv
        self.options = options
    }

    /// Runs `body` over the field's bytes with spaces trimmed.
    @inline(__always)
    func trimmedField<R, E: Error>(_ index: Int, _ body: (Span<UInt8>) throws(E) -> R) throws(E) -> R {
        try csv.withField(index) { (raw) throws(E) -> R in try body(raw.extracting(CSVReader.trimmedBounds(raw))) }
    }

    var file: String { csv.displayName }
    var line: Int { csv.line }

    func failure(_ code: FormatError.Code, column: String?, _ text: String) -> RowFailure {
        RowFailure(problem: RowProblem(
            file: file, line: line, column: column, code: code,
            message: "\(Location.describe(file: file, line: line, column: column)): \(text)"))
    }

    /// Checks the field count; a short last line without a line end means a truncated file.
    func checkFieldCount(expected: Int) throws {
        let n = csv.fieldCount
        guard n != expected else { return }
        if n < expected && !csv.recordHasLineEnd {
            throw FormatError(.truncatedLine, "\(Location.describe(file: file, line: line)): the last line has \(n) of \(expected) fields and no line end, so the file looks truncated (export it again)")
        }
        throw failure(.wrongFieldCount, column: nil, "the row has \(n) fields but the header has \(expected) (expected one value per column; check quoting and the delimiter)")
    }

    /// The field's text as typed, cut for a message (only for non-personal columns).
    func shown(_ index: Int) -> String {
        csv.withField(index) { Location.quote(Self.text($0.extracting(CSVReader.trimmedBounds($0)))) }
    }

    /// Optional text: nil when the column is absent or the value empty.
    func text(_ index: Int, column: String) throws -> String? {
        guard index >= 0, !csv.isEmpty(index) else { return nil }
        do {
            let s = try csv.string(index, column: column)
            return s.isEmpty ? nil : s
        } catch let error as FormatError {
            throw RowFailure(problem: RowProblem(file: file, line: line, column: column, code: error.code, message: error.message))
        }
    }

    /// Required text.
    func requiredText(_ index: Int, column: String, what: String) throws -> String {
        guard let s = try text(index, column: column) else {
            throw failure(.missingValue, column: column, "the value is empty (\(what) is required)")
        }
        return s
    }

    func date(_ index: Int, column: String) throws -> LocalDate? {
        guard index >= 0, !csv.isEmpty(index) else { return nil }
        let format = options.dateFormat
        let parsed = csv.withField(index) { format.parse($0) }
        if let parsed { return parsed }
        let blank = csv.withField(index) { $0.extracting(CSVReader.trimmedBounds($0)).isEmpty }
        if blank { return nil }
        throw failure(.badDate, column: column, "\(shown(index)) is not a date (expected \(format.pattern))")
    }

    func requiredDate(_ index: Int, column: String, what: String) throws -> LocalDate {
        guard let d = try date(index, column: column) else {
            throw failure(.missingValue, column: column, "the value is empty (\(what) is required, as \(options.dateFormat.pattern))")
        }
        return d
    }

    func bool(_ index: Int, column: String, settledWords: Bool = false) throws -> Bool {
        guard index >= 0 else { return false }
        if let v = csv.withField(index, { BooleanValue.parse($0, settledWords: settledWords) }) { return v }
        throw failure(.badBoolean, column: column, "\(shown(index)) is not a yes/no value (expected 1/0, true/false, yes/no, y/n or empty\(settledWords ? ", or paid/in_payment/reversed/not_paid/partial" : ""))")
    }

    func currency(_ index: Int, column: String) throws -> Currency {
        if index >= 0, !csv.isEmpty(index) {
            let cache = currencyCache
            let (found, added): (Currency?, (UInt32, Currency)?) = csv.withField(index) { raw in
                var b = raw.extracting(CSVReader.trimmedBounds(raw))
                // Odoo's import-compatible export writes external ids such as base.EUR.
                if b.count == 8, b[0] == 98, b[1] == 97, b[2] == 115, b[3] == 101, b[4] == 46 {
                    b = b.extracting(5...)
                }
                guard b.count == 3 else { return (nil, nil) }
                let key = (UInt32(b[0] & 0xDF) << 16) | (UInt32(b[1] & 0xDF) << 8) | UInt32(b[2] & 0xDF)
                for entry in cache where entry.code == key { return (entry.currency, nil) }
                guard let c = try? Currency(Self.text(b)) else { return (nil, nil) }
                return (c, (key, c))
            }
            if let added { currencyCache.append(added) }
            if let found { return found }
            let blank = csv.withField(index) { $0.extracting(CSVReader.trimmedBounds($0)).isEmpty }
            if !blank {
                throw failure(.unknownCurrency, column: column, "\(shown(index)) is not an ISO 4217 currency code (expected three letters such as EUR, USD, IDR)")
            }
        }
        guard let fallback = options.defaultCurrency else {
            throw failure(.missingValue, column: column, "the currency is empty and no default currency is configured (expected a code such as EUR)")
        }
        return fallback
    }

    func amount(_ index: Int, column: String, currency: Currency) throws -> Money? {
        guard index >= 0, !csv.isEmpty(index) else { return nil }
        let format = options.numberFormat
        let exponent = currency.exponent
        if let minor = csv.withField(index, { format.parseMinorUnits($0, exponent: exponent) }) {
            return Money(minorUnits: minor, currency: currency)
        }
        let blank = csv.withField(index) { $0.extracting(CSVReader.trimmedBounds($0)).isEmpty }
        if blank { return nil }
        let sample = exponent == 0 ? "1234" : format.example.prefix(format.example.count - 2 + exponent) + (exponent > 2 ? String(repeating: "0", count: exponent - 2) : "")
        throw failure(.badAmount, column: column, "\(shown(index)) is not an amount in \(currency.code) (expected a number such as \(sample), at most \(exponent) decimals)")
    }
}

/// Row counts of one pass over the open items.
struct RowTally: Sendable {
    /// Data rows read, not counting summary rows and other documents.
    var rows = 0
    /// Rows that became open items (before duplicates are dropped).
    var good = 0
    /// A report's total lines, skipped.
    var summaryRows = 0
    /// Rows that are not posted customer invoices or credit notes (vendor bills, drafts), skipped.
    var otherDocuments = 0

    mutating func add(_ other: RowTally) {
        rows += other.rows
        good += other.good
        summaryRows += other.summaryRows
        otherDocuments += other.otherDocuments
    }
}

/// What kind of document a row is (from the `document_type` and `posting_state` columns).
enum DocumentKind {
    case invoice, creditNote, other
}

extension RowParser {
    /// Whether the bytes are a report's total label: `Total` or `'Total'`, any case.
    static func isTotalLabel(_ bytes: Span<UInt8>) -> Bool {
        var value = bytes
        if value.count == 7, value[0] == UInt8(ascii: "'"), value[6] == UInt8(ascii: "'") {
            value = value.extracting(1..<6)
        }
        return BooleanValue.equalsFolded(value, totalWord)
    }

    /// The bytes as text (invalid UTF-8 repaired; for messages and codes, never kept data).
    static func text(_ bytes: Span<UInt8>) -> String {
        var copy: [UInt8] = []
        copy.reserveCapacity(bytes.count)
        for i in 0..<bytes.count { copy.append(bytes[i]) }
        return String(decoding: copy, as: UTF8.self)
    }

    static let totalWord = Array("total".utf8)
    static let invoiceWords = BooleanValue.words("out_invoice", "invoice")
    static let creditNoteWords = BooleanValue.words("out_refund", "credit_note")
    static let otherDocumentWords = BooleanValue.words("in_invoice", "in_refund", "in_receipt", "out_receipt", "entry")
    static let postedWords = BooleanValue.words("posted")
    static let unpostedWords = BooleanValue.words("draft", "cancel", "cancelled")

    /// Classifies the row by its document type (Odoo's `move_type`) and posting state
    /// (Odoo's `state`); an absent column does not restrict.
    func document(type: Int, typeColumn: String, state: Int, stateColumn: String) throws -> DocumentKind {
        func matches(_ index: Int, _ words: [[UInt8]]) -> Bool {
            trimmedField(index) { bytes in words.contains { BooleanValue.equalsFolded(bytes, $0) } }
        }
        var kind = DocumentKind.invoice
        if type >= 0 {
            if matches(type, Self.creditNoteWords) {
                kind = .creditNote
            } else if matches(type, Self.otherDocumentWords) {
                kind = .other
            } else if !matches(type, Self.invoiceWords) {
                throw failure(.badValue, column: typeColumn, "\(shown(type)) is not a document type (expected out_invoice or invoice, out_refund or credit_note; in_invoice, in_refund, in_receipt, out_receipt and entry rows are skipped)")
            }
        }
        if state >= 0 && !matches(state, Self.postedWords) {
            guard matches(state, Self.unpostedWords) else {
                throw failure(.badValue, column: stateColumn, "\(shown(state)) is not a posting state (expected posted; draft and cancel rows are skipped)")
            }
            return .other
        }
        return kind
    }
}

extension DateFormat {
    /// The pattern as shown in messages: `YYYY-MM-DD`, `DD.MM.YYYY`, ...
    var pattern: String { rawValue.uppercased() }
}
