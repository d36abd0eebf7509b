@testable import ARLinkAudit
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

@Suite("Audit log: appending, transactions, triggers, checkpoints", .timeLimit(.minutes(10)))
struct AuditLogTests {
    @Test("entries commit with the state change, and roll back with it")
    func transactional() throws {
        let fixture = try AuditTestFixture("log-tx")
        defer { fixture.directory.remove() }
        let store = try fixture.store()
        let log = try fixture.log(store)
        try store.write { db in try log.append(AuditTestFixture.sampleEvents(3), in: db) }
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.write { db in
                try log.append(AuditTestFixture.sampleEvents(5), in: db)
                throw Boom()
            }
        }
        #expect(try store.read { try Int.fetchOne($0.sqlite, sql: "SELECT count(*) FROM audit_entry") } == 3)
        // The log continues correctly after the rollback.
        try store.write { db in try log.append(AuditTestFixture.sampleEvents(2), in: db) }
        try log.checkpoint()
        let result = try fixture.verify()
        #expect(result.entryCount == 5)
        // The checkpoint of the empty log signed before the first entry, and the run's.
        #expect(result.checkpointCount == 2)
    }

    @Test("entries carry the previous entry's hash, the actor, UTC time and the event fields")
    func entryContent() throws {
        let fixture = try AuditTestFixture("log-content")
        defer { fixture.directory.remove() }
        let store = try fixture.store()
        let log = try fixture.log(store, actor: AuditActor(user: "ops", host: "gw1"))
        try store.write { db in try log.append(AuditTestFixture.sampleEvents(2), in: db) }
        let texts = try store.read { try String.fetchAll($0.sqlite, sql: "SELECT entry FROM audit_entry ORDER BY leaf_index") }
        let hasher = try MerkleHasher()
        let first = try AuditEntry(canonicalBytes: Array(texts[0].utf8), source: "entry 0")
        let second = try AuditEntry(canonicalBytes: Array(texts[1].utf8), source: "entry 1")
        #expect(first.previous == .zero)
        #expect(second.previous == hasher.leafHash(Array(texts[0].utf8)))
        #expect(second.sequence == 1)
        #expect(first.actor == AuditActor(user: "ops", host: "gw1"))
        #expect(first.time.hasSuffix("Z") && first.time.count == 24)
        #expect(first.event.totals == ["IDR": "1250000", "USD": "12.50"])
        #expect(texts[0].hasPrefix("{\"v\":1,\"seq\":0,\"prev\":\"0000"))
        #expect(texts[0].contains("\"totals\":{\"IDR\":\"1250000\",\"USD\":\"12.50\"}"))
        #expect(second.event.fileName?.hasSuffix(".jsonl.p7m") == true)
    }

    @Test("UPDATE and DELETE on the audit tables are refused by triggers")
    func triggers() throws {
        let fixture = try AuditTestFixture("log-triggers")
        defer { fixture.directory.remove() }
        let store = try fixture.store()
        let log = try fixture.log(store)
        try store.write { db in try log.append(AuditTestFixture.sampleEvents(2), in: db) }
        try log.checkpoint()
        for sql in ["UPDATE audit_entry SET action = 'x' WHERE leaf_index = 0", "DELETE FROM audit_entry WHERE leaf_index = 1",
                    "UPDATE audit_checkpoint SET tree_size = 1", "DELETE FROM audit_checkpoint"] {
            let error = try #require(throws: DatabaseError.self) { try store.write { try $0.sqlite.execute(sql: sql) } }
            #expect(error.message?.contains("append-only") == true, "\(sql)")
        }
        #expect(try fixture.verify().entryCount == 2)
    }

    @Test("a checkpoint is signed every N entries, at the end of a run, and exported once")
    func checkpoints() throws {
        let fixture = try AuditTestFixture("log-cp")
        defer { fixture.directory.remove() }
        let store = try fixture.store()
        let log = try fixture.log(store, every: 10)
        try store.write { db in try log.append(AuditTestFixture.sampleEvents(25), in: db) }
        #expect(try store.read { try Int.fetchAll($0.sqlite, sql: "SELECT tree_size FROM audit_checkpoint ORDER BY id") } == [0, 10, 20])
        let end = try log.checkpoint()
        #expect(end.treeSize == 25)
        #expect(try log.checkpoint() == end, "a second checkpoint of the same tree is not signed again")
        #expect(try log.latestCheckpoint() == end)
        #expect(try CheckpointFile.read(fixture.checkpointPath).count == 4)
        // A new process (fresh AuditLog, cached state empty) continues the same tree.
        let again = try fixture.log(try fixture.store(), every: 10)
        try again.store.write { db in try again.append(AuditTestFixture.sampleEvents(6), in: db) }
        try again.checkpoint()
        #expect(try CheckpointFile.read(fixture.checkpointPath).map { try SignedCheckpoint(unverifiedNote: $0, source: "n").treeSize } == [0, 10, 20, 25, 30, 31])
        let result = try fixture.verify()
        #expect(result.entryCount == 31)
        #expect(result.fileCheckpointCount == 6)
        #expect(result.consistencyProofsChecked == 10)
        #expect(result.warnings.isEmpty)
        #expect(end.noteText.hasPrefix("\(AuditTestFixture.origin)\n25\n"))
    }

    @Test("an empty log checkpoints and verifies; a lost frontier cache is rebuilt from the leaves")
    func emptyAndRebuild() throws {
        let fixture = try AuditTestFixture("log-empty")
        defer { fixture.directory.remove() }
        let store = try fixture.store()
        let log = try fixture.log(store)
        let empty = try log.checkpoint()
        #expect(empty.treeSize == 0)
        #expect(empty.rootHash == (try MerkleHasher()).emptyRoot())
        #expect(try fixture.verify().entryCount == 0)
        try store.write { db in try log.append(AuditTestFixture.sampleEvents(7), in: db) }
        try fixture.sqlite("DROP TRIGGER audit_frontier_no_delete; DELETE FROM audit_frontier;")
        let fresh = try fixture.log(try fixture.store())
        try fresh.store.write { db in try fresh.append(AuditTestFixture.sampleEvents(4), in: db) }
        #expect(try fresh.checkpoint().treeSize == 11)
        let result = try fixture.verify()
        #expect(result.entryCount == 11)
        #expect(result.checkpointCount == 2)
    }

    @Test("events that could carry free text or secrets are refused before anything is written", arguments: [
        AuditEvent(action: "Batch Built", outcome: "ok"),
        AuditEvent(action: "batch.built", outcome: "ok", direction: "sideways"),
        AuditEvent(action: "batch.built", outcome: "ok", plaintextSHA256: "ABC"),
        AuditEvent(action: "batch.built", outcome: "ok", totals: ["usd": "1"]),
        AuditEvent(action: "batch.built", outcome: "ok", totals: ["USD": "1.2.3"]),
        AuditEvent(action: "batch.built", outcome: "ok", recordCount: -1),
        AuditEvent(action: "batch.built", outcome: "ok", detail: ["note": String(repeating: "x", count: 200)]),
        AuditEvent(action: "batch.built", outcome: "ok", detail: ["Debtor Name": "x"]),
    ])
    func invalidEvents(event: AuditEvent) throws {
        let fixture = try AuditTestFixture("log-invalid")
        defer { fixture.directory.remove() }
        let store = try fixture.store()
        let log = try fixture.log(store)
        let error = try #require(throws: AuditError.self) {
            try store.write { db in try log.append(AuditTestFixture.sampleEvents(1) + [event], in: db) }
        }
        #expect(error.code == .invalidEvent)
        #expect(try store.read { try Int.fetchOne($0.sqlite, sql: "SELECT count(*) FROM audit_entry") } == 0)
    }

    @Test("identifiers from a partner that break the rules are recorded as their SHA-256, not refused")
    func hostileIdentifiers() throws {
        let fixture = try AuditTestFixture("log-hostile")
        defer { fixture.directory.remove() }
        let store = try fixture.store()
        let log = try fixture.log(store)
        let name = "Jane Doe's invoices \"2026\".p7m"
        try store.write { db in
            try log.append([AuditEvent(action: "file.quarantined", outcome: "quarantined", partner: "collectco", direction: "inbound",
                                       fileID: "id with space", fileName: name, errorCode: "transport.bad_name")], in: db)
        }
        let text = try #require(try store.read { try String.fetchOne($0.sqlite, sql: "SELECT entry FROM audit_entry") })
        #expect(!text.contains("Jane"))
        let digest = (try MerkleHasher()).sha256(Array(name.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(text.contains("\"file_name\":\"sha256:\(digest)\""))
        #expect(text.contains("\"partner\":\"collectco\""))
        try log.checkpoint()
        #expect(try fixture.verify().entryCount == 1)
    }

    @Test("the lookup fields are found in canonical bytes, escapes and braces in strings included")
    func lookupFields() throws {
        let actor = AuditActor(user: "o\"dd}user\\", host: "h{ost")
        for fileID in [String?.none, "F-7"] {
            let event = AuditEvent(action: "file.fetched", outcome: "ok", partner: "p", fileID: fileID, fileName: "n", detail: ["file_id": "decoy"])
            let bytes = AuditEntry(sequence: 1, previous: .zero, time: "2026-11-29T04:45:00.123Z", actor: actor, event: event).canonicalBytes
            let found = LookupFields.find(bytes.span)
            let fields = try #require(found)
            func text(_ range: Range<Int>?) -> String? { range.map { String(decoding: bytes[$0], as: UTF8.self) } }
            #expect(text(fields.time) == "2026-11-29T04:45:00.123Z")
            #expect(text(fields.action) == "file.fetched")
            #expect(text(fields.fileID) == fileID)
        }
        let notJSON = Array("not json".utf8)
        let notFound = LookupFields.find(notJSON.span)
        #expect(notFound == nil)
    }

    @Test("canonical bytes are deterministic and escape strings; non-canonical bytes are refused")
    func canonical() throws {
        let event = AuditEvent(action: "config.loaded", outcome: "ok", detail: ["z": "1", "a": "q\"uote\\", "m": "2"])
        let entry = AuditEntry(sequence: 7, previous: .zero, time: "2026-11-29T04:45:00.123Z", actor: AuditActor(user: "u\n", host: "h"), event: event)
        let text = String(decoding: entry.canonicalBytes, as: UTF8.self)
        #expect(text == "{\"v\":1,\"seq\":7,\"prev\":\"\(String(repeating: "0", count: 64))\",\"time\":\"2026-11-29T04:45:00.123Z\",\"actor\":{\"host\":\"h\",\"user\":\"u\\u000a\"},\"action\":\"config.loaded\",\"outcome\":\"ok\",\"detail\":{\"a\":\"q\\\"uote\\\\\",\"m\":\"2\",\"z\":\"1\"}}")
        #expect(try AuditEntry(canonicalBytes: entry.canonicalBytes, source: "e") == entry)
        let spaced = Array(text.replacingOccurrences(of: ",\"outcome\"", with: ", \"outcome\"").utf8)
        #expect(throws: AuditError(.malformed, "")) { _ = try AuditEntry(canonicalBytes: spaced, source: "e") }
    }
}
