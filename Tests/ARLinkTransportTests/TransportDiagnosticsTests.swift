import ARLinkCore
import ARLinkTestSupport
import ARLinkTransport
import Foundation
import Testing

@Suite("arlink transport test (diagnostics)", .serialized, .enabled(if: SSHServer.isAvailable, "needs /usr/sbin/sshd (openssh-server)"), .timeLimit(.minutes(10)))
struct TransportDiagnosticsTests {
    @Test func sftpHappyPathShowsThePresentedKeyAndLeavesNothingBehind() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        let report = TransportDiagnostics.run(.sftp(fixture.settings()), probeName: "arlink-probe-test.txt")
        #expect(report.checks.map(\.step) == ["settings", "host key", "folders", "login and listing", "upload", "remove"])
        #expect(report.checks.allSatisfy { $0.ok }, "\(report.checks.map(\.detail))")
        #expect(report.exitStatus == .success)
        // The fingerprint we compute ourselves equals what ssh-keygen prints for the host key.
        #expect(report.checks[1].detail.contains("ssh-ed25519 SHA256:\(fixture.server.hostKeySHA256)"))
        #expect(transportTestListing(fixture.inbox).isEmpty)
    }

    @Test func wrongPinStopsBeforeLoginAndShowsBothKeys() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        let wrong = String(repeating: "B", count: 43)
        let report = TransportDiagnostics.run(.sftp(fixture.settings(pin: .some(wrong))))
        #expect(report.checks.map(\.step) == ["settings", "host key"])
        #expect(report.exitStatus == .noPermission)
        let detail = try #require(report.checks.last?.detail)
        #expect(detail.contains("SHA256:\(fixture.server.hostKeySHA256)") && detail.contains("SHA256:\(wrong)"))
        #expect(fixture.server.log.contains("Accepted publickey") == false)
    }

    @Test func unknownClientKeyFailsAtLoginWithAFix() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        let local = try TransportTestFolder("diag-local")
        defer { local.remove() }
        let stranger = try makeClientKey(local, type: "ed25519")
        let report = TransportDiagnostics.run(.sftp(fixture.settings(key: stranger)))
        #expect(report.checks.last?.step == "folders", "the first step that logs in")
        #expect(report.checks.last?.detail.contains("public key") == true)
        #expect(report.exitStatus == .noPermission)
    }

    @Test func missingPinIsAConfigurationFailure() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        let report = TransportDiagnostics.run(.sftp(fixture.settings(pin: .some(nil))))
        #expect(report.checks.map(\.step) == ["settings"])
        #expect(report.exitStatus == .config)
    }

    @Test func missingRemoteFoldersAreNamedBeforeAnythingIsListedOrSent() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        var settings = fixture.settings()
        let report = TransportDiagnostics.run(.sftp(settings), probeName: "arlink-probe-folders.txt")
        #expect(report.checks.first { $0.step == "folders" }?.detail == "inbox_path \(fixture.inbox), outbox_path \(fixture.outbox), processed_path \(fixture.processed) exist")
        settings.processedPath = fixture.processed + "/missing"
        var failed = TransportDiagnostics.run(.sftp(settings), probeName: "arlink-probe-folders.txt")
        #expect(failed.checks.map(\.step) == ["settings", "host key", "folders"])
        #expect(failed.exitStatus == .config)
        #expect(failed.checks.last?.detail.contains("folder processed_path \(fixture.processed)/missing does not exist") == true, "\(failed.checks.map(\.detail))")
        // Moving a file there anyway fails with a message naming the command, not the outbox.
        let name = "ACME_X_feedback_20260101_000001.jsonl.p7m"
        try Data("x".utf8).write(to: URL(fileURLWithPath: fixture.outbox + "/" + name))
        let move = #expect(throws: TransportError.self) { try fixture.transport(settings).finish(RemoteFile(name: name, size: 1), disposition: .moveToProcessed) }
        #expect(move?.message.contains("SFTP command rename \"\(fixture.outbox)/\(name)\" \"\(fixture.processed)/missing/\(name)\" on sftp://127.0.0.1:\(fixture.server.port): ") == true, "\(String(describing: move))")
        settings.outboxPath = fixture.outbox + "/gone"
        failed = TransportDiagnostics.run(.sftp(settings), probeName: "arlink-probe-folders.txt")
        #expect(failed.checks.last?.detail.contains("folders outbox_path \(fixture.outbox)/gone, processed_path \(fixture.processed)/missing do not exist") == true, "\(failed.checks.map(\.detail))")
        #expect(transportTestListing(fixture.inbox).isEmpty, "no probe was sent")

        let root = try TransportTestFolder("diag-folders")
        defer { root.remove() }
        let inbox = try root.makeFolder("in")
        let folder = TransportDiagnostics.run(.folder(FolderSettings(inbox: inbox, outbox: root.appending("out"), processed: root.appending("x/p"), namePattern: ".*")))
        #expect(folder.exitStatus == .config)
        #expect(folder.checks.last?.detail.contains("outbox") == true, "\(folder.checks.map(\.detail))")
    }

    @Test func folderAndHTTPSPathsWorkToo() throws {
        let root = try TransportTestFolder("diag-folder")
        defer { root.remove() }
        let inbox = try root.makeFolder("in"), outbox = try root.makeFolder("out")
        let folder = TransportDiagnostics.run(.folder(FolderSettings(inbox: inbox, outbox: outbox, processed: root.appending("p"), namePattern: ".*")))
        #expect(folder.exitStatus == .success)
        #expect(transportTestListing(inbox).isEmpty)

        let nginx = try NginxServer.start()
        defer { nginx.stop() }
        let https = HTTPSSettings(
            uploadURLTemplate: nginx.url("inbox") + "{name}", caFile: nginx.caCertificatePath, clientCertificatePath: nginx.clientCertificatePath,
            clientKeyPath: nginx.clientKeyPath, listingURL: nginx.url("outbox"), rules: OutboxRules(namePattern: ".*", stabilityInterval: .zero))
        let report = TransportDiagnostics.run(.https(https))
        #expect(report.exitStatus == .success, "\(report.checks.map(\.detail))")
        #expect(transportTestListing(nginx.inbox).isEmpty)
    }
}
