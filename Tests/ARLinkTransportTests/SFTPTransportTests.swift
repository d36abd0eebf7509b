import ARLinkCore
import ARLinkTestSupport
import ARLinkTransport
import Foundation
import Testing

@Suite("SFTP transport against a real sshd", .serialized, .enabled(if: SSHServer.isAvailable, "needs /usr/sbin/sshd (openssh-server) and ssh-keygen"), .timeLimit(.minutes(10)))
struct SFTPTransportTests {
    static let feedbackName = "ACME_CORP_feedback_20261129_000001.jsonl.p7m"

    @Test func deliversOverOneConnectionAndDetectsSameAndDifferentContent() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        let local = try TransportTestFolder("sftp-local")
        defer { local.remove() }
        let payload = try makePayload(local, "a.p7m", size: 3_000_000)
        let transport = try fixture.transport()

        #expect(try transport.deliver(localFile: payload, as: "CORP_ACME_portfolio_20261129_000001.jsonl.p7m") == .delivered)
        #expect(transportTestListing(fixture.inbox) == ["CORP_ACME_portfolio_20261129_000001.jsonl.p7m"])
        #expect(transportTestRead(fixture.inbox + "/CORP_ACME_portfolio_20261129_000001.jsonl.p7m") == transportTestRead(payload))

