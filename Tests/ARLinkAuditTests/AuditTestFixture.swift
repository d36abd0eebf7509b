import ARLinkAudit
import ARLinkEnvelope
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import GRDB
import Foundation
import Testing

/// A real state database, a throwaway Ed25519 audit key made by the `openssl` CLI, and a
/// checkpoint file, all in a private temporary folder.
struct AuditTestFixture {
    static let origin = "arlink.test/audit"
    let directory: TemporaryDirectory
    let databasePath: String
    let keyPath: String
    let publicKeyPath: String
    let checkpointPath: String

    init(_ prefix: String = "audit") throws {
        directory = try TemporaryDirectory(prefix)
        databasePath = directory.file("state.sqlite")
        keyPath = directory.file("audit.key")
        publicKeyPath = directory.file("audit.pub")
        checkpointPath = directory.file("checkpoints.txt")
        try Self.generateKey(private: keyPath, public: publicKeyPath)
    }

    /// `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout`, private key chmod 600.
    static func generateKey(private keyPath: String, public publicKeyPath: String) throws {
        let gen = try AuditTestTool.run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", keyPath])
        try #require(gen.status == 0, "openssl genpkey failed: \(gen.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        let pub = try AuditTestTool.run("openssl", ["pkey", "-in", keyPath, "-pubout", "-out", publicKeyPath])
        try #require(pub.status == 0, "openssl pkey -pubout failed: \(pub.stderr)")
    }

    func store() throws -> StateStore { try StateStore(path: databasePath) }

    func log(_ store: StateStore, every: Int = 10_000, actor: AuditActor = AuditActor(user: "tester", host: "testhost")) throws -> AuditLog {
        let signer = try AuditSigner(privateKeyPath: keyPath, keyName: Self.origin)
        return try AuditLog(store: store, actor: actor, signer: signer, origin: Self.origin, checkpointFile: checkpointPath, checkpointEvery: every)
    }

    func verifierKey() throws -> AuditVerifierKey {
        try AuditVerifierKey(publicKeyPath: publicKeyPath, keyName: Self.origin)
    }

    func verify(checkpointFile: Bool = true) throws -> AuditVerification {
        let store = try store()
        return try AuditVerifier.verify(store: store, key: try verifierKey(), origin: Self.origin, checkpointFile: checkpointFile ? checkpointPath : nil)
    }

    /// Runs SQL with the `sqlite3` CLI, as an attacker with file access would.
    func sqlite(_ sql: String) throws {
        let result = try AuditTestTool.run("sqlite3", [databasePath, sql])
        try #require(result.status == 0, "sqlite3 failed: \(result.stderr)")
    }

    /// Sample events of one outbound and one inbound transfer.
    static func sampleEvents(_ n: Int, partner: String = "collectco") -> [AuditEvent] {
        (0..<n).map { i in
            let fileID = "F-\(1000 + i / 3)"
            switch i % 3 {
            case 0:
                return AuditEvent(action: "batch.built", outcome: "ok", partner: partner, direction: "outbound", batchID: "B-\(i / 3)",
                                  fileID: fileID, recordCount: 10 + i, totals: ["IDR": "\(1_250_000 * (i + 1))", "USD": "12.50"])
            case 1:
                return AuditEvent(action: "batch.sealed", outcome: "ok", partner: partner, direction: "outbound", batchID: "B-\(i / 3)",
                                  fileID: fileID, fileName: "acme_\(partner)_portfolio_20261129_\(String(format: "%06d", i / 3)).jsonl.p7m",
                                  plaintextSHA256: String(repeating: "a", count: 64), sealedSHA256: String(repeating: "b", count: 64), recordCount: 10 + i)
            default:
                return AuditEvent(action: "file.quarantined", outcome: "refused", partner: partner, direction: "inbound", fileID: fileID,
                                  sealedSHA256: String(repeating: "c", count: 64), errorCode: "envelope.tag_mismatch", detail: ["reason": "gcm_tag"])
            }
        }
    }

    /// Rewrites every entry as an attacker with the database file would: `edit` changes entry
    /// `index`, then every later `prev` and every leaf hash is recomputed so the linear chain
    /// is consistent again (the append-only triggers are dropped first).
    /// - Returns: the new leaf hashes, in order.
    @discardableResult
    func rewriteConsistently(entry index: Int, _ edit: (inout AuditEntry) -> Void) throws -> [MerkleHash] {
        let store = try store()
        let texts = try store.read { try String.fetchAll($0.sqlite, sql: "SELECT entry FROM audit_entry ORDER BY leaf_index") }
        let hasher = try MerkleHasher()
        var previous = MerkleHash.zero
        var rows: [(String, MerkleHash)] = []
        for (i, text) in texts.enumerated() {
            var entry = try AuditEntry(canonicalBytes: Array(text.utf8), source: "entry")
            if i == index { edit(&entry) }
            entry.previous = previous
            let bytes = entry.canonicalBytes
            previous = hasher.leafHash(bytes)
            rows.append((String(decoding: bytes, as: UTF8.self), previous))
        }
        try sqlite("DROP TRIGGER IF EXISTS audit_entry_no_update; DROP TRIGGER IF EXISTS audit_entry_no_delete; DROP TRIGGER IF EXISTS audit_checkpoint_no_update; DROP TRIGGER IF EXISTS audit_checkpoint_no_delete; DROP TRIGGER IF EXISTS audit_checkpoint_export_no_delete;")
        try store.write { db in
            for (i, (text, leaf)) in rows.enumerated() {
                try db.sqlite.execute(sql: "UPDATE audit_entry SET entry = ?, leaf_hash = ? WHERE leaf_index = ?", arguments: [text, Data(leaf.bytes), i])
            }
        }
        return rows.map(\.1)
    }
}

