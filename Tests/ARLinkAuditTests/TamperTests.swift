@testable import ARLinkAudit
import ARLinkCore
import ARLinkEnvelope
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// Each attack of the issue, done the way an attacker with file access would (the `sqlite3`
/// CLI, dropping the triggers first), must be detected with a message naming the first entry
/// or checkpoint that does not match.
@Suite("Tamper detection", .timeLimit(.minutes(10)))
struct TamperTests {
    /// A log of 30 entries over three runs (checkpoints at 10, 20, 30 and every 10 entries),
    /// exported to the checkpoint file and verified intact.
    func makeLog(_ name: String) throws -> AuditTestFixture {
        let fixture = try AuditTestFixture(name)
        let store = try fixture.store()
        let log = try fixture.log(store, every: 10)
        for _ in 0..<3 {
            try store.write { db in try log.append(AuditTestFixture.sampleEvents(10), in: db) }
            try log.checkpoint()
        }
        let intact = try fixture.verify()
        #expect(intact.entryCount == 30)
        #expect(intact.warnings.isEmpty)
        return fixture
    }

    func tamperedMessage(_ fixture: AuditTestFixture, checkpointFile: Bool = true) throws -> String {
        let error = try #require(throws: AuditError.self) { _ = try fixture.verify(checkpointFile: checkpointFile) }
        #expect(error.code == .tampered || error.code == .checkpointFile, "\(error)")
        #expect(error.exitStatus == .dataError || error.code == .checkpointFile)
        return error.message
    }

    static let unlock = "DROP TRIGGER audit_entry_no_update; DROP TRIGGER audit_entry_no_delete; DROP TRIGGER audit_checkpoint_no_update; DROP TRIGGER audit_checkpoint_no_delete;"

    @Test("editing one field of one entry names that entry")
    func editField() throws {
        let fixture = try makeLog("tamper-edit")
        defer { fixture.directory.remove() }
        try fixture.sqlite(Self.unlock + "UPDATE audit_entry SET entry = replace(entry, '\"outcome\":\"refused\"', '\"outcome\":\"ok\"') WHERE leaf_index = 15;")
        let message = try tamperedMessage(fixture)
        #expect(message.hasPrefix("entry 15 (file.quarantined at "), "\(message)")
        #expect(message.contains("was edited"))
    }

    @Test("editing a lookup column to hide an entry from reports or proofs names that entry", arguments: [
        "file_id = 'F-9999'", "file_id = NULL", "recorded_at = '2020-01-01T00:00:00.000Z'", "action = 'config.loaded'",
    ])
    func editLookupColumn(assignment: String) throws {
        let fixture = try makeLog("tamper-column")
        defer { fixture.directory.remove() }
        try fixture.sqlite(Self.unlock + "UPDATE audit_entry SET \(assignment) WHERE leaf_index = 22;")
        let message = try tamperedMessage(fixture)
        #expect(message.hasPrefix("entry 22 ("), "\(message)")
        #expect(message.contains("column differs from the entry itself"))
    }

