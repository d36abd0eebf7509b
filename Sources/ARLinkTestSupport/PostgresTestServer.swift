import Foundation
import Synchronization

/// A real PostgreSQL server (Debian's `postgresql`) in a private temporary folder, for the
/// PostgreSQL backend's tests: `initdb` and `pg_ctl` on a free loopback port, its Unix socket
/// in the same folder, stopped and removed by ``stop()`` (call it in a `defer`).
///
/// The cluster has one superuser, ``adminUser``, with a random password (in ``adminPasswordFile``,
/// mode 600): TCP connections authenticate with SCRAM-SHA-256, so a test of `password_file`
/// checks a real password exchange; connections over the Unix socket (``psql(_:user:database:)``)
/// are trusted. PostgreSQL refuses to run as root: when the tests run as root (CI, containers)
/// the cluster belongs to the system user ``systemUser`` (created with `useradd --system` when
/// missing) and `initdb`/`pg_ctl` run through `runuser`.
///
/// Nothing is skipped: when the binaries are missing or the server does not start, ``start(label:)``
/// throws with the server's log, and the test fails.
public final class PostgresTestServer: Sendable {
    /// The folder holding the cluster (`data/`), the socket, the log and the password file.
    public let folder: String
    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// The cluster's superuser (the administrator role of the tests).
    public let adminUser = "arlink_admin"
    /// The file holding ``adminUser``'s password (mode 600, no newline at the end).
    public let adminPasswordFile: String
    /// The folder holding PostgreSQL's programs (`initdb`, `pg_ctl`, `postgres`).
    public let binaries: String
    private let stopped = Mutex(false)

    /// The system user owning clusters started by root.
    public static let systemUser = "arlink-pg"

