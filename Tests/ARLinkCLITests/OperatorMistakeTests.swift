import ARLinkTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a careless operator can do with the command line, tested on the built `arlink` binary
/// over a small demo: every mistake is refused with its exit code and changes nothing.
@Suite("Careless operators (the built executable)", .serialized,
       .enabled(if: FileManager.default.isExecutableFile(atPath: RepositoryPaths.arlinkExecutable),
                "needs the arlink executable next to the test bundle (build the whole package)"), .timeLimit(.minutes(10)))
struct OperatorMistakeTests {
    static var arlink: String { RepositoryPaths.arlinkExecutable }

    static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> ProcessResult {
        try ProcessRunner.run(arlink, arguments, environment: environment, currentDirectory: RepositoryPaths.root)
    }

    /// A small demo in `dir/d`; returns its configuration file.
    static func demo(_ dir: TemporaryDirectory) throws -> String {
        let demo = try run(["demo", "--workdir", dir.file("d"), "--customers", "200", "--open-items", "2000"])
        try #require(demo.status == 0, "\(demo.stderr)")
        return dir.file("d/arlink.yaml")
    }

    static func sql(_ dir: TemporaryDirectory, _ query: String) throws -> String {
        try ProcessRunner.run("sqlite3", [dir.file("d/state/arlink.sqlite"), query]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `days` from today (UTC), as YYYY-MM-DD.
    static func day(_ days: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: Date().addingTimeInterval(Double(days) * 86_400))
    }

    @Test("an --as-of date before the latest batch is refused with 64 and changes nothing, unless --allow-backdated")
    func backdated() throws {
        let dir = try TemporaryDirectory("backdated")
        defer { dir.remove() }
        let config = try Self.demo(dir)
        let entries = try Self.sql(dir, "SELECT COUNT(*) FROM audit_entry")
        let earlier = Self.day(-30)
        for extra in [[], ["--dry-run"]] {
            let refused = try Self.run(["outbound", "run", "--config", config, "--as-of", earlier] + extra)
            #expect(refused.status == 64, "\(extra): \(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.contains("--as-of \(earlier) is earlier than partner acme-collect's latest batch"), "\(refused.stderr)")
            #expect(refused.stderr.contains("recalls accounts that are eligible today"), "\(refused.stderr)")
            #expect(refused.stderr.contains("--allow-backdated"), "\(refused.stderr)")
        }
        #expect(try Self.sql(dir, "SELECT COUNT(*) FROM outbound_batch") == "1")
        #expect(try Self.sql(dir, "SELECT COUNT(*) FROM audit_entry") == entries, "nothing recorded")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("d/partner/inbox")).filter { $0.contains("_portfolio_") }.count == 1)
        // The same day as the latest batch is no backdating: it repeats safely.
        let same = try Self.run(["outbound", "run", "--config", config])
        #expect(same.status == 0, "\(same.stderr)")
        // Asked for explicitly, the backdated batch is built: it recalls what was not yet overdue then.
        let allowed = try Self.run(["outbound", "run", "--config", config, "--as-of", earlier, "--allow-backdated"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(try Self.sql(dir, "SELECT COUNT(*) FROM outbound_batch WHERE as_of = '\(earlier)' AND state = 'delivered'") == "1")
        #expect(try Self.sql(dir, "SELECT COUNT(*) FROM placement_event WHERE action = 'recall'") != "0")
    }

    @Test("a dry run after a crash left a batch built says it is built, not yet delivered; the next run delivers it")
    func builtNotDelivered() throws {
        let dir = try TemporaryDirectory("pending-dry-run")
        defer { dir.remove() }
        let config = try Self.demo(dir)
        let date = Self.day(15)
        let killed = try Self.run(["outbound", "run", "--config", config, "--as-of", date], environment: ["ARLINK_FAILPOINT": "outbound.built"])
        #expect(killed.status == 9 || killed.status == 137, "expected death by SIGKILL, got \(killed.status): \(killed.stderr)")
        try #require(try Self.sql(dir, "SELECT state FROM outbound_batch WHERE as_of = '\(date)'") == "built")
        let dry = try Self.run(["outbound", "run", "--config", config, "--as-of", date, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("partner acme-collect: built, not yet delivered: the next run delivers it"), "\(dry.stdout)")
        #expect(!dry.stdout.contains("already delivered"), "\(dry.stdout)")
        let json = try Self.run(["outbound", "run", "--config", config, "--as-of", date, "--dry-run", "--log-format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["partners"] as? [[String: Any]])?.first?["outcome"] as? String == "built_not_delivered", "\(json.stdout)")
        #expect(try Self.sql(dir, "SELECT state FROM outbound_batch WHERE as_of = '\(date)'") == "built", "a dry run writes nothing")
        let finished = try Self.run(["outbound", "run", "--config", config, "--as-of", date])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try Self.sql(dir, "SELECT state FROM outbound_batch WHERE as_of = '\(date)'") == "delivered")
        let after = try Self.run(["outbound", "run", "--config", config, "--as-of", date, "--dry-run"])
        #expect(after.stdout.contains("partner acme-collect: already delivered"), "\(after.stdout)")
    }

    @Test("keys check while a run holds the lock stops with 75 and records nothing")
    func keysCheckTakesTheLock() throws {
        let dir = try TemporaryDirectory("keys-lock")
        defer { dir.remove() }
        let config = try Self.demo(dir)
        let checked = "SELECT COUNT(*) FROM audit_entry WHERE action = 'keys.checked'"
        let before = try Self.sql(dir, checked)
        let fd = open(dir.file("d/state/arlink.sqlite.lock"), O_RDWR | O_CLOEXEC)
        try #require(fd >= 0)
        try #require(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let busy = try Self.run(["keys", "check", "--config", config])
        #expect(busy.status == 75, "\(busy.stdout)\(busy.stderr)")
        #expect(busy.stderr.contains("another arlink run"), "\(busy.stderr)")
        #expect(try Self.sql(dir, checked) == before, "not audited")
        close(fd)
        let free = try Self.run(["keys", "check", "--config", config])
        #expect(free.status == 0, "\(free.stdout)\(free.stderr)")
        #expect(try Self.sql(dir, checked) == String((Int(before) ?? 0) + 1))
    }
}
