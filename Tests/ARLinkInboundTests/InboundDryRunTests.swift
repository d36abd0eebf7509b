import ARLinkConfig
import ARLinkCore
import ARLinkJobs
import ARLinkInbound
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// `inbound run --dry-run` reports what a run would do and changes nothing: no ledger change,
/// no audit entry, no ERP file, no receipt, no quarantine, the partner's files stay.
@Suite("Inbound dry runs", .serialized, .timeLimit(.minutes(10)))
struct InboundDryRunTests {
    /// Everything a run could change, in one comparable value.
    static func snapshot(_ f: InboundFixture) throws -> [String] {
        let counts = try f.store().sqlite.read { db in
            try ["audit_entry", "inbound_file", "outbound_batch"].map { table in
                "\(table)=\(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1)"
            }
        }
        let checkpoints = (try? String(contentsOfFile: f.dir.file("audit/checkpoints.log"), encoding: .utf8)) ?? ""
        return counts + ["checkpoints=\(checkpoints.count)", "outbox=\(f.files(f.outbox))", "inbox=\(f.files(f.inbox))",
                         "processed=\(f.files(f.processed))", "erp=\(f.files(f.updatesFolder))",
                         "work=\(f.files(f.work)) \(f.files(f.work + "/quarantine")) \(f.files(f.work + "/archive"))",
                         "state=\(f.files(f.dir.file("state/work")))"]
    }

    @Test("a dry run reports applied, rejected and quarantined files as the real run then does, and changes nothing")
    func reportsAndChangesNothing() throws {
        let f = try InboundFixture(partnerExtra: ["promise_horizon_days: 30"])
        try f.seedPlacements(accounts: 3)
        let first = try f.drop(sequence: 1, previous: nil, [
            try Events.payment("P-1", f.accountRef(1), "10.00", on: f.today),
            try Events.payment("P-UNKNOWN", "C9999", "1.00", on: f.today),
        ])
        // The second file is signed by someone the partner's pins do not name: quarantined.
        let plain = try f.plaintext(try f.header(sequence: 2, previous: first), [try Events.payment("P-2", f.accountRef(2), "5.00", on: f.today)])
        _ = try f.seal(plain.path, as: f.name(2), signer: "company/signing")
        _ = try f.context()  // the state database, as `arlink init` leaves it
        let before = try Self.snapshot(f)

        let dry = try InboundDryRun.run(context: try f.context(), options: .init(partner: f.partner))
        let d = try #require(dry.partners.first)
        #expect(d.processed == [f.name(1)], "\(d)")
        #expect(d.eventsAccepted == 1 && d.eventsRejectedTotal == 1, "\(d)")
        #expect(d.quarantined.map(\.fileName) == [f.name(2)], "\(d.quarantined)")
        #expect(d.receiptsDelivered > 0)
        #expect(dry.updatesExported > 0)
        #expect(dry.exitStatus == .dataError)
        #expect(try Self.snapshot(f) == before, "nothing changed")

        // The binary says the same and changes nothing either.
        if FileManager.default.isExecutableFile(atPath: RepositoryPaths.arlinkExecutable) {
            let cli = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["inbound", "run", "--config", f.configPath, "--dry-run"])
            #expect(cli.status == 65, "\(cli.stdout)\(cli.stderr)")
            #expect(cli.stdout.hasPrefix("Dry run: nothing was applied, written, moved or sent."), "\(cli.stdout)")
            #expect(cli.stdout.contains("partner acme-collect: 1 file(s) processed, 1 quarantined"), "\(cli.stdout)")
            #expect(cli.stdout.contains("ERP updates it would export: \(dry.updatesExported)"), "\(cli.stdout)")
            #expect(try Self.snapshot(f) == before, "nothing changed")
        }

        let real = try f.run()
        let r = try #require(real.partners.first)
        #expect(r.processed == d.processed && r.eventsAccepted == d.eventsAccepted && r.eventsRejected == d.eventsRejected)
        #expect(r.quarantined.map(\.fileName) == d.quarantined.map(\.fileName))
        #expect(real.updatesExported == dry.updatesExported)
        #expect(f.files(f.processed).contains(f.name(1)), "the real run moves what the dry run left")
    }

    @Test("before the state database exists (state.create: true) a dry run works on an empty one and creates nothing")
    func noStateYet() throws {
        let f = try InboundFixture()
        let yaml = try String(contentsOfFile: f.configPath, encoding: .utf8)
        try #require(yaml.contains("  work_dir: state/work\n"))
        _ = try f.dir.write("arlink.yaml", yaml.replacingOccurrences(of: "  work_dir: state/work\n", with: "  work_dir: state/work\n  create: true\n"))
        try f.drop(sequence: 1, previous: nil, [try Events.payment("P-1", f.accountRef(1), "10.00", on: f.today)])
        let fixed = f.now
        let context = try RunContext(config: try ArlinkConfiguration.load(path: f.configPath), now: { fixed }, dryRun: true)
        let report = try InboundDryRun.run(context: context, options: .init(partner: f.partner))
        let p = try #require(report.partners.first)
        #expect(p.processed == [f.name(1)], "\(p)")
        #expect(p.eventsRejected[.unknownAccount] == 1, "nothing is placed yet: \(p.eventsRejected)")
        for created in ["state", "audit"] {
            #expect(!FileManager.default.fileExists(atPath: f.dir.file(created)), "\(created) was created")
        }
        #expect(f.files(f.outbox) == [f.name(1)] && f.files(f.updatesFolder).isEmpty)
    }
}
