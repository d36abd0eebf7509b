import ARLinkConfig
import ARLinkCore
import ARLinkTestSupport
import Foundation
import Testing

extension PostgresSuites {
    @Suite("state.database as a PostgreSQL URL", .timeLimit(.minutes(10)))
    struct StateConfigTests {
        static let sqliteState = "state:\n  database: state/arlink.sqlite\n  work_dir: state/work\n"

        /// The demo configuration with the example keys beside it and `state:` replaced by `state`.
        static func folder(state: String) throws -> TemporaryDirectory {
            let dir = try TemporaryDirectory("pgconfig")
            try RepositoryPaths.copyExampleKeys(to: dir.path)
            let yaml = try String(contentsOfFile: RepositoryPaths.root + "/config/demo.yaml", encoding: .utf8)
            #expect(yaml.contains(sqliteState))
            try dir.write("arlink.yaml", yaml.replacingOccurrences(of: sqliteState, with: state))
            return dir
        }

        static func load(state: String, files: [String: (String, Int)] = [:]) throws -> ArlinkConfiguration {
            let dir = try folder(state: state)
            defer { dir.remove() }
            for (name, (text, mode)) in files { try dir.write(name, text, mode: mode) }
            return try ArlinkConfiguration.load(path: dir.file("arlink.yaml"))
        }

        @Test("a postgresql URL with password_file, sslmode and ssl_root_cert is parsed; a path keeps SQLite")
        func parses() throws {
            let config = try Self.load(state: """
                state:
                  database: postgresql://arlink@db.example.com:6543/arlink_state
                  password_file: pg.password
                  sslmode: verify-full
                  ssl_root_cert: pg-ca.pem
                  work_dir: state/work

                """, files: ["pg.password": ("s3cret-value\n", 0o600), "pg-ca.pem": ("-----BEGIN CERTIFICATE-----\n", 0o644)])
            let postgres = try #require(config.state.postgres)
            #expect(postgres.host == "db.example.com")
            #expect(postgres.port == 6543)
            #expect(postgres.user == "arlink")
            #expect(postgres.database == "arlink_state")
            #expect(postgres.sslMode == .verifyFull)
            #expect(postgres.sslRootCertificate?.hasSuffix("/pg-ca.pem") == true)
            guard case .file(let file) = postgres.password else { Issue.record("expected a password file"); return }
            #expect(file.hasSuffix("/pg.password"))
            #expect(config.state.databasePath == "postgresql://arlink@db.example.com:6543/arlink_state")
            #expect(try Self.load(state: Self.sqliteState).state.postgres == nil)

            let defaults = try Self.load(state: "state:\n  database: postgres://arlink@[::1]/arlink\n  work_dir: w\n")
            #expect(defaults.state.postgres?.host == "::1")
            #expect(defaults.state.postgres?.port == 5432)
            #expect(defaults.state.postgres?.sslMode == .verifyFull)
            #expect(defaults.state.postgres?.redactedURL == "postgresql://arlink@[::1]:5432/arlink")
        }

        @Test("a password in the URL is refused without repeating it", arguments: [
            "postgresql://arlink:Hunter2xyz@db.example.com/arlink", "postgresql://arlink:Hunter2xyz@db:5432/arlink",
        ])
        func passwordInURL(url: String) throws {
            let error = try #require(throws: ConfigError.self) { _ = try Self.load(state: "state:\n  database: \(url)\n  work_dir: w\n") }
            #expect(error.code == .inlineSecret)
            #expect(error.exitStatus == .config)
            #expect(!error.message.contains("Hunter2xyz"))
            #expect(error.message.contains("state.password_file"))
        }

        @Test("bad URLs and options are refused with the key and the fix", arguments: [
            ("postgresql://db.example.com/arlink", "names no user"),
            ("postgresql://arlink@db.example.com", "names no database"),
            ("postgresql://arlink@db.example.com:99999/arlink", "is not a port"),
            ("postgresql://arlink@db.example.com/arlink?sslmode=disable", "state.sslmode"),
            ("postgresql://arl ink@db/arlink", "the user must be"),
        ])
        func badURLs(url: String, expected: String) throws {
            let error = try #require(throws: ConfigError.self) { _ = try Self.load(state: "state:\n  database: \(url)\n  work_dir: w\n") }
            #expect(error.exitStatus == .config)
            #expect(error.message.hasPrefix("state.database: "), "\(error.message)")
            #expect(error.message.contains(expected), "\(error.message)")
        }

