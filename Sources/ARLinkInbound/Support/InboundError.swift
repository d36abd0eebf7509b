public import ARLinkCore

/// Refusals of a feedback file by the inbound job itself (header binding, sequence, replay),
/// on top of the envelope's and the feedback reader's own codes. Equality compares codes.
public struct InboundError: ARLinkFailure, Equatable {
    /// The kind of failure; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case wrongSender = "inbound.wrong_sender"
            case wrongRecipient = "inbound.wrong_recipient"
            case wrongRecipientKey = "inbound.wrong_recipient_key"
            case wrongDirection = "inbound.wrong_direction"
            case createdInFuture = "inbound.created_in_future"
            case sequenceReused = "inbound.sequence_reused"
            case chainBroken = "inbound.chain_broken"
            case badWitness = "inbound.bad_witness"
            case io = "inbound.io"
        }
        fileprivate let value: Value
        public var description: String { value.rawValue }

        /// The signed header names another sender than the partner whose folder it came from.
        public static let wrongSender = Code(value: .wrongSender)
        /// The signed header names another recipient than us (surreptitious forwarding).
        public static let wrongRecipient = Code(value: .wrongRecipient)
        /// The signed header names another encryption key than ours.
        public static let wrongRecipientKey = Code(value: .wrongRecipientKey)
        /// The signed header's `direction` is not `inbound` (a file of ours, or one mislabelled).
        public static let wrongDirection = Code(value: .wrongDirection)
        /// `created_at` lies in the future.
        public static let createdInFuture = Code(value: .createdInFuture)
        /// A new file id with a sequence number already applied (reordered or substituted file).
        public static let sequenceReused = Code(value: .sequenceReused)
        /// `previous_file_sha256` does not match the previous applied file.
        public static let chainBroken = Code(value: .chainBroken)
        /// The header's `audit_checkpoint` is not a checkpoint signed by our audit key for our log.
        public static let badWitness = Code(value: .badWitness)
        /// A local work file could not be written or moved.
        public static let io = Code(value: .io)
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
        case .wrongRecipient, .wrongRecipientKey, .wrongSender: .noPermission
        case .io: .tempFailure
        default: .dataError
        }
    }

    public static func == (lhs: InboundError, rhs: InboundError) -> Bool { lhs.code == rhs.code }
}