        #expect(try transport.deliver(localFile: payload, as: "CORP_ACME_portfolio_20261129_000001.jsonl.p7m") == .alreadyPresent)
        let other = try makePayload(local, "b.p7m", size: 3_000_000, seed: 9)
        let error = #expect(throws: TransportError.self) { try transport.deliver(localFile: other, as: "CORP_ACME_portfolio_20261129_000001.jsonl.p7m") }
        #expect(error?.code == .conflict)
        #expect(error?.message.contains(other) == true)
        #expect(error?.message.contains("CORP_ACME_portfolio_20261129_000001.jsonl.p7m") == true)
        #expect(transportTestRead(fixture.inbox + "/CORP_ACME_portfolio_20261129_000001.jsonl.p7m") == transportTestRead(payload))
        #expect(transportTestListing(fixture.inbox) == ["CORP_ACME_portfolio_20261129_000001.jsonl.p7m"])
        #expect(transport.connectionsOpened == 1)
    }

    @Test func finalNameAppearingDuringUploadIsComparedNotOverwritten() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        let local = try TransportTestFolder("sftp-local")
        defer { local.remove() }
        let payload = try makePayload(local, "a.p7m", size: 1000)
        // A stale .part from a crashed run is simply replaced.
        try Data("half".utf8).write(to: URL(fileURLWithPath: fixture.inbox + "/X_1.p7m.part"))
        #expect(try fixture.transport().deliver(localFile: payload, as: "X_1.p7m") == .delivered)
        #expect(transportTestListing(fixture.inbox) == ["X_1.p7m"])
    }

    @Test func listsFetchesAndFinishesSkippingHostileEntries() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        let out = fixture.outbox
        try Data("feedback one".utf8).write(to: URL(fileURLWithPath: out + "/" + Self.feedbackName))
        try Data("feedback two!".utf8).write(to: URL(fileURLWithPath: out + "/ACME_CORP_feedback_20261129_000002.jsonl.p7m"))
        try Data("partial".utf8).write(to: URL(fileURLWithPath: out + "/ACME_CORP_feedback_20261129_000003.jsonl.p7m.part"))
        try Data("hidden".utf8).write(to: URL(fileURLWithPath: out + "/.hidden"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: out + "/evil\nACME_CORP_feedback_20261129_000004.jsonl.p7m"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: out + "/" + String(repeating: "A", count: 250)))
        try FileManager.default.createSymbolicLink(atPath: out + "/ACME_CORP_feedback_20261129_000005.jsonl.p7m", withDestinationPath: "/etc/passwd")
        let raw = Array((out + "/bad").utf8) + [0xFF, 0xFE]
        var cPath = raw.map { CChar(bitPattern: $0) }
        cPath.append(0)
        let fd = open(cPath, O_CREAT | O_WRONLY, 0o644)
        #expect(fd >= 0)
        close(fd)

        let transport = try fixture.transport()
        let listing = try transport.list()
        #expect(listing.files == [RemoteFile(name: Self.feedbackName, size: 12), RemoteFile(name: "ACME_CORP_feedback_20261129_000002.jsonl.p7m", size: 13)])
        let reasons = Dictionary(listing.skipped.map { ($0.escapedName, $0.reason) }, uniquingKeysWith: { a, _ in a })
        #expect(reasons["evil\\x0AACME_CORP_feedback_20261129_000004.jsonl.p7m"] != nil)
        #expect(reasons["bad\\xFF\\xFE"]?.contains("non-ASCII") == true)
        #expect(reasons["ACME_CORP_feedback_20261129_000005.jsonl.p7m"]?.contains("symbolic link") == true)
        #expect(reasons.keys.contains { $0.hasPrefix("AAAA") && $0.contains("(250 bytes)") })
        #expect(reasons.keys.contains { $0.contains(".part") || $0.contains("hidden") } == false)

        let staging = try TransportTestFolder("sftp-staging")
        defer { staging.remove() }
        for file in listing.files {
            try transport.fetch(file, to: staging.appending(file.name))
        }
        #expect(transportTestRead(staging.appending(Self.feedbackName)) == Array("feedback one".utf8))
        #expect(transportTestListing(staging.path) == listing.files.map(\.name))

        try transport.finish(listing.files[0], disposition: .moveToProcessed)
        try transport.finish(listing.files[1], disposition: .delete)
        try transport.finish(listing.files[1], disposition: .delete)  // idempotent
        #expect(transportTestListing(fixture.processed) == [Self.feedbackName])
        #expect(!transportTestListing(out).contains(Self.feedbackName))
        #expect(!transportTestListing(out).contains("ACME_CORP_feedback_20261129_000002.jsonl.p7m"))
        #expect(transport.connectionsOpened == 1)
    }

    @Test func doneMarkerSkipsTheWaitAndANameAlreadyInProcessedIsKeptBeside() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        try Data("feedback".utf8).write(to: URL(fileURLWithPath: fixture.outbox + "/" + Self.feedbackName))
        try Data().write(to: URL(fileURLWithPath: fixture.outbox + "/" + Self.feedbackName + ".done"))
        try Data("older copy".utf8).write(to: URL(fileURLWithPath: fixture.processed + "/" + Self.feedbackName))
        let transport = try fixture.transport(fixture.settings(interval: .seconds(60), marker: ".done"))
        let clock = ContinuousClock()
        let start = clock.now
        let listing = try transport.list()
        #expect(clock.now - start < .seconds(10))
        #expect(listing.files == [RemoteFile(name: Self.feedbackName, size: 8)])
        try transport.finish(listing.files[0], disposition: .moveToProcessed)
        #expect(transportTestListing(fixture.outbox).isEmpty)
        let processed = transportTestListing(fixture.processed)
        #expect(processed.count == 2 && processed.contains(Self.feedbackName))
        #expect(transportTestRead(fixture.processed + "/" + Self.feedbackName) == Array("older copy".utf8))
    }

    @Test func aRemoteFileThatGrowsBetweenTwoLooksIsNotFetched() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        let path = fixture.outbox + "/" + Self.feedbackName
        try Data("first".utf8).write(to: URL(fileURLWithPath: path))
        let transport = try fixture.transport(fixture.settings(interval: .seconds(1)))
        // The file grows for as long as the listing takes, so its two looks see two sizes.
        let writer = GrowingFile(path: path)
        let listing = try transport.list()
        let size = try #require(writer.stop())
        #expect(size > 5)
        #expect(listing.files.isEmpty)
        #expect(listing.skipped.contains { $0.escapedName == Self.feedbackName && $0.reason.contains("changed size") })
        #expect(try transport.list().files == [RemoteFile(name: Self.feedbackName, size: Int64(size))])
    }

    @Test func fetchOfAFileThatChangedIsRefusedAndLeavesNothing() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        try Data("now longer than listed".utf8).write(to: URL(fileURLWithPath: fixture.outbox + "/" + Self.feedbackName))
        let staging = try TransportTestFolder("sftp-staging")
        defer { staging.remove() }
        let error = #expect(throws: TransportError.self) {
            try fixture.transport().fetch(RemoteFile(name: Self.feedbackName, size: 5), to: staging.appending("x"))
        }
        #expect(error?.exitStatus == .tempFailure)
        #expect(transportTestListing(staging.path).isEmpty)
    }

    @Test func wrongHostKeyIsExit77AndSendsNothing() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        let local = try TransportTestFolder("sftp-local")
        defer { local.remove() }
        let payload = try makePayload(local, "a.p7m", size: 1000)
        let otherHost = try makeClientKey(local, type: "ed25519")
        let wrongPin = try SSHServer.fingerprintSHA256(ofPublicKey: otherHost + ".pub")
        let transport = try fixture.transport(fixture.settings(pin: .some(wrongPin)))
        let error = #expect(throws: TransportError.self) { try transport.deliver(localFile: payload, as: "X_1.p7m") }
        #expect(error?.code == .hostKeyMismatch)
        #expect(error?.exitStatus == .noPermission)
        #expect(transportTestListing(fixture.inbox).isEmpty)
    }

    @Test func knownHostsFileWorksAndAWrongOneIsAMismatch() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        let local = try TransportTestFolder("sftp-local")
        defer { local.remove() }
        let hostLine = try String(contentsOfFile: fixture.server.hostPublicKeyPath, encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let good = try local.write("known_hosts", text: "[127.0.0.1]:\(fixture.server.port) \(hostLine)\n")
        let payload = try makePayload(local, "a.p7m", size: 100)
        #expect(try fixture.transport(fixture.settings(pin: .some(nil), knownHosts: good)).deliver(localFile: payload, as: "X_1.p7m") == .delivered)

        let other = try makeClientKey(local, type: "ed25519")
        let otherLine = try String(contentsOfFile: other + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let bad = try local.write("known_hosts_bad", text: "[127.0.0.1]:\(fixture.server.port) \(otherLine)\n")
        let error = #expect(throws: TransportError.self) {
            try fixture.transport(fixture.settings(pin: .some(nil), knownHosts: bad)).deliver(localFile: payload, as: "X_2.p7m")
        }
        #expect(error?.exitStatus == .noPermission)
        #expect(transportTestListing(fixture.inbox) == ["X_1.p7m"])
    }

    @Test func unknownClientKeyIsExit77() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        let local = try TransportTestFolder("sftp-local")
        defer { local.remove() }
        let stranger = try makeClientKey(local, type: "ed25519")
        let payload = try makePayload(local, "a.p7m", size: 100)
        let error = #expect(throws: TransportError.self) {
            try fixture.transport(fixture.settings(key: stranger)).deliver(localFile: payload, as: "X_1.p7m")
        }
        #expect(error?.code == .authFailed)
        #expect(error?.exitStatus == .noPermission)
        #expect(transportTestListing(fixture.inbox).isEmpty)
    }

    @Test func passphraseProtectedECDSAKeyWorks() throws {
        let local = try TransportTestFolder("sftp-local")
        defer { local.remove() }
        let key = try makeClientKey(local, type: "ecdsa", bits: "256", passphrase: "correct horse")
        let secret = try local.write("passphrase", text: "correct horse\n", mode: 0o600)
        let publicLine = try String(contentsOfFile: key + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let fixture = try SFTPFixture(extraAuthorizedKeys: [publicLine])
        defer { fixture.stop() }
        let payload = try makePayload(local, "a.p7m", size: 100)
        #expect(try fixture.transport(fixture.settings(key: key, passphrase: .file(secret))).deliver(localFile: payload, as: "X_1.p7m") == .delivered)
        #expect(transportTestListing(fixture.inbox) == ["X_1.p7m"])
    }

    @Test func rsaClientKeyIsRefusedAtConfigurationLoad() throws {
        let local = try TransportTestFolder("sftp-local")
        defer { local.remove() }
        let key = try makeClientKey(local, type: "rsa", bits: "3072")
        let settings = SFTPSettings(host: "127.0.0.1", username: "u", privateKeyPath: key, hostKeySHA256: String(repeating: "A", count: 43), inboxPath: "/in", outboxPath: "/out", rules: OutboxRules(namePattern: ".*"))
        let error = #expect(throws: TransportError.self) { _ = try makeTransport(.sftp(settings)) }
        #expect(error?.code == .config)
        #expect(error?.exitStatus == .config)
        #expect(error?.message.contains("SHA-1") == true)
    }

    @Test func missingPinLooseKeyAndBadPinAreConfigurationErrors() throws {
        let local = try TransportTestFolder("sftp-local")
        defer { local.remove() }
        let key = try makeClientKey(local, type: "ed25519")
        var settings = SFTPSettings(host: "127.0.0.1", username: "u", privateKeyPath: key, inboxPath: "/in", outboxPath: "/out", rules: OutboxRules(namePattern: ".*"))
        let noPin = #expect(throws: TransportError.self) { try settings.validate() }
        #expect(noPin?.message.contains("host_key_sha256") == true)
        settings.hostKeySHA256 = "SHA256:tooShort"
        #expect(throws: TransportError.self) { try settings.validate() }
        settings.hostKeySHA256 = "SHA256:" + String(repeating: "a", count: 43)
        try settings.validate()
        chmod(key, 0o644)
        let loose = #expect(throws: TransportError.self) { try settings.validate() }
        #expect(loose?.message.contains("chmod 600") == true)
        #expect(loose?.exitStatus == .noPermission, "a loose key is a permission failure (77), as for every other key")
        chmod(key, 0o600)
        settings.inboxPath = "relative/in"
        #expect(throws: TransportError.self) { try settings.validate() }
    }

    @Test func serverNotRunningIsExit69() throws {
        let fixture = try SFTPFixture()
        defer { fixture.stop() }
        let settings = fixture.settings()
        fixture.server.killSessions(listenerToo: true)
        let local = try TransportTestFolder("sftp-local")
        defer { local.remove() }
        let payload = try makePayload(local, "a.p7m", size: 100)
        let transport = try SFTPTransport(settings)
        var retries = 0
        transport.onRetry = { _, _ in retries += 1 }
        let error = #expect(throws: TransportError.self) { try transport.deliver(localFile: payload, as: "X_1.p7m") }
        #expect(error?.code == .unreachable)
        #expect(error?.exitStatus == .unavailable)
        #expect(retries == 1)
    }

    @Test func permissionDeniedOnTheRemoteFolderIsExit77() throws {
        let fixture = try SFTPFixture(readOnly: true)
        defer { fixture.stop() }
        let local = try TransportTestFolder("sftp-local")
        defer { local.remove() }
        let payload = try makePayload(local, "a.p7m", size: 100)
        let error = #expect(throws: TransportError.self) { try fixture.transport().deliver(localFile: payload, as: "X_1.p7m") }
        #expect(error?.code == .permissionDenied)
        #expect(error?.exitStatus == .noPermission)
        #expect(transportTestListing(fixture.inbox).isEmpty)
    }

    @Test func serverKilledDuringALargeUploadLeavesNoFinalNameAndTheNextRunCompletes() throws {
        let data = try TransportTestFolder("sftp-data")
        defer { data.remove() }
        let fixture = try SFTPFixture(dataRoot: data.path)
        let local = try TransportTestFolder("sftp-local")
        defer { local.remove() }
        let payload = try makePayload(local, "big.p7m", size: 150_000_000)
        let settings = fixture.settings()
        let box = ResultBox<Result<DeliveryOutcome, TransportError>>()
        let uploader = Thread {
            do {
                let transport = try SFTPTransport(settings)
                box.set(.success(try transport.deliver(localFile: payload, as: "BIG_1.p7m")))
            } catch let error as TransportError {
                box.set(.failure(error))
            } catch {
                box.set(.failure(TransportError(.internal, "\(error)")))
            }
        }
        uploader.start()
        let part = fixture.inbox + "/BIG_1.p7m.part"
        Wait.until(timeout: .seconds(20), interval: .milliseconds(1)) {
            ((try? FileManager.default.attributesOfItem(atPath: part))?[.size] as? Int ?? 0) > 1_000_000
        }
        fixture.server.killSessions(listenerToo: true)
        #expect(Wait.until(timeout: .seconds(120), interval: .milliseconds(10)) { box.get() != nil }, "the upload did not end after its server was killed")
        let result = try #require(box.get())
        guard case .failure(let error) = result else {
            Issue.record("the upload finished before the server was killed; nothing was tested")
            fixture.stop()
            return
        }
        #expect(error.exitStatus == .tempFailure)
        #expect(!transportTestListing(fixture.inbox).contains("BIG_1.p7m"))
        fixture.stop()

        // The next run, against a restarted server serving the same folders, completes the delivery.
        let restarted = try SFTPFixture(dataRoot: data.path)
        defer { restarted.stop() }
        #expect(try restarted.transport().deliver(localFile: payload, as: "BIG_1.p7m") == .delivered)
        #expect(transportTestListing(restarted.inbox) == ["BIG_1.p7m"])
        let attributes = try FileManager.default.attributesOfItem(atPath: restarted.inbox + "/BIG_1.p7m")
        #expect(attributes[.size] as? Int == 150_000_000)
    }
}