    /// The server log (`server.log`), for failure messages.
    public var log: String {
        (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? "(no server log)"
    }

    /// `postgresql://adminUser@127.0.0.1:port/database`, for `state.database`.
    public func url(user: String? = nil, database: String = "postgres") -> String {
        "postgresql://\(user ?? adminUser)@127.0.0.1:\(port)/\(database)"
    }

    /// Creates a cluster and starts its server; retries with another port when the first was
    /// taken in between.
    /// - Throws: ``PostgresTestServerError`` naming what failed, with the server's log.
    public static func start(label: String = "pg") throws -> PostgresTestServer {
        let binaries = try findBinaries()
        let folder = try TransportTestFolder(label).path
        do {
            let password = (0..<24).map { _ in "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".randomElement()! }
            let passwordFile = folder + "/admin.password"
            try Data(String(password).utf8).write(to: URL(fileURLWithPath: passwordFile))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passwordFile)
            let owner = getuid() == 0 ? try ensureSystemUser() : nil
            if let owner {
                try checked("/bin/chown", ["-R", owner, folder], what: "chown of the cluster folder")
            }
            try checked(binaries + "/initdb", ["-D", folder + "/data", "-U", "arlink_admin", "--pwfile=" + passwordFile,
                                               "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"],
                        as: owner, what: "initdb")
            var lastLog = ""
            for _ in 0..<5 {
                let port = try TransportProcess.freePort()
                let options = "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40"
                let started = try runSpawned(binaries + "/pg_ctl", ["-D", folder + "/data", "-l", folder + "/server.log", "-w", "-t", "60",
                                                                    "-o", options, "start"], as: owner, output: folder + "/pg_ctl.out")
                if started == 0 {
                    return PostgresTestServer(folder: folder, port: port, adminPasswordFile: passwordFile, binaries: binaries)
                }
                lastLog = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8))
                    ?? (try? String(contentsOfFile: folder + "/pg_ctl.out", encoding: .utf8)) ?? "pg_ctl exited \(started)"
                // A port taken in between shows as "could not bind"; anything else will not get better.
                if !lastLog.contains("could not bind") && !lastLog.contains("already in use") { break }
            }
            throw PostgresTestServerError("the PostgreSQL server did not start; its log:\n\(lastLog)")
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
    }

    private init(folder: String, port: Int, adminPasswordFile: String, binaries: String) {
        self.folder = folder
        self.port = port
        self.adminPasswordFile = adminPasswordFile
        self.binaries = binaries
    }

    /// The administrator's password (for tests that write their own password file).
    public var adminPassword: String {
        get throws { try String(contentsOfFile: adminPasswordFile, encoding: .utf8) }
    }

    /// Runs SQL through `psql` (an independent client) over the Unix socket, stopping at the
    /// first error.
    /// - Returns: psql's unaligned, tuples-only output (`-At`), fields separated by `|`.
    /// - Throws: ``PostgresTestServerError`` with psql's message when the SQL fails.
    @discardableResult
    public func psql(_ sql: String, user: String? = nil, database: String = "postgres") throws -> String {
        let result = try ProcessRunner.run(psqlPath, ["-h", folder, "-p", String(port), "-U", user ?? adminUser, "-d", database,
                                                      "-v", "ON_ERROR_STOP=1", "-X", "-q", "-At", "-c", sql], timeout: 60)
        guard result.status == 0 else {
            throw PostgresTestServerError("psql as \(user ?? adminUser) failed (exit \(result.status)): \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .newlines)
    }

    /// Like ``psql(_:user:database:)`` but returns the failure instead of throwing it.
    public func psqlResult(_ sql: String, user: String? = nil, database: String = "postgres") throws -> ProcessResult {
        try ProcessRunner.run(psqlPath, ["-h", folder, "-p", String(port), "-U", user ?? adminUser, "-d", database,
                                         "-v", "ON_ERROR_STOP=1", "-X", "-q", "-At", "-c", sql], timeout: 60)
    }

    /// Stops the server (`pg_ctl stop -m immediate`) and removes its folder. Safe to call twice.
    public func stop() {
        let already = stopped.withLock { value in
            defer { value = true }
            return value
        }
        if already { return }
        let owner = getuid() == 0 ? Self.systemUser : nil
        let status = try? Self.runSpawned(binaries + "/pg_ctl", ["-D", folder + "/data", "-m", "immediate", "-w", "-t", "30", "stop"],
                                          as: owner, output: folder + "/pg_ctl.out")
        if status != 0, let pidText = try? String(contentsOfFile: folder + "/data/postmaster.pid", encoding: .utf8),
           let pid = Int32(pidText.split(separator: "\n").first ?? "") {
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Where `psql` is (Debian's `postgresql-client`).
    var psqlPath: String {
        FileManager.default.isExecutableFile(atPath: binaries + "/psql") ? binaries + "/psql" : "/usr/bin/psql"
    }

    /// The folder with `initdb`, `pg_ctl` and `postgres`: Debian's `/usr/lib/postgresql/<version>/bin`
    /// (highest version first), else the folders on `PATH`.
    public static func findBinaries() throws -> String {
        let fm = FileManager.default
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap { Int($0) }.sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for folder in versions + path where ["initdb", "pg_ctl", "postgres"].allSatisfy({ fm.isExecutableFile(atPath: folder + "/" + $0) }) {
            return folder
        }
        throw PostgresTestServerError("""
            PostgreSQL's initdb, pg_ctl and postgres were found neither under /usr/lib/postgresql/*/bin nor on PATH: \
            install Debian's postgresql package (scripts/setup.sh does)
            """)
    }

    /// Creates the system user owning the clusters when it does not exist yet (two test processes
    /// may race: the loser's `useradd` fails and the user exists).
    static func ensureSystemUser() throws -> String {
        let exists = { (try? TransportProcess.run("/usr/bin/id", ["-u", systemUser]).status) == 0 }
        if exists() { return systemUser }
        let added = try TransportProcess.run("/usr/sbin/useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", systemUser])
        guard added.status == 0 || exists() else {
            throw PostgresTestServerError("cannot create the system user \(systemUser) for the test cluster: \(added.stderr)")
        }
        return systemUser
    }

    /// Runs a PostgreSQL program, as `owner` through `runuser` when given, with a deadline.
    static func run(_ executable: String, _ arguments: [String], as owner: String?) throws -> ProcessResult {
        let command = serverCommand(executable, arguments, as: owner)
        return try ProcessRunner.run(command[0], Array(command.dropFirst()), currentDirectory: "/", timeout: 120)
    }

    /// The command line running a PostgreSQL program as `owner` (through `runuser`), without
    /// libfaketime: the suite also runs with the clock shifted (scripts/test-clock-shift.sh),
    /// and a database server keeps its own clock (its timers, `lock_timeout` among them, stall
    /// under a shifted one).
    static func serverCommand(_ executable: String, _ arguments: [String], as owner: String?) -> [String] {
        let clean = ["/usr/bin/env", "-u", "LD_PRELOAD", "-u", "FAKETIME", "-u", "FAKETIME_DONT_FAKE_MONOTONIC", "-u", "NO_FAKE_STAT"]
        return clean + (owner.map { ["/usr/sbin/runuser", "-u", $0, "--"] } ?? []) + [executable] + arguments
    }

    /// Runs `pg_ctl` through posix_spawn (``TransportProcess/spawnServer(_:_:logPath:)``), its
    /// output appended to `output`, and reaps it: Foundation's `Process` may wait forever for a
    /// `pg_ctl start` whose server (its grandchild) lives on.
    /// - Returns: the exit status (-1 when it was killed after 120 s).
    static func runSpawned(_ executable: String, _ arguments: [String], as owner: String?, output: String) throws -> Int32 {
        let command = serverCommand(executable, arguments, as: owner)
        let child = try TransportProcess.spawnServer(command[0], Array(command.dropFirst()), logPath: output)
        var status: Int32 = 0
        let exited = Wait.until(timeout: .seconds(120), interval: .milliseconds(20)) { waitpid(child, &status, WNOHANG) == child }
        guard exited else {
            kill(child, SIGKILL)
            waitpid(child, &status, 0)
            return -1
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    static func checked(_ executable: String, _ arguments: [String], as owner: String? = nil, what: String) throws {
        let result = try run(executable, arguments, as: owner)
        guard result.status == 0 else {
            throw PostgresTestServerError("\(what) failed (exit \(result.status)\(result.timedOut ? ", killed after 120 s" : "")): \(result.stderr)\(result.stdout)")
        }
    }
}

/// A failure of the test server, with what the tools said.
public struct PostgresTestServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