    @Test("in a log read in several chunks, the earliest tampered entry is named")
    func severalChunks() throws {
        let fixture = try AuditTestFixture("tamper-chunks")
        defer { fixture.directory.remove() }
        let store = try fixture.store()
        let log = try fixture.log(store)
        try store.write { db in try log.append(AuditTestFixture.sampleEvents(20_000), in: db) }
        try log.checkpoint()
        // Several chunks are read and hashed concurrently: repeat to catch a race.
        for _ in 0..<3 { #expect(try fixture.verify().entryCount == 20_000) }
        try fixture.sqlite(Self.unlock + "UPDATE audit_entry SET file_id = 'F-0' WHERE leaf_index = 8500; UPDATE audit_entry SET entry = replace(entry, '\"outcome\":\"ok\"', '\"outcome\":\"no\"') WHERE leaf_index = 5001;")
        let message = try tamperedMessage(fixture)
        #expect(message.hasPrefix("entry 5001 ("), "\(message)")
        #expect(message.contains("was edited"))
    }

    @Test("deleting an entry names the missing position")
    func deleteEntry() throws {
        let fixture = try makeLog("tamper-delete")
        defer { fixture.directory.remove() }
        try fixture.sqlite(Self.unlock + "DELETE FROM audit_entry WHERE leaf_index = 7;")
        let message = try tamperedMessage(fixture)
        #expect(message.hasPrefix("entry 7 is missing"), "\(message)")
    }

    @Test("swapping two entries names the position")
    func swapEntries() throws {
        let fixture = try makeLog("tamper-swap")
        defer { fixture.directory.remove() }
        try fixture.sqlite(Self.unlock + """
            CREATE TEMP TABLE t AS SELECT * FROM audit_entry WHERE leaf_index IN (3, 4);
            UPDATE audit_entry SET entry = (SELECT entry FROM t WHERE leaf_index = 4), leaf_hash = (SELECT leaf_hash FROM t WHERE leaf_index = 4) WHERE leaf_index = 3;
            UPDATE audit_entry SET entry = (SELECT entry FROM t WHERE leaf_index = 3), leaf_hash = (SELECT leaf_hash FROM t WHERE leaf_index = 3) WHERE leaf_index = 4;
            """)
        let message = try tamperedMessage(fixture)
        #expect(message == "entry at position 3 carries sequence number 4: entries were swapped or reordered", "\(message)")
    }

    @Test("truncating the newest entries is caught by the newest checkpoint")
    func truncate() throws {
        let fixture = try makeLog("tamper-truncate")
        defer { fixture.directory.remove() }
        try fixture.sqlite(Self.unlock + "DELETE FROM audit_entry WHERE leaf_index >= 25;")
        let message = try tamperedMessage(fixture)
        #expect(message.contains("covers 30 entries but the database holds only 25: entries 25 to 29 are gone"), "\(message)")
        // Also deleting the checkpoints that mention them: the exported file still catches it.
        try fixture.sqlite("DELETE FROM audit_checkpoint WHERE tree_size > 25;")
        let fileMessage = try tamperedMessage(fixture)
        #expect(fileMessage.contains("of the checkpoint file"), "\(fileMessage)")
        #expect(fileMessage.contains("covers 30 entries but the database holds only 25"))
    }

    @Test("a database replaced by an older copy is caught by the exported checkpoint file")
    func rollback() throws {
        let fixture = try AuditTestFixture("tamper-rollback")
        defer { fixture.directory.remove() }
        do {
            let store = try fixture.store()
            let log = try fixture.log(store)
            try store.write { db in try log.append(AuditTestFixture.sampleEvents(8), in: db) }
            try log.checkpoint()
        }
        // Copy the database while no connection is open (WAL checkpointed on close).
        let backup = fixture.directory.file("old.sqlite")
        try fixture.sqlite("PRAGMA wal_checkpoint(TRUNCATE);")
        try FileManager.default.copyItem(atPath: fixture.databasePath, toPath: backup)
        do {
            let store = try fixture.store()
            let log = try fixture.log(store)
            try store.write { db in try log.append(AuditTestFixture.sampleEvents(5), in: db) }
            try log.checkpoint()
        }
        #expect(try fixture.verify().entryCount == 13)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: fixture.databasePath + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: fixture.databasePath)
        // The old copy is internally consistent...
        #expect(try fixture.verify(checkpointFile: false).entryCount == 8)
        // ...but the exported checkpoint file remembers 13 entries.
        let message = try tamperedMessage(fixture)
        #expect(message.hasPrefix("checkpoint #3 of the checkpoint file"), "\(message)")
        #expect(message.contains("covers 13 entries but the database holds only 8"))
        #expect(message.contains("replaced by an older copy"))
    }

    @Test("a checkpoint signed with another key is named")
    func otherKey() throws {
        let fixture = try makeLog("tamper-otherkey")
        defer { fixture.directory.remove() }
        let otherKey = fixture.directory.file("other.key"), otherPub = fixture.directory.file("other.pub")
        try AuditTestFixture.generateKey(private: otherKey, public: otherPub)
        let forger = try AuditSigner(privateKeyPath: otherKey, keyName: AuditTestFixture.origin)
        let store = try fixture.store()
        let (size, root) = try store.read { db in
            (try Int64.fetchOne(db.sqlite, sql: "SELECT count(*) FROM audit_entry") ?? 0,
             try Data.fetchOne(db.sqlite, sql: "SELECT root_hash FROM audit_checkpoint ORDER BY id DESC LIMIT 1") ?? Data())
        }
        let forged = try forger.signCheckpoint(origin: AuditTestFixture.origin, treeSize: UInt64(size), rootHash: try #require(MerkleHash(bytes: root)))
        try store.write { db in
            try db.sqlite.execute(sql: "INSERT INTO audit_checkpoint (tree_size, root_hash, note, created_at) VALUES (?, ?, ?, '2026-01-01T00:00:00.000Z')",
                           arguments: [size, root, forged.noteText])
        }
        let message = try tamperedMessage(fixture)
        let lastID = try store.read { try Int64.fetchOne($0.sqlite, sql: "SELECT max(id) FROM audit_checkpoint") ?? 0 }
        #expect(message.hasPrefix("checkpoint #\(lastID) in the database (tree size 30) is signed by another key"), "\(message)")
    }

    @Test("a whole log re-hashed consistently without the key is caught by the signed checkpoints")
    func rehashedLog() throws {
        let fixture = try makeLog("tamper-rehash")
        defer { fixture.directory.remove() }
        // The attacker rewrites entry 12, then recomputes every later prev and leaf hash so
        // the linear chain is consistent again.
        let store = try fixture.store()
        let hasher = try MerkleHasher()
        let rewritten = try fixture.rewriteConsistently(entry: 12) { $0.event.recordCount = 1 }
        let message = try tamperedMessage(fixture)
        #expect(message.hasPrefix("checkpoint #3 in the database (tree size 20) does not match the entries"), "\(message)")
        #expect(message.contains("the first changed entry lies between 10 and 19"))
        // Re-signing the checkpoints with the attacker's own key does not help.
        let otherKey = fixture.directory.file("other.key"), otherPub = fixture.directory.file("other.pub")
        try AuditTestFixture.generateKey(private: otherKey, public: otherPub)
        let forger = try AuditSigner(privateKeyPath: otherKey, keyName: AuditTestFixture.origin)
        let tree = MerkleTree(leafHashes: rewritten, hasher: hasher)
        try store.write { db in
            try db.sqlite.execute(sql: "DELETE FROM audit_checkpoint")
            for size in [10, 20, 30] {
                let note = try forger.signCheckpoint(origin: AuditTestFixture.origin, treeSize: UInt64(size), rootHash: tree.root(treeSize: size, hasher: hasher))
                try db.sqlite.execute(sql: "INSERT INTO audit_checkpoint (tree_size, root_hash, note, created_at) VALUES (?, ?, ?, 'x')",
                               arguments: [size, Data(note.rootHash.bytes), note.noteText])
            }
        }
        let forgedMessage = try tamperedMessage(fixture)
        #expect(forgedMessage.contains("is signed by another key"), "\(forgedMessage)")
    }
}
