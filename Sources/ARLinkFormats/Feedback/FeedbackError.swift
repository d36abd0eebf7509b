public import ARLinkCore

/// File-level refusals of a feedback, ERP-update or receipt file: every one quarantines
/// the whole feedback file, and each has its own code.
///
/// Messages name the file, the line and the field, and never quote personal data (contact
/// values, comments). Equality compares the code only.
public struct FeedbackError: ARLinkFailure, Equatable {
    /// The kind of failure; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case unreadable = "feedback.unreadable"
            case empty = "feedback.empty"
            case lineTooLong = "feedback.line_too_long"
            case badJSON = "feedback.bad_json"
            case badRecord = "feedback.bad_record"
            case unknownEventType = "feedback.unknown_event_type"
            case missingHeader = "feedback.missing_header"
            case badHeader = "feedback.bad_header"
            case missingTrailer = "feedback.missing_trailer"
            case trailerMismatch = "feedback.trailer_mismatch"
            case afterTrailer = "feedback.after_trailer"
            case duplicateEventID = "feedback.duplicate_event_id"
            case writeFailed = "feedback.write_failed"
        }
        fileprivate let value: Value
        public var description: String { value.rawValue }

        /// The file cannot be opened or read (exit 66).
        public static let unreadable = Code(value: .unreadable)
        /// The file has no bytes at all.
        public static let empty = Code(value: .empty)
        /// A line is longer than the cap.
        public static let lineTooLong = Code(value: .lineTooLong)
        /// A line is not valid JSON (or not UTF-8).
        public static let badJSON = Code(value: .badJSON)
        /// A record misses a field, has a field of the wrong type or format, or an unknown field.
        public static let badRecord = Code(value: .badRecord)
        /// `record_type` names no known event type.
        public static let unknownEventType = Code(value: .unknownEventType)
        /// The first line is not a header record.
        public static let missingHeader = Code(value: .missingHeader)
        /// The header is malformed or names another schema or kind.
        public static let badHeader = Code(value: .badHeader)
        /// The file ends without a trailer (truncated).
        public static let missingTrailer = Code(value: .missingTrailer)
        /// The trailer's counts or totals differ from the records read.
        public static let trailerMismatch = Code(value: .trailerMismatch)
        /// Records follow the trailer.
        public static let afterTrailer = Code(value: .afterTrailer)
        /// The same `event_id` appears twice in one file.
        public static let duplicateEventID = Code(value: .duplicateEventID)
        /// An output file could not be written (exit 70).
        public static let writeFailed = Code(value: .writeFailed)
    }

    public let code: Code
    public let message: String
    /// The 1-based line concerned, if any.
    public let lineNumber: Int?
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, lineNumber: Int? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.lineNumber = lineNumber
        self.file = file
        self.line = line
    }

    public var codeName: String { code.description }

    public var exitStatus: ExitStatus {
        switch code {
        case .unreadable: .noInput
        case .writeFailed: .tempFailure
        default: .dataError
        }
    }

    public static func == (lhs: FeedbackError, rhs: FeedbackError) -> Bool { lhs.code == rhs.code }
}
