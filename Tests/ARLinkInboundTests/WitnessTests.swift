import ARLinkAudit
import ARLinkConfig
import ARLinkCore
import ARLinkFormats
import ARLinkInbound
import ARLinkJobs
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// The partner as witness: its signed feedback header echoes the newest audit checkpoint it
/// received from us, and arlink checks its own log against it.
@Suite("Partner as witness of the audit log", .serialized, .timeLimit(.minutes(10)))
struct WitnessTests {
    /// A checkpoint of our log as it is now (what a portfolio header would carry).
    func currentCheckpoint(_ f: InboundFixture) throws -> SignedCheckpoint {
        try f.context().audit.checkpoint()
    }

    func witnessRows(_ f: InboundFixture) throws -> [Int64] {
        try f.store().read { try Int64.fetchAll($0.sqlite, sql: "SELECT tree_size FROM audit_witness ORDER BY tree_size") }
    }

    @Test("an echoed checkpoint of ours is checked, kept and recorded with the applied file")
    func consistentWitness() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        let witnessed = try currentCheckpoint(f)
        var header = try f.header(sequence: 1, previous: nil)
        header.auditCheckpoint = witnessed.noteText
        let file = try f.plaintext(header, [Events.risk("K1", f.accountRef(1), score: 10)])
        try f.seal(file.path, as: f.name(1))
        let report = try f.run()
        #expect(report.partners.first?.processed == [f.name(1)])
        #expect(try witnessRows(f) == [Int64(witnessed.treeSize)])
        let applied = try f.store().read { try String.fetchOne($0.sqlite, sql: "SELECT entry FROM audit_entry WHERE action = 'file.applied'") }
        #expect(applied?.contains("\"witness_tree_size\":\"\(witnessed.treeSize)\"") == true, "\(applied ?? "")")
    }

    @Test("a checkpoint that is not ours quarantines the partner's file (bad_witness)")
    func foreignWitness() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        let ours = try currentCheckpoint(f)
        // Another key signs the same body.
        let otherKey = f.dir.file("other.key")
        let gen = try ProcessRunner.run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", otherKey])
        try #require(gen.status == 0)
        let forger = try AuditSigner(privateKeyPath: otherKey, keyName: ours.origin)
        let forged = try forger.signCheckpoint(origin: ours.origin, treeSize: ours.treeSize, rootHash: ours.rootHash)
        var header = try f.header(sequence: 1, previous: nil)
        header.auditCheckpoint = forged.noteText
        let file = try f.plaintext(header, [Events.risk("K1", f.accountRef(1), score: 10)])
        try f.seal(file.path, as: f.name(1))
        let report = try f.run()
        #expect(report.partners.first?.quarantined.map(\.code) == ["inbound.bad_witness"])
        #expect(try witnessRows(f).isEmpty)
    }

    @Test("a witness our restored log does not hold stops the run (77); the file stays in the outbox; verify --witness fails")
    func rolledBackLog() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        let config = try ArlinkConfiguration.load(path: f.configPath)
        let database = config.state.databasePath, checkpoints = config.audit.checkpointFile
        _ = try currentCheckpoint(f)
        // The older copy: database and checkpoint file, as an operator restoring a backup would.
        let old = f.dir.file("old.sqlite")
        #expect(try ProcessRunner.run("sqlite3", [database, "VACUUM INTO '\(old)'"]).status == 0)
        let oldCheckpoints = try Data(contentsOf: URL(fileURLWithPath: checkpoints))
        // Meanwhile the log grew and the partner received a checkpoint of it.
        let newer: SignedCheckpoint
        do {
            let context = try f.context()
            try context.store.write { db in
                try context.audit.append([AuditEvent(action: "keys.checked", outcome: "ok", detail: ["checked": "1"])], in: db)
            }
            newer = try context.audit.checkpoint()
        }
        // Restore the backup.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        try FileManager.default.copyItem(atPath: old, toPath: database)
        try oldCheckpoints.write(to: URL(fileURLWithPath: checkpoints))

        var header = try f.header(sequence: 1, previous: nil)
        header.auditCheckpoint = newer.noteText
        let file = try f.plaintext(header, [Events.risk("K1", f.accountRef(1), score: 10)])
        try f.seal(file.path, as: f.name(1))
        let error = try #require(throws: AuditError.self) { _ = try f.run() }
        #expect(error.code == .unanchored)
        #expect(error.exitStatus == .noPermission)
        #expect(error.message.contains("partner acme-collect holds our signed checkpoint of \(newer.treeSize) entries"), "\(error.message)")
        #expect(f.files(f.outbox) == [f.name(1)], "the partner's file is not blamed")
        #expect(try f.store().read { try Int.fetchOne($0.sqlite, sql: "SELECT count(*) FROM inbound_file") } == 0)

        // An auditor with the partner's copy sees it too.
        let key = try AuditVerifierKey(publicKeyPath: config.audit.publicKeyPath, keyName: config.audit.origin)
        // Database and checkpoint file agree with each other (both restored)...
        _ = try AuditVerifier.verify(store: try f.store(), key: key, origin: config.audit.origin, checkpointFile: checkpoints)
        // ...but not with the partner's copy.
        #expect(throws: AuditError.self) {
            _ = try AuditVerifier.verify(store: try f.store(), key: key, origin: config.audit.origin, checkpointFile: checkpoints,
                                         witnessNotes: [("the partner's copy", newer.noteText)])
        }
    }
}

