public import ARLinkCore

/// Errors of the audit log. Equality compares the code only, so tests match on codes.
///
/// A failed verification is an error with code ``Code/tampered`` whose message names the
/// first entry or checkpoint that does not match and how.
public struct AuditError: ARLinkFailure, Equatable {
    /// The kind of failure; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case invalidEvent = "audit.invalid_event"
            case storage = "audit.storage"
            case key = "audit.key"
            case tampered = "audit.tampered"
            case proofInvalid = "audit.proof_invalid"
            case malformed = "audit.malformed"
            case notFound = "audit.not_found"
            case checkpointFile = "audit.checkpoint_file"
            case unanchored = "audit.unanchored"
            case checkpointWrite = "audit.checkpoint_write"
        }
        fileprivate let value: Value
        public var description: String { value.rawValue }

        /// An event handed to ``AuditLog/append(_:in:)`` breaks the entry rules (no free text, ids and digests only).
        public static let invalidEvent = Code(value: .invalidEvent)
        /// Reading or writing the audit tables failed.
        public static let storage = Code(value: .storage)
        /// The audit signing or verification key cannot be used.
        public static let key = Code(value: .key)
        /// The log, a checkpoint or the checkpoint file does not match: edited, deleted, reordered or rolled back.
        public static let tampered = Code(value: .tampered)
        /// An inclusion proof does not verify.
        public static let proofInvalid = Code(value: .proofInvalid)
        /// A proof, note or entry is not in the documented format.
        public static let malformed = Code(value: .malformed)
        /// Nothing matches the request (no entries for a file id, no checkpoint yet).
        public static let notFound = Code(value: .notFound)
        /// The checkpoint file cannot be read or written.
        public static let checkpointFile = Code(value: .checkpointFile)
        /// The log does not extend its newest signed checkpoint (no checkpoint, a lost or
        /// shortened checkpoint file, an older database, rewritten entries): jobs stop until
        /// `arlink audit recover` records what happened.
        public static let unanchored = Code(value: .unanchored)
        /// Appending to the checkpoint file failed (a full disk, an I/O error): temporary, the
        /// next run appends what is missing.
        public static let checkpointWrite = Code(value: .checkpointWrite)
    }

    public let code: Code
    public let message: String
    public let underlying: (any Error & Sendable)?
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    public var codeName: String { code.description }
    public var exitStatus: ExitStatus {
        switch code {
        case .tampered, .proofInvalid, .malformed, .invalidEvent: .dataError
        case .notFound: .noInput
        case .key: .config
        case .unanchored: .noPermission
        case .checkpointWrite: .tempFailure
        case .checkpointFile: .noInput
        default: .software
        }
    }

    public static func == (lhs: AuditError, rhs: AuditError) -> Bool { lhs.code == rhs.code }
}
