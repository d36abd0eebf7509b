import ARLinkTestSupport
import Foundation
import Testing

/// `outbound run --dry-run` tells the truth: what a run would send with its totals, that a
/// date was already delivered, and it creates nothing (on the built `arlink` binary).
@Suite("Outbound dry runs (the built executable)", .serialized,
       .enabled(if: FileManager.default.isExecutableFile(atPath: RepositoryPaths.arlinkExecutable),
                "needs the arlink executable next to the test bundle (build the whole package)"), .timeLimit(.minutes(10)))
struct OutboundDryRunTests {
    static func run(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run(RepositoryPaths.arlinkExecutable, arguments, currentDirectory: RepositoryPaths.root)
    }

    static func sql(_ dir: TemporaryDirectory, _ query: String) throws -> String {
        try ProcessRunner.run("sqlite3", [dir.file("d/state/arlink.sqlite"), query]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func demo(_ dir: TemporaryDirectory) throws -> String {
        let demo = try run(["demo", "--workdir", dir.file("d"), "--customers", "200", "--open-items", "2000"])
        try #require(demo.status == 0, "\(demo.stderr)")
        return dir.file("d/arlink.yaml")
    }

    static func partner(_ stdout: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
        return try #require((object?["partners"] as? [[String: Any]])?.first, "\(stdout)")
    }

    static func day(_ days: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: Date().addingTimeInterval(Double(days) * 86_400))
    }

    @Test("a dry run prints the totals the real run then sends, changes nothing, and on a delivered date says it was delivered")
    func totalsAndDelivered() throws {
        let dir = try TemporaryDirectory("dry-totals")
        defer { dir.remove() }
        let config = try Self.demo(dir)
        let date = Self.day(20)
        let entries = try Self.sql(dir, "SELECT COUNT(*) FROM audit_entry")
        let inbox = try FileManager.default.contentsOfDirectory(atPath: dir.file("d/partner/inbox")).sorted()

        let dry = try Self.run(["outbound", "run", "--config", config, "--as-of", date, "--dry-run", "--log-format", "json"])
        #expect(dry.status == 0, "\(dry.stderr)")
        let would = try Self.partner(dry.stdout)
        #expect(would["outcome"] as? String == "dry_run", "\(dry.stdout)")
        let totals = try #require(would["totals"] as? [String: String], "\(dry.stdout)")
        #expect(!totals.isEmpty, "totals per currency: \(dry.stdout)")
        let human = try Self.run(["outbound", "run", "--config", config, "--as-of", date, "--dry-run"])
        #expect(human.stdout.contains("(would)"), "\(human.stdout)")
        #expect(human.stdout.contains("    totals: "), "\(human.stdout)")
        #expect(try Self.sql(dir, "SELECT COUNT(*) FROM audit_entry") == entries, "a dry run records nothing")
        #expect(try Self.sql(dir, "SELECT COUNT(*) FROM outbound_batch WHERE as_of = '\(date)'") == "0")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("d/partner/inbox")).sorted() == inbox)

        let real = try Self.run(["outbound", "run", "--config", config, "--as-of", date, "--log-format", "json"])
        #expect(real.status == 0, "\(real.stderr)")
        let sent = try Self.partner(real.stdout)
        #expect(sent["outcome"] as? String == "delivered", "\(real.stdout)")
        #expect(sent["totals"] as? [String: String] == totals, "the dry run's totals are the batch's: \(real.stdout)")
        #expect(sent["place"] as? Int == would["place"] as? Int && sent["update"] as? Int == would["update"] as? Int
                && sent["recall"] as? Int == would["recall"] as? Int, "\(dry.stdout)\n\(real.stdout)")

        let after = try Self.run(["outbound", "run", "--config", config, "--as-of", date, "--dry-run"])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout.contains("partner acme-collect: already delivered"), "\(after.stdout)")
        #expect(after.stdout.contains("(delivered earlier; nothing new is sent)"), "\(after.stdout)")
        #expect(!after.stdout.contains("(would)"), "the stored batch is not labelled as what a run would do: \(after.stdout)")
    }

    @Test("a dry run before the state database exists (state.create: true) plans against an empty ledger and creates nothing")
    func createsNothing() throws {
        let dir = try TemporaryDirectory("dry-fresh")
        defer { dir.remove() }
        let config = try Self.demo(dir)
        var text = try String(contentsOfFile: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "  database: state/arlink.sqlite\n  work_dir: state/work\n",
                                         with: "  database: fresh/arlink.sqlite\n  work_dir: fresh/work\n  create: true\n")
        text = text.replacingOccurrences(of: "checkpoint_file: audit/checkpoints.log", with: "checkpoint_file: fresh-audit/checkpoints.log")
        try #require(text.contains("create: true") && text.contains("fresh-audit/"))
        try text.write(toFile: config, atomically: true, encoding: .utf8)

        let dry = try Self.run(["outbound", "run", "--config", config, "--dry-run", "--log-format", "json"])
        #expect(dry.status == 0, "\(dry.stdout)\(dry.stderr)")
        let would = try Self.partner(dry.stdout)
        #expect(would["outcome"] as? String == "dry_run", "\(dry.stdout)")
        #expect((would["place"] as? Int ?? 0) > 0, "an empty ledger places every eligible account: \(dry.stdout)")
        for created in ["fresh", "fresh-audit"] {
            #expect(!FileManager.default.fileExists(atPath: dir.file("d/\(created)")), "\(created) was created")
        }
    }
}
