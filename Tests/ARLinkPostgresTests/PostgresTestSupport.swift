import ARLinkConfig
import ARLinkPostgres
import ARLinkTestSupport
import Testing
import Foundation

/// Connections to a ``PostgresTestServer`` the way arlink makes them: from `PostgresStateSettings`.
enum TestCluster {
    /// Settings for `user` (the administrator by default) over TCP on loopback, without TLS,
    /// with the password from `passwordFile`.
    static func settings(_ server: PostgresTestServer, user: String? = nil, passwordFile: String? = nil,
                         database: String = "postgres") -> PostgresStateSettings {
        PostgresStateSettings(host: "127.0.0.1", port: server.port, user: user ?? server.adminUser, database: database,
                              password: .file(passwordFile ?? server.adminPasswordFile), sslMode: .disable)
    }

    static func endpoint(_ server: PostgresTestServer, user: String? = nil, passwordFile: String? = nil,
                         database: String = "postgres", name: String = "arlink-test") -> PostgresEndpoint {
        PostgresEndpoint(settings(server, user: user, passwordFile: passwordFile, database: database), applicationName: name)
    }

    /// A connection as the administrator (the schema's owner).
    static func admin(_ server: PostgresTestServer, database: String = "postgres") throws -> BlockingPostgresConnection {
        try BlockingPostgresConnection(endpoint(server, database: database), timeout: .seconds(30))
    }

    /// Creates a login role with a random password, written to a mode-600 file in the server's folder.
    /// - Returns: the password file.
    static func createRole(_ server: PostgresTestServer, _ role: String) throws -> String {
        let password = String((0..<20).map { _ in "abcdefghijkmnpqrstuvwxyz23456789".randomElement()! })
        try server.psql("CREATE ROLE \(role) LOGIN PASSWORD '\(password)'")
        let file = server.folder + "/\(role).password"
        try Data(password.utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        return file
    }

    /// Starts a server, runs `body`, and stops the server; a failure to start fails the test with the log.
    static func withServer<T>(_ body: (PostgresTestServer) throws -> T) throws -> T {
        let server = try PostgresTestServer.start()
        defer { server.stop() }
        do {
            return try body(server)
        } catch {
            throw PostgresTestServerError("\(error)\n--- server log ---\n\(server.log.suffix(3000))")
        }
    }
}

/// Every suite of this target, nested here so that they run one test at a time: each test
/// blocks its thread while a real server starts and works (seconds, more on a loaded machine),
/// and Swift Testing's cooperative pool has as many threads as cores. Serialised, these suites
/// hold at most one of them, and the rest of the suite keeps running beside them.
@Suite("PostgreSQL backend", .serialized, .timeLimit(.minutes(10)))
enum PostgresSuites {}
