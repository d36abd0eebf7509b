public import ARLinkCore

/// Errors of the transport layer (drop folders, SFTP, HTTPS). Equality compares the code only.
///
/// Messages name the partner-side path or URL and the fix; they never contain passphrases
/// or key material.
public struct TransportError: ARLinkFailure, Equatable {
    /// The kind of failure; compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case unreachable = "transport.unreachable"
            case transient = "transport.transient"
            case hostKeyMismatch = "transport.host_key_mismatch"
            case authFailed = "transport.auth_failed"
            case untrustedCertificate = "transport.untrusted_certificate"
            case permissionDenied = "transport.permission_denied"
            case conflict = "transport.conflict"
            case invalidName = "transport.invalid_name"
            case notFound = "transport.not_found"
            case sizeMismatch = "transport.size_mismatch"
            case changed = "transport.changed"
            case localIO = "transport.local_io"
            case config = "transport.config"
            case keyPermissions = "transport.key_permissions"
            case protocolError = "transport.protocol"
            case `internal` = "transport.internal"
        }
        fileprivate let value: Value
        public var description: String { value.rawValue }

        /// The partner's server cannot be reached at all (refused, no route, unknown host). Exit 69.
        public static let unreachable = Code(value: .unreachable)
        /// A failure that a later run may not see (timeout, reset connection, retries exhausted). Exit 75.
        public static let transient = Code(value: .transient)
        /// The SSH server presented a host key that does not match the pin or known_hosts. Exit 77.
        public static let hostKeyMismatch = Code(value: .hostKeyMismatch)
        /// The server refused our client key or certificate. Exit 77.
        public static let authFailed = Code(value: .authFailed)
        /// The HTTPS server's certificate did not verify against the configured trust. Exit 77.
        public static let untrustedCertificate = Code(value: .untrustedCertificate)
        /// The server or the local file system refused access to a folder or file. Exit 77.
        public static let permissionDenied = Code(value: .permissionDenied)
        /// The final name already exists with different content. Exit 65.
        public static let conflict = Code(value: .conflict)
        /// A file name is not acceptable (separator, `..`, non-ASCII, too long, pattern mismatch). Exit 65.
        public static let invalidName = Code(value: .invalidName)
        /// The remote or local file does not exist. Exit 66.
        public static let notFound = Code(value: .notFound)
        /// A transfer produced a different number of bytes than expected (file changed). Exit 75.
        public static let sizeMismatch = Code(value: .sizeMismatch)
        /// A partner's file changed (size or modification time) after it was listed: it is left
        /// where it is and a later run fetches it again. Exit 75.
        public static let changed = Code(value: .changed)
        /// Reading or writing a local file failed (disk full, fsync error). Exit 75.
        public static let localIO = Code(value: .localIO)
        /// The transport settings are missing, weak or inconsistent. Exit 78.
        public static let config = Code(value: .config)
        /// A client key or passphrase file is readable or writable by group or others. Exit 77.
        public static let keyPermissions = Code(value: .keyPermissions)
        /// The server answered something the protocol does not allow (unparseable listing, HTTP status). Exit 69.
        public static let protocolError = Code(value: .protocolError)
        /// A bug or an unexpected library failure. Exit 70.
        public static let `internal` = Code(value: .internal)
    }

    /// The kind of failure.
    public let code: Code
    /// A sentence for the operator: what failed, where, and how to fix it.
    public let message: String
    /// The lower-level error, if any.
    public let underlying: (any Error & Sendable)?
    /// Source file of the throw site.
    public let file: String
    /// Source line of the throw site.
    public let line: Int

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    public var codeName: String { code.description }

    public var exitStatus: ExitStatus {
        switch code.value {
        case .unreachable, .protocolError: .unavailable
        case .transient, .sizeMismatch, .changed, .localIO: .tempFailure
        case .hostKeyMismatch, .authFailed, .untrustedCertificate, .permissionDenied, .keyPermissions: .noPermission
        case .conflict, .invalidName: .dataError
        case .notFound: .noInput
        case .config: .config
        case .internal: .software
        }
    }

    /// Whether a retry inside the same run may succeed (timeouts, resets). Trust failures never are.
    public var isTransient: Bool {
        code == .transient || code == .unreachable
    }

    public static func == (lhs: TransportError, rhs: TransportError) -> Bool { lhs.code == rhs.code }
}
