public import ARLinkCore

/// Errors of the state store. Equality compares the code only.
public struct StoreError: ARLinkFailure, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case open = "store.open"
            case conflict = "store.conflict"
            case corrupt = "store.corrupt"
            case notFound = "store.not_found"
            case storage = "store.storage"
        }
        fileprivate let value: Value
        public var description: String { value.rawValue }
        public static let open = Code(value: .open)
        public static let conflict = Code(value: .conflict)
        public static let corrupt = Code(value: .corrupt)
        public static let notFound = Code(value: .notFound)
        /// The database's disk is full or failing (SQLITE_FULL, SQLITE_IOERR): exit 75.
        public static let storage = Code(value: .storage)
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
        case .open, .storage: .tempFailure
        case .corrupt: .software
        default: .software
        }
    }

    public static func == (lhs: StoreError, rhs: StoreError) -> Bool { lhs.code == rhs.code }
}
