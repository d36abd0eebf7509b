@testable import ARLinkAudit
import ARLinkCore
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// The fail-closed check before anything is appended or signed: a rewritten, rolled-back or
/// un-checkpointed log stops the job (exit 77) until `audit recover` records what happened.
@Suite("Audit log anchored to its newest checkpoint", .timeLimit(.minutes(10)))
struct AnchorTests {
    static let unlock = "DROP TRIGGER audit_entry_no_update; DROP TRIGGER audit_entry_no_delete; DROP TRIGGER audit_checkpoint_no_update; DROP TRIGGER audit_checkpoint_no_delete; DROP TRIGGER audit_checkpoint_export_no_delete;"

    /// Three runs of ten entries, each ending with a checkpoint.
    func makeLog(_ name: String) throws -> AuditTestFixture {
        let fixture = try AuditTestFixture(name)
        for _ in 0..<3 {
            let log = try fixture.log(try fixture.store(), every: 10)
            try log.requireAnchored()
            try log.store.write { db in try log.append(AuditTestFixture.sampleEvents(10), in: db) }
            try log.checkpoint()
        }
        #expect(try fixture.verify().entryCount == 30)
        return fixture
    }

    /// What the next job finds.
    func nextRun(_ fixture: AuditTestFixture) throws -> AuditError {
        let log = try fixture.log(try fixture.store(), every: 10)
        let error = try #require(throws: AuditError.self) { try log.requireAnchored() }
        #expect(error.code == .unanchored, "\(error)")
        #expect(error.exitStatus.rawValue == 77)
        // Signing directly is refused as well: nothing is ever signed over such a log.
        let again = try fixture.log(try fixture.store(), every: 10)
        #expect(throws: AuditError.self) { try again.checkpoint() }
        return error
    }

    func checkpointCount(_ fixture: AuditTestFixture) throws -> Int {
        try fixture.store().read { try Int.fetchOne($0.sqlite, sql: "SELECT count(*) FROM audit_checkpoint") ?? 0 }
    }

    @Test("a fresh log signs the checkpoint of the empty log before its first entry")
    func genesis() throws {
        let fixture = try AuditTestFixture("anchor-fresh")
        defer { fixture.directory.remove() }
        let log = try fixture.log(try fixture.store())
        try log.requireAnchored()
        let notes = try CheckpointFile.read(fixture.checkpointPath)
        #expect(try notes.map { try SignedCheckpoint(unverifiedNote: $0, source: "n").treeSize } == [0])
        // A run killed before its own checkpoint leaves entries after the empty checkpoint:
        // the next run goes on.
        try log.store.write { db in try log.append(AuditTestFixture.sampleEvents(4), in: db) }
        let next = try fixture.log(try fixture.store())
        try next.requireAnchored()
        try next.checkpoint()
        #expect(try fixture.verify().entryCount == 4)
    }

    @Test("an edited entry, re-hashed, with every checkpoint and the checkpoint file deleted, stops the job")
    func rewriteAndDeleteCheckpoints() throws {
        let fixture = try makeLog("anchor-rewrite")
        defer { fixture.directory.remove() }
        try fixture.rewriteConsistently(entry: 5) { $0.event.recordCount = 99 }
        try fixture.sqlite("DELETE FROM audit_checkpoint; DELETE FROM audit_checkpoint_export;")
        try FileManager.default.removeItem(atPath: fixture.checkpointPath)
        let error = try nextRun(fixture)
        #expect(error.message.contains("holds 30 entries but no signed checkpoint"), "\(error.message)")
        #expect(try checkpointCount(fixture) == 0, "nothing was signed")
        #expect(!FileManager.default.fileExists(atPath: fixture.checkpointPath))
    }

