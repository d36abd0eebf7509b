import ARLinkCore
import ARLinkTestSupport
import ARLinkTransport
import Foundation
import Testing

@Suite("arlink transport test (diagnostics)", .serialized, .enabled(if: SSHServer.isAvailable, "needs /usr/sbin/sshd (openssh-server)"))
struct TransportDiagnosticsTests {
    @Test func sftpHappyPathShowsThePresentedKeyAndLeavesNothingBehind() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        let report = TransportDiagnostics.run(.sftp(fixture.settings()), probeName: "arlink-probe-test.txt")
        #expect(report.checks.map(\.step) == ["settings", "host key", "login and listing", "upload", "remove"])
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
        #expect(report.checks.last?.step == "login and listing")
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
