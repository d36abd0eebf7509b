import ARLinkCore
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// A full disk under the ERP import folder, the work folder or the state folder is ours: the
/// run exits 75 saying so with the path, records nothing against the partner's file, leaves it
/// in the outbox, and once space is freed the next run applies it. Each on a real, small tmpfs.
@Suite("A full disk never quarantines a partner's file (the built executable, small tmpfs)", .serialized,
       .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests"),
       .enabled(if: SmallFileSystem.unavailableReason == nil, Comment(rawValue: SmallFileSystem.unavailableReason ?? "")), .timeLimit(.minutes(20)))
struct DiskFullTests {
    func inbound(_ f: InboundFixture) throws -> ProcessResult {
        try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["inbound", "run", "--config", f.configPath])
    }

    /// One payment for an account placed with the partner, in the outbox as sequence 1.
    func dropOne(_ f: InboundFixture) throws {
        try f.seedPlacements(accounts: 2)
        _ = try f.drop(sequence: 1, previous: nil, [Events.payment("P1", f.accountRef(1), "10.00", on: f.today.adding(days: -1))])
    }

    /// The run failed on our side: 75 naming the full place, and the partner's file untouched.
    func expectOurFailure(_ failed: ProcessResult, _ f: InboundFixture, naming path: String) throws {
        #expect(failed.status == 75, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stderr.contains("temporary failure: free space, the next run finishes"), "\(failed.stderr)")
        #expect(failed.stderr.contains(path), "the message names \(path): \(failed.stderr)")
        #expect(f.files(f.outbox) == [f.name(1)], "the partner's file stays where it was")
        #expect(f.keptNames(f.work + "/quarantine").isEmpty, "nothing is quarantined")
        #expect(f.files(f.inbox).isEmpty, "no receipt")
        let recorded = try f.store().read { db in try Int.fetchOne(db.sqlite, sql: "SELECT COUNT(*) FROM inbound_file") }
        #expect(recorded == 0, "nothing recorded against the file")
    }

    func expectApplied(_ f: InboundFixture) throws {
        let mended = try inbound(f)
        #expect(mended.status == 0, "\(mended.stderr)")
        #expect(mended.stdout.contains("1 file(s) processed, 0 quarantined"), "\(mended.stdout)")
        #expect(f.files(f.outbox).isEmpty)
    }

    @Test("a full ERP import folder: 75, the file stays; applied once space is freed")
    func fullImportFolder() throws {
        let f = try InboundFixture()
        try dropOne(f)
        let disk = try SmallFileSystem(mountingAt: f.updatesFolder, size: "1m")
        defer { disk.unmount() }
        try disk.fill()
        try expectOurFailure(try inbound(f), f, naming: f.updatesFolder)
        disk.free()
        try expectApplied(f)
        #expect(f.files(f.updatesFolder).contains { $0.hasSuffix(".jsonl") }, "exported")
    }

    @Test("a full work folder: 75, the file stays; applied once space is freed")
    func fullWorkFolder() throws {
        let f = try InboundFixture()
        try dropOne(f)
        let disk = try SmallFileSystem(mountingAt: f.dir.file("state/work"), size: "1m")
        defer { disk.unmount() }
        try disk.fill()
        try expectOurFailure(try inbound(f), f, naming: f.dir.file("state/work"))
        disk.free()
        try expectApplied(f)
    }

    @Test("the state folder fills up while a file is applied: 75, nothing recorded, the file stays; applied once space is freed")
    func fullStateFolder() throws {
        let f = try InboundFixture()
        try FileManager.default.createDirectory(atPath: f.dir.file("state"), withIntermediateDirectories: true)
        let disk = try SmallFileSystem(mountingAt: f.dir.file("state"), size: "8m")
        defer { disk.unmount() }
        try f.placeAndSimulate(accounts: 40, seed: 3, events: 4_000)
        try disk.fill(leaving: 256 * 1024)
        // The work folder (state/work) on a disk of its own with room: only the database's is full.
        let work = try SmallFileSystem(mountingAt: f.dir.file("state/work"), size: "16m")
        defer { work.unmount() }
        try expectOurFailure(try inbound(f), f, naming: f.dir.file("state/arlink.sqlite"))
        disk.free()
        try expectApplied(f)
    }
}