        @Test("sslmode: unknown values, disable towards another host, and PostgreSQL keys beside a SQLite path are refused")
        func badOptions() throws {
            let unknown = try #require(throws: ConfigError.self) {
                _ = try Self.load(state: "state:\n  database: postgresql://a@db/b\n  sslmode: prefer\n  work_dir: w\n")
            }
            #expect(unknown.message.contains("state.sslmode") && unknown.message.contains("verify-full"))
            let plain = try #require(throws: ConfigError.self) {
                _ = try Self.load(state: "state:\n  database: postgresql://a@db.example.com/b\n  sslmode: disable\n  work_dir: w\n")
            }
            #expect(plain.message.contains("not this machine"))
            #expect(try Self.load(state: "state:\n  database: postgresql://a@127.0.0.1/b\n  sslmode: disable\n  work_dir: w\n").state.postgres?.sslMode == .disable)
            let sqliteWithPassword = try #require(throws: ConfigError.self) {
                _ = try Self.load(state: "state:\n  database: state/x.sqlite\n  password_env: PGPASS\n  work_dir: w\n")
            }
            #expect(sqliteWithPassword.message.contains("state.password_env: only for a PostgreSQL"))
            let inline = try #require(throws: ConfigError.self) {
                _ = try Self.load(state: "state:\n  database: postgresql://a@db/b\n  password: Hunter2xyz\n  work_dir: w\n")
            }
            #expect(inline.code == .inlineSecret && !inline.message.contains("Hunter2xyz"))
        }

        @Test("a password file group or others may read is refused with exit 77, as keys are")
        func loosePasswordFile() throws {
            let error = try #require(throws: ConfigError.self) {
                _ = try Self.load(state: "state:\n  database: postgresql://a@db/b\n  password_file: pg.password\n  work_dir: w\n",
                                  files: ["pg.password": ("s3cret-value", 0o644)])
            }
            #expect(error.code == .unsafePermissions)
            #expect(error.exitStatus == .noPermission)
            #expect(error.message.contains("644") && !error.message.contains("s3cret-value"))
        }

        @Test("the password comes from the file without its newline, or from the environment")
        func readsPassword() throws {
            let config = try Self.load(state: "state:\n  database: postgresql://a@db/b\n  password_file: pg.password\n  work_dir: w\n",
                                       files: ["pg.password": ("s3cret-value\n", 0o600)])
            // The folder is gone: reading now fails with 78, naming the file.
            let missing = try #require(throws: ConfigError.self) { _ = try config.state.postgres?.readPassword() }
            #expect(missing.exitStatus == .config)
            let dir = try TemporaryDirectory("pw")
            defer { dir.remove() }
            let file = try dir.write("p", "s3cret-value\n", mode: 0o600)
            #expect(try PostgresStateSettings(host: "h", user: "u", database: "d", password: .file(file)).readPassword() == "s3cret-value")
            let env = PostgresStateSettings(host: "h", user: "u", database: "d", password: .environment("ARLINK_TEST_UNSET_\(UUID().uuidString.prefix(6))"))
            #expect(throws: ConfigError.self) { _ = try env.readPassword() }
        }

        @Test("a job given a PostgreSQL database stops with exit 78 saying the jobs still need SQLite, and creates nothing",
              arguments: [["outbound", "run"], ["inbound", "run"], ["init"], ["audit", "verify"]])
        func jobsRefuse(command: [String]) throws {
            let dir = try Self.folder(state: "state:\n  database: postgresql://arlink@127.0.0.1:1/arlink\n  sslmode: disable\n  create: true\n  work_dir: state/work\n")
            defer { dir.remove() }
            let before = try FileManager.default.subpathsOfDirectory(atPath: dir.path).sorted()
            let result = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, command + ["--config", dir.file("arlink.yaml")], timeout: 120)
            #expect(result.status == 78, "\(command): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("the PostgreSQL backend currently provides leadership and migrations only, and the jobs still need SQLite"),
                    "\(result.stderr)")
            #expect(result.stderr.contains("postgresql://arlink@127.0.0.1:1/arlink"))
            let after = try FileManager.default.subpathsOfDirectory(atPath: dir.path).sorted()
            #expect(after == before, "\(command) created \(Set(after).subtracting(before).sorted())")
        }
    }
}
