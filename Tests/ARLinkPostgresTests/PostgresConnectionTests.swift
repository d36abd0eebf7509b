import ARLinkConfig
import ARLinkCore
import ARLinkPostgres
import ARLinkTestSupport
import Foundation
import PostgresNIO
import Testing

extension PostgresSuites {
    @Suite("PostgreSQL connections (a real server)", .serialized, .timeLimit(.minutes(10)))
    struct PostgresConnectionTests {
        @Test("the test server starts on a free loopback port and answers psql and arlink's connection with a password")
        func connectsWithPassword() throws {
            try TestCluster.withServer { server in
                #expect(try server.psql("SELECT 1 + 1") == "2")
                let connection = try TestCluster.admin(server)
                defer { connection.close() }
                let rows = try connection.query("SELECT current_user, inet_server_port(), \(Int64(41)) + 1")
                let (user, port, answer) = try rows[0].decode((String, Int32, Int64).self)
                #expect(user == server.adminUser)
                #expect(Int(port) == server.port)
                #expect(answer == 42)
                // The application name arlink sets is what the server shows.
                #expect(try server.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'arlink-test'") == "1")
            }
        }

        @Test("a wrong password is refused with exit 77 and the message holds no password")
        func wrongPassword() throws {
            try TestCluster.withServer { server in
                let wrong = server.folder + "/wrong.password"
                try Data("not-the-password".utf8).write(to: URL(fileURLWithPath: wrong))
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: wrong)
                let error = try #require(throws: PostgresStoreError.self) {
                    _ = try BlockingPostgresConnection(TestCluster.endpoint(server, passwordFile: wrong))
                }
                #expect(error.code == .authentication)
                #expect(error.exitStatus == .noPermission)
                #expect(error.sqlState == "28P01")
                #expect(!error.description.contains("not-the-password"))
                #expect(!error.description.contains(try server.adminPassword))
            }
        }

        @Test("a password file others may read is refused with exit 77 before connecting")
        func loosePasswordFile() throws {
            try TestCluster.withServer { server in
                let loose = server.folder + "/loose.password"
                try Data(try server.adminPassword.utf8).write(to: URL(fileURLWithPath: loose))
                try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: loose)
                let error = try #require(throws: ConfigError.self) {
                    _ = try BlockingPostgresConnection(TestCluster.endpoint(server, passwordFile: loose))
                }
                #expect(error.code == .unsafePermissions)
                #expect(error.exitStatus == .noPermission)
                #expect(error.message.contains(loose) && error.message.contains("640"))
                #expect(!error.message.contains(try server.adminPassword))
            }
        }

        @Test("sslmode verify-full against a server without TLS is refused (77), never a silent plaintext connection")
        func tlsRequired() throws {
            try TestCluster.withServer { server in
                var settings = TestCluster.settings(server)
                settings.sslMode = .verifyFull
                let error = try #require(throws: PostgresStoreError.self) {
                    _ = try BlockingPostgresConnection(PostgresEndpoint(settings))
                }
                #expect(error.code == .tls, "\(error)")
                #expect(error.exitStatus == .noPermission)
                settings.sslMode = .require
                let required = try #require(throws: PostgresStoreError.self) {
                    _ = try BlockingPostgresConnection(PostgresEndpoint(settings))
                }
                #expect(required.code == .tls, "\(required)")
            }
        }

        @Test("a server that is not there fails with exit 75 within the deadline")
        func unreachable() throws {
            let port = try TransportProcess.freePort()
            let settings = PostgresStateSettings(host: "127.0.0.1", port: port, user: "arlink", database: "arlink", sslMode: .disable)
            let clock = ContinuousClock()
            let started = clock.now
            let error = try #require(throws: PostgresStoreError.self) {
                _ = try BlockingPostgresConnection(PostgresEndpoint(settings), timeout: .seconds(10))
            }
            #expect(error.code == .unavailable || error.code == .timeout, "\(error)")
            #expect(error.exitStatus == .tempFailure)
            #expect(clock.now - started < .seconds(15))
            #expect(error.message.contains("postgresql://arlink@127.0.0.1:\(port)/arlink"))
        }

        @Test("a statement error carries the server's SQLSTATE and message; a transaction that throws leaves nothing")
        func statementErrorsAndRollback() throws {
            try TestCluster.withServer { server in
                let connection = try TestCluster.admin(server)
                defer { connection.close() }
                try connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
                let error = try #require(throws: PostgresStoreError.self) {
                    try connection.execute("SELECT * FROM no_such_table")
                }
                #expect(error.sqlState == "42P01")
                #expect(error.message.contains("no_such_table"))
                struct Stop: Error {}
                #expect(throws: Stop.self) {
                    try connection.transaction {
                        try connection.execute("INSERT INTO t VALUES (1)")
                        throw Stop()
                    }
                }
                #expect(try server.psql("SELECT count(*) FROM t") == "0")
                try connection.transaction { try connection.execute("INSERT INTO t VALUES (2)") }
                #expect(try server.psql("SELECT id FROM t") == "2")
            }
        }

        @Test("a statement that outlives its deadline fails with exit 75 and closes the connection")
        func statementDeadline() throws {
            try TestCluster.withServer { server in
                let connection = try BlockingPostgresConnection(TestCluster.endpoint(server), timeout: .seconds(1))
                defer { connection.close() }
                let error = try #require(throws: PostgresStoreError.self) {
                    try connection.execute("SELECT pg_sleep(30)")
                }
                #expect(error.code == .timeout)
                #expect(error.exitStatus == .tempFailure)
                #expect(Wait.until(timeout: .seconds(5)) { connection.isClosed })
            }
        }
    }
}
