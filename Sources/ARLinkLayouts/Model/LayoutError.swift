public import ARLinkCore

/// An error of a layout file or of a file read or written through a layout.
///
/// A file error names the file, the line, the record type, the field, its position and the
/// value (the value only for numbers, dates and codes: text fields may hold personal data and
/// are never quoted). Equality compares the code only, so tests match on codes.
public struct LayoutError: ARLinkFailure, Equatable {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// The layout file itself is wrong (exit 78, a configuration error).
        case badLayout = "layout.bad_layout"
        /// A fixed-width line whose length is not the record type's length.
        case recordLength = "layout.record_length"
        /// A line that starts with no record type of the layout.
        case unknownRecordType = "layout.unknown_record_type"
        /// A field whose text is not a value of its type (date, amount, integer, code).
        case badValue = "layout.bad_value"
        /// A required field left blank.
        case missingValue = "layout.missing_value"
        /// A trailer whose count or sum does not match the records read.
        case trailerMismatch = "layout.trailer_mismatch"
        /// No trailer at the end of a layout that has one (truncation), or records after it.
        case missingTrailer = "layout.missing_trailer"
        /// No header first in a layout that has one.
        case missingHeader = "layout.missing_header"
        /// A line with bytes outside the layout's encoding, a blank line, too many columns.
        case badLine = "layout.bad_line"
        /// A reversal in the same file as the payment it reverses (AIM refuses such a file).
        case reversalWithPayment = "layout.reversal_with_payment"
        /// A file number that was never assigned to a placement with this partner.
        case unknownFileNumber = "layout.unknown_file_number"
        /// A domain record that cannot be written through the layout (value too long, no
        /// record type for it, a currency the layout cannot carry).
        case cannotRender = "layout.cannot_render"
        /// A portfolio with balances in a currency the partner's layout does not carry (the layout
        /// has no currency field: every amount is in its one `currency`).
        case otherCurrency = "layout.other_currency"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var codeName: String { code.rawValue }
    public var exitStatus: ExitStatus {
        switch code {
        case .badLayout: .config
        case .cannotRender: .dataError
        default: .dataError
        }
    }

    public static func == (a: LayoutError, b: LayoutError) -> Bool { a.code == b.code }
}

/// Where in a file a value sits, for messages.
public struct LayoutPlace: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var recordType: String?
    public var field: String?
    /// `positions 44-55` (fixed width) or `column 4` (delimited).
    public var position: String?

    public init(file: String, line: Int, recordType: String? = nil, field: String? = nil, position: String? = nil) {
        self.file = file; self.line = line; self.recordType = recordType; self.field = field; self.position = position
    }

    public var description: String {
        var text = "\(file) line \(line)"
        if let recordType { text += ", record \(recordType)" }
        if let field { text += ", field \(field)" }
        if let position { text += " (\(position))" }
        return text
    }
}
