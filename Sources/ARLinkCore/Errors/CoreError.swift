/// Errors raised by the domain layer: invalid money, currencies, identifiers and dates.
///
/// Equality compares the code only, so tests can match on codes.
public struct CoreError: ARLinkFailure, Equatable {
    /// The kind of failure; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case invalidAmount = "core.invalid_amount"
            case unknownCurrency = "core.unknown_currency"
            case currencyMismatch = "core.currency_mismatch"
            case overflow = "core.overflow"
            case invalidIdentifier = "core.invalid_identifier"
            case invalidDate = "core.invalid_date"
        }
        fileprivate let value: Value
        public var description: String { value.rawValue }

        public static let invalidAmount = Code(value: .invalidAmount)
        public static let unknownCurrency = Code(value: .unknownCurrency)
        public static let currencyMismatch = Code(value: .currencyMismatch)
        public static let overflow = Code(value: .overflow)
        public static let invalidIdentifier = Code(value: .invalidIdentifier)
        public static let invalidDate = Code(value: .invalidDate)
    }

    public let code: Code
    public let message: String
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var codeName: String { code.description }
    public var exitStatus: ExitStatus { .dataError }

    public static func == (lhs: CoreError, rhs: CoreError) -> Bool { lhs.code == rhs.code }
}
