public import ARLinkCore

/// A configuration problem: names the key path (`partners[0].selection.min_days_past_due`)
/// and the fix. Exit status 78 (66 when the file is unreadable, 77 for a secret file others may
/// read). Equality compares the code only.
public struct ConfigError: ARLinkFailure, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case unreadable = "config.unreadable"
            case syntax = "config.syntax"
            case unknownKey = "config.unknown_key"
            case missingKey = "config.missing_key"
            case invalidValue = "config.invalid_value"
            case missingFile = "config.missing_file"
            case inlineSecret = "config.inline_secret"
            case unknownPartner = "config.unknown_partner"
            case transferRefused = "config.transfer_refused"
            case unsafePermissions = "config.unsafe_permissions"
            case unsupportedBackend = "config.unsupported_backend"
        }
        fileprivate let value: Value
        public var description: String { value.rawValue }
        public static let unreadable = Code(value: .unreadable)
        public static let syntax = Code(value: .syntax)
        public static let unknownKey = Code(value: .unknownKey)
        public static let missingKey = Code(value: .missingKey)
        public static let invalidValue = Code(value: .invalidValue)
        public static let missingFile = Code(value: .missingFile)
        public static let inlineSecret = Code(value: .inlineSecret)
        public static let unknownPartner = Code(value: .unknownPartner)
        /// A partner may not receive personal data: no transfer basis, or its agreement is not valid today.
        public static let transferRefused = Code(value: .transferRefused)
        /// A secret file (`state.password_file`) that group or others may read: exit 77, as keys.
        public static let unsafePermissions = Code(value: .unsafePermissions)
        /// A state backend the command cannot use yet (the jobs on PostgreSQL).
        public static let unsupportedBackend = Code(value: .unsupportedBackend)
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
    public var exitStatus: ExitStatus {
        switch code {
        case .unreadable: .noInput
        case .unsafePermissions: .noPermission
        default: .config
        }
    }

    public static func == (lhs: ConfigError, rhs: ConfigError) -> Bool { lhs.code == rhs.code }
}
