import ARLinkCore
import Foundation

/// `state.database: postgresql://user@host:port/db`: arlink's state on a PostgreSQL server
/// (docs/postgresql.md) instead of a SQLite file.
///
/// The URL carries no password: it comes from `state.password_file` (owner-only permissions,
/// like keys) or `state.password_env`, and never appears in logs, errors or audit entries.
/// ``redactedURL`` is the URL as written, which is safe to print.
public struct PostgresStateSettings: Sendable, Hashable {
    /// TLS towards the server (`state.sslmode`), with libpq's meanings.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        /// No TLS: allowed only towards a loopback host.
        case disable
        /// TLS without checking the server's certificate (protects against listening, not
        /// against a server in the middle).
        case require
        /// TLS; the certificate must chain to `ssl_root_cert` (or the system's roots) and name
        /// the host. The default.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    /// Where the password comes from; nil when the server needs none (trust, certificate).
    public var password: PassphraseSource?
    public var sslMode: SSLMode
    /// PEM file of the CA certificates that may sign the server's certificate (`state.ssl_root_cert`).
    public var sslRootCertificate: String?

    public init(host: String, port: Int = 5432, user: String, database: String, password: PassphraseSource? = nil,
                sslMode: SSLMode = .verifyFull, sslRootCertificate: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.password = password
        self.sslMode = sslMode
        self.sslRootCertificate = sslRootCertificate
    }

    /// `postgresql://user@host:port/database`: no password, safe for logs and messages.
    public var redactedURL: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgresql://\(user)@\(shownHost):\(port)/\(database)"
    }

    /// Whether `text` is meant as a PostgreSQL URL rather than a SQLite path.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Parses `postgresql://user@host[:port]/database` (also `postgres://`; an IPv6 host in
    /// brackets). Refuses a password in the URL without repeating it, and query parameters
    /// (TLS is set by `sslmode` beside the URL).
    /// - Parameter key: the key path, for messages (`state.database`).
    /// - Throws: ``ConfigError`` `.inlineSecret` or `.invalidValue` (exit 78).
    public static func parseURL(_ text: String, key: String) throws -> (host: String, port: Int, user: String, database: String) {
        let example = "expected postgresql://USER@HOST:PORT/DATABASE, e.g. postgresql://arlink@db.example.com:5432/arlink"
        guard let schemeEnd = text.range(of: "://") else {
            throw ConfigError(.invalidValue, "\(key): not a PostgreSQL URL; \(example)")
        }
        let rest = text[schemeEnd.upperBound...]
        guard let at = rest.lastIndex(of: "@") else {
            throw ConfigError(.invalidValue, "\(key): the URL names no user; \(example)")
        }
        let userPart = rest[..<at]
        if userPart.contains(":") {
            // Never echo the URL: it holds a password.
            throw ConfigError(.inlineSecret, "\(key): the URL contains a password; secrets are never written inline in the configuration: remove it from the URL and use state.password_file (a file readable only by arlink's user) or state.password_env")
        }
        let user = String(userPart)
        let afterUser = rest[rest.index(after: at)...]
        if afterUser.contains("?") || afterUser.contains("#") {
            throw ConfigError(.invalidValue, "\(key): the URL has parameters (\"?…\"); set TLS with state.sslmode and state.ssl_root_cert beside it; \(example)")
        }
        guard let slash = afterUser.firstIndex(of: "/") else {
            throw ConfigError(.invalidValue, "\(key): the URL names no database; \(example)")
        }
        let hostPort = afterUser[..<slash]
        let database = String(afterUser[afterUser.index(after: slash)...])
        var host: String
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw ConfigError(.invalidValue, "\(key): an IPv6 host must be closed by \"]\"; \(example)") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw ConfigError(.invalidValue, "\(key): expected \":PORT\" after the IPv6 host; \(example)") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            host = String(hostPort)
        }
        var port = 5432
        if let portText {
            guard let value = Int(portText), (1...65_535).contains(value) else {
                throw ConfigError(.invalidValue, "\(key): \"\(portText.prefix(8))\" is not a port (1 to 65535); \(example)")
            }
            port = value
        }
        let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        guard !user.isEmpty, user.count <= 63, user.allSatisfy(nameCharacters.contains) else {
            throw ConfigError(.invalidValue, "\(key): the user must be 1 to 63 letters, digits, \"_\", \"-\" or \".\"; \(example)")
        }
        guard !database.isEmpty, database.count <= 63, database.allSatisfy(nameCharacters.contains) else {
            throw ConfigError(.invalidValue, "\(key): the database name must be 1 to 63 letters, digits, \"_\", \"-\" or \".\"; \(example)")
        }
        let hostCharacters = nameCharacters.union(":")
        guard !host.isEmpty, host.count <= 253, host.allSatisfy(hostCharacters.contains) else {
            throw ConfigError(.invalidValue, "\(key): the host must be a host name or an IP address; \(example)")
        }
        return (host, port, user, database)
    }

    /// Whether the host is this machine's loopback (where `sslmode: disable` is allowed).
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Reads the password from its file or environment variable.
    /// - Returns: the password without a trailing newline; nil when none is configured.
    /// - Throws: ``ConfigError`` `.unsafePermissions` (exit 77) when group or others may read
    ///   the file, `.missingFile`/`.missingKey` (exit 78) when it or the variable is missing.
    ///   The message names the file or variable, never the password.
    public func readPassword() throws -> String? {
        switch password {
        case nil:
            return nil
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw ConfigError(.missingKey, "state.password_env: the environment variable \(name) is not set or empty")
            }
            return value
        case .file(let path):
            try Self.checkOwnerOnly(path)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError(.missingFile, "state.password_file: cannot read \(path)")
            }
            var bytes = [UInt8](data)
            while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
            guard !bytes.isEmpty, let text = String(validating: bytes, as: UTF8.self) else {
                throw ConfigError(.invalidValue, "state.password_file: \(path) is empty or not UTF-8 text")
            }
            return text
        }
    }

    /// Refuses a password file that group or others may read or write (as keys are refused).
    static func checkOwnerOnly(_ path: String) throws {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw ConfigError(.missingFile, "state.password_file: \(path) does not exist or cannot be read")
        }
        if let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            throw ConfigError(.unsafePermissions, "state.password_file: \(path) may be read by group or others (mode \(String(mode, radix: 8))); refused: chmod 600 it")
        }
    }
}

extension StateSettings {
    /// Stops a job whose `state.database` names PostgreSQL: the jobs still run on SQLite only.
    /// - Parameter what: the command, for the message (`outbound run`).
    /// - Throws: ``ConfigError`` `.unsupportedBackend` (exit 78).
    public func requireSQLite(for what: String) throws {
        guard let postgres else { return }
        throw ConfigError(.unsupportedBackend, """
            state.database: \(postgres.redactedURL) is a PostgreSQL database; the PostgreSQL backend currently provides \
            leadership and migrations only, and the jobs still need SQLite, so \(what) did not start: set state.database \
            to a SQLite file path (docs/postgresql.md says what exists)
            """)
    }
}