    @Test("the checkpoint file deleted or shortened stops the job")
    func checkpointFileLost() throws {
        let fixture = try makeLog("anchor-file")
        defer { fixture.directory.remove() }
        let notes = try CheckpointFile.read(fixture.checkpointPath)
        try Data(notes.dropLast().map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: fixture.checkpointPath))
        var error = try nextRun(fixture)
        #expect(error.message.contains("no longer holds 1 checkpoint(s) that were written to it (the newest of tree size 30)"), "\(error.message)")
        try FileManager.default.removeItem(atPath: fixture.checkpointPath)
        error = try nextRun(fixture)
        #expect(error.message.contains("no longer holds 4 checkpoint(s)"), "\(error.message)")
    }

    @Test("deleting one entry and the newest checkpoint from the database stops the job")
    func deleteEntryAndNewestCheckpoint() throws {
        let fixture = try makeLog("anchor-delete")
        defer { fixture.directory.remove() }
        let before = try checkpointCount(fixture)
        // Remove entry 25 and renumber the rest consistently, then drop the checkpoint that
        // covered it (the checkpoint file still holds it).
        let store = try fixture.store()
        let texts = try store.read { try String.fetchAll($0.sqlite, sql: "SELECT entry FROM audit_entry ORDER BY leaf_index") }
        try fixture.sqlite(Self.unlock)
        let hasher = try MerkleHasher()
        var previous = MerkleHash.zero
        try store.write { db in
            try db.sqlite.execute(sql: "DELETE FROM audit_entry")
            var position = 0
            for (i, text) in texts.enumerated() where i != 25 {
                var entry = try AuditEntry(canonicalBytes: Array(text.utf8), source: "entry")
                entry.sequence = UInt64(position)
                entry.previous = previous
                let bytes = entry.canonicalBytes
                previous = hasher.leafHash(bytes)
                try db.sqlite.execute(sql: "INSERT INTO audit_entry (leaf_index, entry, leaf_hash, recorded_at, action, file_id) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [position, String(decoding: bytes, as: UTF8.self), Data(previous.bytes), entry.time, entry.event.action, entry.event.fileID])
                position += 1
            }
            try db.sqlite.execute(sql: "DELETE FROM audit_checkpoint WHERE id = (SELECT max(id) FROM audit_checkpoint)")
        }
        let error = try nextRun(fixture)
        #expect(error.message.contains("covers 30 entries but the database holds only 29"), "\(error.message)")
        #expect(try checkpointCount(fixture) == before - 1)
    }

    @Test("a database restored from an older copy stops the job")
    func olderDatabase() throws {
        let fixture = try AuditTestFixture("anchor-rollback")
        defer { fixture.directory.remove() }
        do {
            let log = try fixture.log(try fixture.store())
            try log.store.write { db in try log.append(AuditTestFixture.sampleEvents(8), in: db) }
            try log.checkpoint()
        }
        try fixture.sqlite("PRAGMA wal_checkpoint(TRUNCATE);")
        let backup = fixture.directory.file("old.sqlite")
        try FileManager.default.copyItem(atPath: fixture.databasePath, toPath: backup)
        do {
            let log = try fixture.log(try fixture.store())
            try log.store.write { db in try log.append(AuditTestFixture.sampleEvents(5), in: db) }
            try log.checkpoint()
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: fixture.databasePath + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: fixture.databasePath)
        let error = try nextRun(fixture)
        #expect(error.message.contains("covers 13 entries but the database holds only 8"), "\(error.message)")
        #expect(error.message.contains("restored from an older copy"))
    }

    @Test("an entry edited after the newest checkpoint stops the job")
    func editedNewEntry() throws {
        let fixture = try makeLog("anchor-new")
        defer { fixture.directory.remove() }
        let log = try fixture.log(try fixture.store(), every: 100)
        try log.store.write { db in try log.append(AuditTestFixture.sampleEvents(3), in: db) }
        try fixture.sqlite(Self.unlock + " UPDATE audit_entry SET entry = replace(entry, '\"outcome\":\"ok\"', '\"outcome\":\"no\"') WHERE leaf_index = 31;")
        let error = try nextRun(fixture)
        #expect(error.message.contains("audit entry 31, written after"), "\(error.message)")
    }

    @Test("notes out of order in the checkpoint file stop the job")
    func outOfOrder() throws {
        let fixture = try makeLog("anchor-order")
        defer { fixture.directory.remove() }
        var notes = try CheckpointFile.read(fixture.checkpointPath)
        notes.append(notes.remove(at: 1))
        try Data(notes.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: fixture.checkpointPath))
        let error = try nextRun(fixture)
        #expect(error.message.contains("out of order"), "\(error.message)")
    }

    @Test("a torn note at the end of the checkpoint file is cut off and the repair recorded", arguments: [10, 60, 67, 91, 150, 182])
    func tornTail(keep: Int) throws {
        let fixture = try makeLog("anchor-torn")
        defer { fixture.directory.remove() }
        let intact = try Data(contentsOf: URL(fileURLWithPath: fixture.checkpointPath))
        let next = try #require(CheckpointFile.read(fixture.checkpointPath).last)
        let torn = Array(next.utf8 + [0x0A]).prefix(keep)
        try (intact + Data(torn)).write(to: URL(fileURLWithPath: fixture.checkpointPath))
        let log = try fixture.log(try fixture.store())
        try log.requireAnchored()
        try log.checkpoint()
        let repaired = try fixture.store().read {
            try String.fetchAll($0.sqlite, sql: "SELECT entry FROM audit_entry WHERE action = 'audit.checkpoint_file_repaired'")
        }
        #expect(repaired.count == 1)
        #expect(repaired.first?.contains("\"removed_bytes\":\"\(keep)\"") == true, "\(repaired)")
        let after = try Data(contentsOf: URL(fileURLWithPath: fixture.checkpointPath))
        #expect(after.prefix(intact.count) == intact, "nothing before the torn note changed")
        #expect(try fixture.verify().entryCount == 31)
    }

    @Test("garbage in the middle of the checkpoint file is not cut off")
    func garbageNotRepaired() throws {
        let fixture = try makeLog("anchor-garbage")
        defer { fixture.directory.remove() }
        let notes = try CheckpointFile.read(fixture.checkpointPath)
        let text = notes[0] + "\n" + "garbage line\n\n" + notes.dropFirst().map { $0 + "\n" }.joined()
        try Data(text.utf8).write(to: URL(fileURLWithPath: fixture.checkpointPath))
        #expect(try CheckpointFile.repairTornTail(fixture.checkpointPath) == nil)
        #expect(try String(contentsOfFile: fixture.checkpointPath, encoding: .utf8) == text)
    }

    @Test("recover records the finding, keeps the old checkpoint file, and lets jobs run again")
    func recover() throws {
        let fixture = try makeLog("anchor-recover")
        defer { fixture.directory.remove() }
        var notes = try CheckpointFile.read(fixture.checkpointPath)
        notes.removeLast()
        let shortened = notes.map { $0 + "\n" }.joined()
        try Data(shortened.utf8).write(to: URL(fileURLWithPath: fixture.checkpointPath))
        _ = try nextRun(fixture)

        let log = try fixture.log(try fixture.store())
        let recovery = try log.recover(reference: "INC-42")
        #expect(recovery.finding == .fileLostCheckpoints)
        let superseded = try #require(recovery.supersededFile)
        #expect(try String(contentsOfFile: superseded, encoding: .utf8) == shortened, "the old file is kept as it was")
        let entry = try #require(try fixture.store().read {
            try String.fetchOne($0.sqlite, sql: "SELECT entry FROM audit_entry WHERE action = 'audit.recovered'")
        })
        #expect(entry.contains("\"finding\":\"file_lost_checkpoints\""))
        #expect(entry.contains("\"batch_id\":\"INC-42\""))
        // Jobs run again; the new file holds every checkpoint of the database, and verifies.
        let next = try fixture.log(try fixture.store())
        try next.requireAnchored()
        #expect(try fixture.verify().entryCount == 31)
        #expect(try CheckpointFile.read(fixture.checkpointPath).count == checkpointCount(fixture))
        // Nothing left to recover.
        #expect(try fixture.log(try fixture.store()).recover(reference: nil).finding == nil)
    }
}
