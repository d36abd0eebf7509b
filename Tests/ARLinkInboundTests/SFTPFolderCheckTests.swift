import ARLinkCore
import ARLinkInbound
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// An inbound run over SFTP (a real `sshd` on loopback) checks every remote folder the
/// partner's settings name before it fetches or applies anything.
@Suite("Inbound over SFTP checks its folders first", .serialized, .enabled(if: SSHServer.isAvailable, "needs /usr/sbin/sshd (openssh-server)"), .timeLimit(.minutes(10)))
struct SFTPFolderCheckTests {
    @Test("a missing processed folder stops the partner before anything is applied, naming it; once created, the file is applied and moved")
    func missingProcessedFolder() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 3)
        try f.drop(sequence: 1, previous: nil, [try Events.payment("P-1", f.accountRef(1), "10.00", on: f.today)])
        let server = try SSHServer.start(label: "inbound-sftp")
        defer {
            server.stop()
            server.folder.remove()
        }
        let remote = server.folder.path
        for folder in ["inbox", "outbox"] {
            try FileManager.default.createDirectory(atPath: remote + "/" + folder, withIntermediateDirectories: true)
        }
        try FileManager.default.moveItem(atPath: f.outbox + "/" + f.name(1), toPath: remote + "/outbox/" + f.name(1))
        var yaml = try String(contentsOfFile: f.configPath, encoding: .utf8)
        let block = try NSRegularExpression(pattern: "\n    transport:\n      type: folder\n(      .*\n)+")
        let sftp = """

                transport:
                  type: sftp
                  host: 127.0.0.1
                  port: \(server.port)
                  user: \(server.username)
                  private_key: \(server.clientKeyPath)
                  host_key_sha256: "\(server.hostKeySHA256)"
                  inbox_path: \(remote)/inbox
                  outbox_path: \(remote)/outbox
                  processed_path: \(remote)/processed
                  stable_seconds: 0
                  retries: 0

            """
        yaml = block.stringByReplacingMatches(in: yaml, range: NSRange(yaml.startIndex..., in: yaml), withTemplate: NSRegularExpression.escapedTemplate(for: sftp))
        try #require(yaml.contains("type: sftp"))
        _ = try f.dir.write("arlink.yaml", yaml)

        let report = try f.run()
        let p = try #require(report.partners.first)
        let failure = try #require(p.failure, "the partner's part fails")
        #expect(failure.code == "transport.config")
        #expect(failure.exitStatus == .config)
        #expect(failure.message.contains("folder processed_path \(remote)/processed does not exist"), "\(failure.message)")
        #expect(p.processed.isEmpty)
        let applied = try f.store().sqlite.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_entry WHERE action = 'file.applied'") ?? -1
        }
        #expect(applied == 0, "nothing applied")
        #expect(f.files(f.updatesFolder).isEmpty, "no ERP file")
        #expect(FileManager.default.fileExists(atPath: remote + "/outbox/" + f.name(1)), "the partner's file stays in its outbox")

        try FileManager.default.createDirectory(atPath: remote + "/processed", withIntermediateDirectories: true)
        // A dry run over SFTP fetches and applies on its copy, and leaves the partner's server as it was.
        let dry = try InboundDryRun.run(context: try f.context(), options: .init(partner: f.partner))
        #expect(dry.partners.first?.processed == [f.name(1)], "\(dry.partners)")
        #expect(dry.partners.first?.receiptsDelivered == 1)
        #expect(f.files(remote + "/outbox") == [f.name(1)] && f.files(remote + "/processed").isEmpty && f.files(remote + "/inbox").isEmpty)
        let again = try f.run()
        let q = try #require(again.partners.first)
        #expect(q.failure == nil, "\(String(describing: q.failure))")
        #expect(q.processed == [f.name(1)])
        #expect(FileManager.default.fileExists(atPath: remote + "/processed/" + f.name(1)))
    }
}
