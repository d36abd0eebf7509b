public import ARLinkCore
import PostgresNIO

/// Errors of the PostgreSQL backend. Messages name the server (`user@host:port/db`), never a
/// password, and carry the server's SQLSTATE and message but no bound values.
/// Equality compares the code only.
public struct PostgresStoreError: ARLinkFailure, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case unavailable = "postgres.unavailable"
            case timeout = "postgres.timeout"
            case authentication = "postgres.authentication"
            case tls = "postgres.tls"
            case refused = "postgres.refused"
            case query = "postgres.query"
            case fenced = "postgres.fenced"
            case migration = "postgres.migration"
        }
        fileprivate let value: Value
        public var description: String { value.rawValue }
        /// The server cannot be reached or the connection was lost: exit 75, the next run retries.
        public static let unavailable = Code(value: .unavailable)
        /// An operation did not finish within its deadline: exit 75.
        public static let timeout = Code(value: .timeout)
        /// The server refused the user or password: exit 77.
        public static let authentication = Code(value: .authentication)
        /// TLS failed (no TLS offered, certificate not trusted or not naming the host): exit 77.
        public static let tls = Code(value: .tls)
        /// The server refused a statement for lack of privilege, or an append-only trigger
        /// refused a change: exit 77.
        public static let refused = Code(value: .refused)
        /// Any other failed statement: exit 70.
        public static let query = Code(value: .query)
        /// This instance is no longer the leader (another took over): exit 75; nothing was committed.
        public static let fenced = Code(value: .fenced)
        /// The schema could not be migrated: exit 78.
        public static let migration = Code(value: .migration)
    }

    public let code: Code
    public let message: String
    /// The server's SQLSTATE when the server reported the error (`42501`, `P0001`).
    public let sqlState: String?

    public init(_ code: Code, _ message: String, sqlState: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
    }

    public var codeName: String { code.description }
    public var exitStatus: ExitStatus {
        switch code {
        case .unavailable, .timeout, .fenced: .tempFailure
        case .authentication, .tls, .refused: .noPermission
        case .query: .software
        case .migration: .config
        default: .software
        }
    }

    public static func == (lhs: PostgresStoreError, rhs: PostgresStoreError) -> Bool { lhs.code == rhs.code }

    /// Translates a PostgresNIO (or NIO) error into a message without secrets.
    /// - Parameters:
    ///   - what: what was being done (`connecting to postgresql://…`, `migration audit-v1`).
    static func from(_ error: any Error, while what: String) -> PostgresStoreError {
        if let error = error as? PostgresStoreError { return error }
        guard let error = error as? PSQLError else {
            let text = String(describing: error)
            let lowered = text.lowercased()
            if lowered.contains("ssl") || lowered.contains("tls") || lowered.contains("certificate") || lowered.contains("handshake") {
                return PostgresStoreError(.tls, "\(what): TLS failed: \(text.prefix(300))")
            }
            return PostgresStoreError(.unavailable, "\(what): \(text.prefix(300))")
        }
        if error.code == .server, let info = error.serverInfo {
            let state = info[.sqlState] ?? "?"
            let message = info[.message] ?? "(no message)"
            let text = "\(what): the server refused it (SQLSTATE \(state)): \(message)"
            switch state {
            case "28P01", "28000": return PostgresStoreError(.authentication, text, sqlState: state)
            case "42501", "P0001": return PostgresStoreError(.refused, text, sqlState: state)
            case "57P01", "57P02", "57P03", "08000", "08003", "08006": return PostgresStoreError(.unavailable, text, sqlState: state)
            default: return PostgresStoreError(.query, text, sqlState: state)
            }
        }
        switch error.code {
        case .sslUnsupported, .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return PostgresStoreError(.tls, "\(what): the server does not offer TLS (\(error.code)); set sslmode or enable ssl on the server")
        case .authMechanismRequiresPassword:
            return PostgresStoreError(.authentication, "\(what): the server asks for a password: set state.password_file or state.password_env")
        case .unsupportedAuthMechanism, .saslError:
            return PostgresStoreError(.authentication, "\(what): authentication failed (\(error.code))")
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
            let cause = error.underlying.map { ": \(String(describing: $0).prefix(300))" } ?? ""
            let lowered = cause.lowercased()
            if lowered.contains("ssl") || lowered.contains("certificate") || lowered.contains("handshake") {
                return PostgresStoreError(.tls, "\(what): TLS failed\(cause)")
            }
            return PostgresStoreError(.unavailable, "\(what): the connection failed or was lost (\(error.code))\(cause)")
        default:
            return PostgresStoreError(.query, "\(what): \(error.code)")
        }
    }
}
