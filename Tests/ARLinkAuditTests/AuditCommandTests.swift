import ARLinkAudit
import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// End to end through the built `arlink` binary: `audit verify`, `prove`, `check-proof` and
/// `report` on the demo configuration with the example keys.
@Suite("arlink audit commands", .enabled(if: FileManager.default.isExecutableFile(atPath: RepositoryPaths.arlinkExecutable),
                                         "needs the arlink executable next to the test bundle (build the whole package)"), .timeLimit(.minutes(10)))
struct AuditCommandTests {
    struct Setup {
        let directory: TemporaryDirectory
        var config: String { directory.file("arlink.yaml") }
        var database: String { directory.file("state/arlink.sqlite") }
        var checkpoints: String { directory.file("audit/checkpoints.log") }

        init() throws {
            directory = try TemporaryDirectory("audit-cli")
            try RepositoryPaths.copyExampleKeys(to: directory.path)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory.file("keys/company/audit.pub"))
            let yaml = try String(contentsOfFile: RepositoryPaths.root + "/config/demo.yaml", encoding: .utf8)
            try directory.write("arlink.yaml", yaml)
            for folder in ["state", "audit", "erp/import", "partner/inbox", "partner/outbox", "partner/processed"] {
                try FileManager.default.createDirectory(atPath: directory.file(folder), withIntermediateDirectories: true)
            }
            let store = try StateStore(path: database)
            let signer = try AuditSigner(privateKeyPath: directory.file("keys/company/audit.key"), keyName: "demo.acme-corp.example/arlink-audit")
            let log = try AuditLog(store: store, actor: .current(), signer: signer, origin: "demo.acme-corp.example/arlink-audit", checkpointFile: checkpoints)
            try store.write { db in try log.append(AuditTestFixture.sampleEvents(12, partner: "acme-collect"), in: db) }
            try log.checkpoint()
        }

        func arlink(_ arguments: [String]) throws -> AuditTestTool.Result {
            try AuditTestTool.run(RepositoryPaths.arlinkExecutable, arguments)
        }
    }

    @Test("a rewritten log with its checkpoints deleted stops keys check and jobs (77) until audit recover records it")
    func rewrittenLogStopsRuns() throws {
        let setup = try Setup()
        defer { setup.directory.remove() }
        // Edit an entry, recompute its stored hash, drop every checkpoint and the checkpoint file.
        let edit = """
            DROP TRIGGER audit_entry_no_update; DROP TRIGGER audit_checkpoint_no_delete; DROP TRIGGER audit_checkpoint_export_no_delete;
            UPDATE audit_entry SET entry = replace(entry, '"record_count":', '"record_count":9') WHERE leaf_index = 4;
            DELETE FROM audit_checkpoint; DELETE FROM audit_checkpoint_export;
            """
        let sql = try AuditTestTool.run("sqlite3", [setup.database, edit])
        #expect(sql.status == 0, "\(sql.stderr)")
        try FileManager.default.removeItem(atPath: setup.checkpoints)
        for command in [["keys", "check"], ["outbound", "run"], ["inbound", "run"]] {
            let run = try setup.arlink(command + ["--config", setup.config])
            #expect(run.status == 77, "\(command): \(run.stdout)\(run.stderr)")
            #expect(run.stderr.contains("no signed checkpoint"), "\(command): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: setup.checkpoints), "nothing was signed or exported")
        let recover = try setup.arlink(["audit", "recover", "--config", setup.config, "--reference", "INC-7"])
        #expect(recover.status == 0, "\(recover.stderr)")
        #expect(recover.stdout.contains("recovered: no_checkpoint"), "\(recover.stdout)")
        let keys = try setup.arlink(["keys", "check", "--config", setup.config])
        #expect(keys.status == 0, "\(keys.stdout)\(keys.stderr)")
        let again = try setup.arlink(["audit", "recover", "--config", setup.config])
        #expect(again.stdout.contains("nothing to recover"), "\(again.stdout)")
    }

    @Test("verify, prove, check-proof and report succeed on an intact log")
    func intact() throws {
        let setup = try Setup()
        defer { setup.directory.remove() }
        let verify = try setup.arlink(["audit", "verify", "--config", setup.config])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("audit log intact: 12 entries"))
        #expect(verify.stdout.contains("demo.acme-corp.example/arlink-audit\n12\n"))

        let proofPath = setup.directory.file("proof.json")
        let prove = try setup.arlink(["audit", "prove", "--config", setup.config, "--file-id", "F-1002", "--output", proofPath])
        #expect(prove.status == 0, "\(prove.stderr)")
        let check = try setup.arlink(["audit", "check-proof", "--proof", proofPath, "--checkpoint", setup.checkpoints, "--key", setup.directory.file("keys/company/audit.pub"), "--origin", "demo.acme-corp.example/arlink-audit"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.hasPrefix("proof valid: 3 entries for file F-1002"))

        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        for format in ["csv", "json", "html"] {
            let report = try setup.arlink(["audit", "report", "--config", setup.config, "--from", today, "--to", today, "--format", format])
            #expect(report.status == 0, "\(format): \(report.stderr)")
            #expect(report.stdout.contains("F-1003"), "\(format)")
        }
        let badDate = try setup.arlink(["audit", "report", "--config", setup.config, "--from", "01.11.2026", "--to", today, "--format", "csv"])
        #expect(badDate.status == 65)
        #expect(badDate.stderr.contains("is not a date (expected YYYY-MM-DD)"))
    }

    @Test("a tampered log exits 65 naming the entry; a forged proof exits 65")
    func tampered() throws {
        let setup = try Setup()
        defer { setup.directory.remove() }
        let proofPath = setup.directory.file("proof.json")
        #expect(try setup.arlink(["audit", "prove", "--config", setup.config, "--file-id", "F-1001", "--output", proofPath]).status == 0)
        var proof = try String(contentsOfFile: proofPath, encoding: .utf8)
        proof = proof.replacingOccurrences(of: "record_count\\\":13", with: "record_count\\\":14")
        try proof.write(toFile: proofPath, atomically: true, encoding: .utf8)
        let check = try setup.arlink(["audit", "check-proof", "--proof", proofPath, "--checkpoint", setup.checkpoints, "--key", setup.directory.file("keys/company/audit.pub"), "--origin", "demo.acme-corp.example/arlink-audit"])
        #expect(check.status == 65, "\(check.stdout) \(check.stderr)")
        #expect(check.stderr.contains("is not in the log"))

        let sql = TamperTests.unlock + "UPDATE audit_entry SET entry = replace(entry, '\"outcome\":\"refused\"', '\"outcome\":\"ok\"') WHERE leaf_index = 5;"
        let edit = try AuditTestTool.run("sqlite3", [setup.database, sql])
        try #require(edit.status == 0, "\(edit.stderr)")
        let verify = try setup.arlink(["audit", "verify", "--config", setup.config])
        #expect(verify.status == 65)
        #expect(verify.stderr.contains("entry 5 (file.quarantined at"), "\(verify.stderr)")
        #expect(verify.stderr.contains("[audit.tampered]"))
    }
}
