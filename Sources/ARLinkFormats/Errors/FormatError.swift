public import ARLinkCore

/// Errors of the formats module: unreadable or malformed extracts and exchange files.
///
/// Messages name the file, the line, the column and what was expected; they quote values of
/// amount, date, currency and flag columns only, never names, addresses, e-mails or tax ids.
/// Equality compares the code only, so tests can match on codes.
public struct FormatError: ARLinkFailure, Equatable {
    /// The kind of failure; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case missingColumn = "formats.missing_column"
            case missingValue = "formats.missing_value"
            case badDate = "formats.bad_date"
            case badAmount = "formats.bad_amount"
            case badBoolean = "formats.bad_boolean"
            case unknownCurrency = "formats.unknown_currency"
            case duplicateInvoice = "formats.duplicate_invoice"
            case duplicateCustomer = "formats.duplicate_customer"
            case unknownCustomer = "formats.unknown_customer"
            case wrongFieldCount = "formats.wrong_field_count"
            case unterminatedQuote = "formats.unterminated_quote"
            case badQuote = "formats.bad_quote"
            case wrongDelimiter = "formats.wrong_delimiter"
            case emptyFile = "formats.empty_file"
            case truncatedLine = "formats.truncated_line"
            case lineTooLong = "formats.line_too_long"
            case tooManyFields = "formats.too_many_fields"
            case notUTF8 = "formats.not_utf8"
            case utf16 = "formats.utf16"
            case unreadable = "formats.unreadable"
            case tooManyBadRows = "formats.too_many_bad_rows"
            case badRecord = "formats.bad_record"
            case badJSON = "formats.bad_json"
            case missingHeader = "formats.missing_header"
            case missingTrailer = "formats.missing_trailer"
            case trailerMismatch = "formats.trailer_mismatch"
            case writeFailed = "formats.write_failed"
            case noUsableRows = "formats.no_usable_rows"
            case badValue = "formats.bad_value"
            case readFailed = "formats.read_failed"
        }
        fileprivate let value: Value
        public var description: String { value.rawValue }

        /// A required column is not in the header line.
        public static let missingColumn = Code(value: .missingColumn)
        /// A required value is empty.
        public static let missingValue = Code(value: .missingValue)
        /// The open items have a header but no usable row (what a failed ERP export leaves).
        public static let noUsableRows = Code(value: .noUsableRows)
        /// A value is not one of the words its column accepts (document type, posting state).
        public static let badValue = Code(value: .badValue)
        /// A date does not parse in the configured format or is impossible (31.02.).
        public static let badDate = Code(value: .badDate)
        /// An amount does not parse, has more decimals than the currency allows, or overflows.
        public static let badAmount = Code(value: .badAmount)
        /// A flag column holds something other than 1/0, true/false, yes/no, y/n or empty.
        public static let badBoolean = Code(value: .badBoolean)
        /// A currency code is not an ISO 4217 code.
        public static let unknownCurrency = Code(value: .unknownCurrency)
        /// The same invoice number appears twice in the open items.
        public static let duplicateInvoice = Code(value: .duplicateInvoice)
        /// The same customer id appears twice in the customer master.
        public static let duplicateCustomer = Code(value: .duplicateCustomer)
        /// An open item names a customer that is not in the customer master.
        public static let unknownCustomer = Code(value: .unknownCustomer)
        /// A row has a different number of fields than the header.
        public static let wrongFieldCount = Code(value: .wrongFieldCount)
        /// A quoted field is never closed.
        public static let unterminatedQuote = Code(value: .unterminatedQuote)
        /// Something other than a delimiter or line end follows a closing quote.
        public static let badQuote = Code(value: .badQuote)
        /// The header line looks separated by another delimiter than the configured one.
        public static let wrongDelimiter = Code(value: .wrongDelimiter)
        /// The file is empty (no header line).
        public static let emptyFile = Code(value: .emptyFile)
        /// The last line is cut off (inside a quoted field, or short of fields without a line end).
        public static let truncatedLine = Code(value: .truncatedLine)
        /// A line (record) is longer than the configured cap.
        public static let lineTooLong = Code(value: .lineTooLong)
        /// A record has more fields than the configured cap.
        public static let tooManyFields = Code(value: .tooManyFields)
        /// A value is not valid UTF-8.
        public static let notUTF8 = Code(value: .notUTF8)
        /// The file is UTF-16 (byte-order mark or NUL bytes), not UTF-8.
        public static let utf16 = Code(value: .utf16)
        /// The file is missing or cannot be read (exit 66).
        public static let unreadable = Code(value: .unreadable)
        /// More bad rows than `maxBadRows` allows.
        public static let tooManyBadRows = Code(value: .tooManyBadRows)
        /// An exchange-file record has the wrong shape (missing field, wrong type, unknown record type).
        public static let badRecord = Code(value: .badRecord)
        /// A JSON Lines line is not valid JSON.
        public static let badJSON = Code(value: .badJSON)
        /// An exchange file does not start with a header record.
        public static let missingHeader = Code(value: .missingHeader)
        /// An exchange file ends without a trailer record (truncated).
        public static let missingTrailer = Code(value: .missingTrailer)
        /// The trailer's counts or totals differ from what was read.
        public static let trailerMismatch = Code(value: .trailerMismatch)
        /// Writing, flushing or syncing an output file failed.
        public static let writeFailed = Code(value: .writeFailed)
        /// Reading an opened file failed on a full or failing disk (EIO): ours, temporary (75).
        public static let readFailed = Code(value: .readFailed)
    }

    /// What went wrong; tests and callers match on this.
    public let code: Code
    /// A sentence naming the file, line, column and what was expected (no personal data).
    public let message: String
    /// The row problem this error was raised for, when it comes from a row check.
    public let problem: RowProblem?
    /// Bad rows collected before the error (for `tooManyBadRows`).
    public let problems: [RowProblem]
    /// The lower-level error, if any.
    public let underlying: (any Error & Sendable)?
    /// Source location where the error was raised (`#fileID`), for debugging.
    public let file: String
    /// Source line where the error was raised.
    public let line: Int

    /// Creates an error; `problem` and `problems` are set for row-level failures.
    public init(
        _ code: Code, _ message: String, problem: RowProblem? = nil, problems: [RowProblem] = [],
        underlying: (any Error & Sendable)? = nil, file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.problem = problem
        self.problems = problems
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    /// An error for one bad row.
    public init(_ problem: RowProblem, file: String = #fileID, line: Int = #line) {
        self.init(problem.code, problem.message, problem: problem, file: file, line: line)
    }

    public var codeName: String { code.description }

    /// 66 for a missing or unreadable file, 75 for a failed write or a read that fails on a
    /// failing disk (ours; the next run redoes it), 65 for everything else.
    public var exitStatus: ExitStatus {
        switch code {
        case .unreadable: .noInput
        case .writeFailed, .readFailed: .tempFailure
        default: .dataError
        }
    }

    public static func == (lhs: FormatError, rhs: FormatError) -> Bool { lhs.code == rhs.code }
}

/// One bad row of an extract, kept as a value so a run can skip it and list it in its report.
public struct RowProblem: Sendable, Hashable, CustomStringConvertible {
    /// The file's display name (its last path component).
    public var file: String
    /// The physical line where the row starts (1-based).
    public var line: Int
    /// The logical or header column name concerned, if any.
    public var column: String?
    /// The kind of problem (`badDate`, `duplicateInvoice`, ...).
    public var code: FormatError.Code
    /// A full sentence: `open_items.csv line 1,204, column "due_date": ...`.
    public var message: String

    public init(file: String, line: Int, column: String?, code: FormatError.Code, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
