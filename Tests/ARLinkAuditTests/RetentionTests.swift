@testable import ARLinkAudit
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// Retention: the content of old entries goes, their leaf hashes stay, and the log still
/// verifies; nothing can be emptied quietly.
@Suite("Audit retention and pruning", .timeLimit(.minutes(10)))
struct RetentionTests {
    static let fourYears: TimeInterval = 4 * 365 * 86_400

    /// 20 entries and a checkpoint, then pruned as if four years had passed.
    func prunedLog(_ name: String) throws -> (AuditTestFixture, AuditLog.Pruning) {
        let fixture = try AuditTestFixture(name)
        let log = try fixture.log(try fixture.store())
        try log.store.write { db in try log.append(AuditTestFixture.sampleEvents(20), in: db) }
        try log.checkpoint()
        let pruning = try fixture.log(try fixture.store()).prune(retentionDays: 1095, now: Date().addingTimeInterval(Self.fourYears))
        return (fixture, pruning)
    }

    func entries(_ fixture: AuditTestFixture) throws -> [String] {
        try fixture.store().read { try String.fetchAll($0.sqlite, sql: "SELECT entry FROM audit_entry ORDER BY leaf_index") }
    }

    @Test("entries past retention lose their content, keep their leaf hashes, and the log still verifies")
    func prunes() throws {
        let (fixture, pruning) = try prunedLog("retention")
        defer { fixture.directory.remove() }
        #expect(pruning.pruned == 20 && pruning.belowLeaf == 20)
        let texts = try entries(fixture)
        #expect(texts.prefix(20).allSatisfy { AuditEntry.isPruned($0) && !$0.contains("file_id") && !$0.contains("totals") })
        #expect(texts.last?.contains("\"action\":\"audit.pruned\"") == true)
        let result = try fixture.verify()
        #expect(result.entryCount == 21)
        #expect(result.prunedEntryCount == 20)
        // Pruning again later takes the first audit.pruned entry too; the newest one covers both.
        #expect(try fixture.log(try fixture.store()).prune(retentionDays: 1095, now: Date().addingTimeInterval(Self.fourYears)).pruned == 1)
        #expect(try fixture.verify().prunedEntryCount == 21)
        // A report of the old period skips what is gone.
        let day = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        let report = try AuditReport.build(store: try fixture.store(), from: day, to: day, origin: AuditTestFixture.origin, verification: .success(result))
        #expect(report.transfers.isEmpty)
    }

    @Test("nothing is pruned within retention or beyond the newest checkpoint")
    func withinRetention() throws {
        let fixture = try AuditTestFixture("retention-young")
        defer { fixture.directory.remove() }
        let log = try fixture.log(try fixture.store())
        try log.store.write { db in try log.append(AuditTestFixture.sampleEvents(5), in: db) }
        #expect(try log.prune(retentionDays: 1095).pruned == 0, "young entries stay")
        // Old, but after the newest checkpoint (the empty one): they stay until signed.
        #expect(try log.prune(retentionDays: 1095, now: Date().addingTimeInterval(Self.fourYears), dryRun: true).pruned == 0)
    }

    @Test("the database refuses any other edit of an entry, even with pruning allowed")
    func triggerAllowsOnlyPruning() throws {
        let (fixture, _) = try prunedLog("retention-trigger")
        defer { fixture.directory.remove() }
        let store = try fixture.store()
        for sql in ["UPDATE audit_entry SET action = 'x' WHERE leaf_index = 20",
                    "UPDATE audit_entry SET entry = substr(entry, 1, 10) WHERE leaf_index = 20",
                    "UPDATE audit_entry SET leaf_hash = zeroblob(32) WHERE leaf_index = 3"] {
            let error = try #require(throws: DatabaseError.self) { try store.write { try $0.sqlite.execute(sql: sql) } }
            #expect(error.message?.contains("append-only") == true, "\(sql)")
        }
    }

    @Test("an entry emptied outside audit prune, or a pruned entry's leaf hash changed, is caught")
    func quietPruningCaught() throws {
        let fixture = try AuditTestFixture("retention-quiet")
        defer { fixture.directory.remove() }
        let log = try fixture.log(try fixture.store())
        try log.store.write { db in try log.append(AuditTestFixture.sampleEvents(6), in: db) }
        try log.checkpoint()
        // Listed as pruned and emptied, but no audit.pruned entry records it.
        try fixture.sqlite("INSERT INTO audit_pruned (leaf_index, pruned_at) VALUES (2, 'x'); UPDATE audit_entry SET entry = substr(entry, 1, 88) || ',\"pruned\":true}', file_id = NULL WHERE leaf_index = 2;")
        var error = try #require(throws: AuditError.self) { _ = try fixture.verify() }
        #expect(error.message.contains("no audit.pruned entry records pruning that far"), "\(error.message)")

        let (pruned, _) = try prunedLog("retention-hash")
        defer { pruned.directory.remove() }
        try pruned.sqlite("DROP TRIGGER audit_entry_no_update; UPDATE audit_entry SET leaf_hash = zeroblob(32) WHERE leaf_index = 3;")
        error = try #require(throws: AuditError.self) { _ = try pruned.verify() }
        #expect(error.code == .tampered, "\(error)")
    }
}
