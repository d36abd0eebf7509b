public import ARLinkCore

/// Errors of the jobs themselves (as opposed to the modules they call). Equality compares codes.
public struct JobError: ARLinkFailure, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case io = "job.io"
            case missingInput = "job.missing_input"
            case stateMismatch = "job.state_mismatch"
            case quarantined = "job.quarantined"
            case busy = "job.busy"
            case massRecall = "job.mass_recall"
            case backdated = "job.backdated"
        }
        fileprivate let value: Value
        public var description: String { value.rawValue }
        /// A local file or folder could not be read or written.
        public static let io = Code(value: .io)
        /// An input the run needs (an ERP extract) is missing.
        public static let missingInput = Code(value: .missingInput)
        /// Work files do not match what the ledger recorded (tampering or manual deletion).
        public static let stateMismatch = Code(value: .stateMismatch)
        /// The run completed but refused and quarantined at least one file.
        public static let quarantined = Code(value: .quarantined)
        /// Another run holds the state database's run lock.
        public static let busy = Code(value: .busy)
        /// A run would recall more of a partner's accounts than its limits allow.
        public static let massRecall = Code(value: .massRecall)
        /// An outbound run as of a day before a partner's latest batch, without `--allow-backdated`.
        public static let backdated = Code(value: .backdated)
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
        case .missingInput: .noInput
        case .stateMismatch: .software
        case .quarantined, .massRecall: .dataError
        case .backdated: .usage
        default: .tempFailure
        }
    }

    public static func == (lhs: JobError, rhs: JobError) -> Bool { lhs.code == rhs.code }
}