@Suite("Witnessed checkpoint in the feedback header", .timeLimit(.minutes(10)))
struct WitnessHeaderTests {
    static let note = "demo.acme-corp.example/arlink-audit\n12\nqSvcO9yQ5+0dsRH2Y/AzqBQjb7Ar/uOsb8QgQ2ds6l0=\n\n\u{2014} demo.acme-corp.example/arlink-audit MnAsPs7ki0LriZNVzvyGmv8O1OvIJf2xsVXM4wvAFnI5v2ULo6sFqq4Vfz3JYZJwAHyzV1UcRkJ9G9JvmnRktWmDhBx6xQ==\n"

    @Test("audit_checkpoint is written and read back with its newlines, in JSON Lines and CSV", arguments: [FeedbackFormat.jsonl, .csv])
    func roundTrip(format: FeedbackFormat) throws {
        let dir = try TemporaryDirectory("witness-header")
        defer { dir.remove() }
        let header = FileHeader(schema: "feedback.v1", fileID: "f-1", kind: "feedback", direction: "inbound", batchID: "b-1", sequence: 1,
                                sender: "acme-collect", recipient: "acme-corp", recipientKeySHA256: String(repeating: "a", count: 64),
                                createdAt: "2026-12-01T00:00:00Z", previousFileSHA256: nil, auditCheckpoint: Self.note)
        let path = dir.file(format == .csv ? "f.csv" : "f.jsonl")
        let writer = try FeedbackWriter(path: path, header: header, format: format)
        try writer.finish()
        let reader = try FeedbackReader(path: path, displayName: "f", format: format)
        #expect(reader.header.auditCheckpoint == Self.note)
        if format == .jsonl {
            let r = try JSONLinesSchema.validate(schema: "feedback.v1.schema.json", file: path)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        }
    }

    @Test("other control characters in audit_checkpoint are refused")
    func controlCharacters() throws {
        let dir = try TemporaryDirectory("witness-header-bad")
        defer { dir.remove() }
        let header = FileHeader(schema: "feedback.v1", fileID: "f-1", kind: "feedback", direction: "inbound", batchID: "b-1", sequence: 1,
                                sender: "acme-collect", recipient: "acme-corp", recipientKeySHA256: String(repeating: "a", count: 64),
                                createdAt: "2026-12-01T00:00:00Z", previousFileSHA256: nil, auditCheckpoint: "log\n12\u{7}\n")
        let path = dir.file("f.jsonl")
        try FeedbackWriter(path: path, header: header).finish()
        #expect(throws: FeedbackError.self) { _ = try FeedbackReader(path: path, displayName: "f", format: .jsonl) }
    }
}
