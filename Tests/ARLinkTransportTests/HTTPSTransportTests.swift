import ARLinkCore
import ARLinkTestSupport
import ARLinkTransport
import Foundation
import Testing

@Suite("HTTPS transport against a real nginx", .serialized, .enabled(if: NginxServer.isAvailable, "needs /usr/sbin/nginx (Debian's nginx) and openssl"), .timeLimit(.minutes(10)))
struct HTTPSTransportTests {
    static let feedbackName = "ACME_CORP_feedback_20261129_000001.jsonl.p7m"
    static let pattern = #"ACME_[A-Z]+_feedback_\d{8}_\d{6}\.jsonl\.p7m"#

    func settings(_ server: NginxServer, ca: String?? = .none, client: (String, String)?? = .none) -> HTTPSSettings {
        let pair: (String, String)? = client ?? (server.clientCertificatePath, server.clientKeyPath)
        return HTTPSSettings(
            uploadURLTemplate: server.url("inbox") + "{name}", caFile: ca ?? server.caCertificatePath,
            clientCertificatePath: pair?.0, clientKeyPath: pair?.1, listingURL: server.url("outbox"),
            processedURLTemplate: server.url("processed") + "{name}",
            rules: OutboxRules(namePattern: Self.pattern, stabilityInterval: .zero), connectTimeout: .seconds(5),
            retry: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(50), maxDelay: .milliseconds(100)))
    }

    @Test func deliversWithPutAndMoveAndDetectsSameAndDifferentContent() throws {
        let server = try NginxServer.start()
        defer { server.stop() }
        let local = try TransportTestFolder("https-local")
        defer { local.remove() }
        let payload = try makePayload(local, "a.p7m", size: 5_000_000)
        let transport = try HTTPSTransport(settings(server))
        #expect(try transport.deliver(localFile: payload, as: "CORP_ACME_portfolio_20261129_000001.jsonl.p7m") == .delivered)
        #expect(transportTestListing(server.inbox) == ["CORP_ACME_portfolio_20261129_000001.jsonl.p7m"])
        #expect(transportTestRead(server.inbox + "/CORP_ACME_portfolio_20261129_000001.jsonl.p7m") == transportTestRead(payload))
        #expect(try transport.deliver(localFile: payload, as: "CORP_ACME_portfolio_20261129_000001.jsonl.p7m") == .alreadyPresent)
        let other = try makePayload(local, "b.p7m", size: 5_000_000, seed: 3)
        let error = #expect(throws: TransportError.self) { try transport.deliver(localFile: other, as: "CORP_ACME_portfolio_20261129_000001.jsonl.p7m") }
        #expect(error?.code == .conflict)
        #expect(transportTestRead(server.inbox + "/CORP_ACME_portfolio_20261129_000001.jsonl.p7m") == transportTestRead(payload))
        #expect(transportTestListing(server.inbox) == ["CORP_ACME_portfolio_20261129_000001.jsonl.p7m"])
    }

    @Test func listsFetchesAndFinishesFeedback() throws {
        let server = try NginxServer.start()
        defer { server.stop() }
        try Data("feedback one".utf8).write(to: URL(fileURLWithPath: server.outbox + "/" + Self.feedbackName))
        try Data("two".utf8).write(to: URL(fileURLWithPath: server.outbox + "/ACME_CORP_feedback_20261129_000002.jsonl.p7m"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: server.outbox + "/notes.txt"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: server.outbox + "/ACME_CORP_feedback_20261129_000003.jsonl.p7m.part"))
        let transport = try HTTPSTransport(settings(server))
        let listing = try transport.list()
        #expect(listing.files == [RemoteFile(name: Self.feedbackName, size: 12), RemoteFile(name: "ACME_CORP_feedback_20261129_000002.jsonl.p7m", size: 3)])
        #expect(listing.skipped.map(\.escapedName) == ["notes.txt"])
        let staging = try TransportTestFolder("https-staging")
        defer { staging.remove() }
        try transport.fetch(listing.files[0], to: staging.appending("one"))
        #expect(transportTestRead(staging.appending("one")) == Array("feedback one".utf8))
        let wrongSize = #expect(throws: TransportError.self) { try transport.fetch(RemoteFile(name: listing.files[1].name, size: 2), to: staging.appending("two")) }
        #expect(wrongSize?.exitStatus == .tempFailure)
        #expect(transportTestListing(staging.path) == ["one"])
        try transport.finish(listing.files[0], disposition: .moveToProcessed)
        try transport.finish(listing.files[1], disposition: .delete)
        try transport.finish(listing.files[1], disposition: .delete)
        #expect(transportTestListing(server.processed) == [Self.feedbackName])
        #expect(transportTestListing(server.outbox) == ["ACME_CORP_feedback_20261129_000003.jsonl.p7m.part", "notes.txt"])
    }

    @Test func untrustedServerCertificateIsExit77AndSendsNothing() throws {
        let server = try NginxServer.start()
        defer { server.stop() }
        let local = try TransportTestFolder("https-local")
        defer { local.remove() }
        let otherCA = try NginxServer.makeCA(in: local, name: "other")
        let payload = try makePayload(local, "a.p7m", size: 1000)
        for ca in [otherCA.certificate, nil] {
            let transport = try HTTPSTransport(settings(server, ca: .some(ca)))
            let error = #expect(throws: TransportError.self) { try transport.deliver(localFile: payload, as: "X_1.p7m") }
            #expect(error?.code == .untrustedCertificate)
            #expect(error?.exitStatus == .noPermission)
        }
        #expect(transportTestListing(server.inbox).isEmpty)
    }

    @Test func refusedOrMissingClientCertificateIsExit77() throws {
        let server = try NginxServer.start()
        defer { server.stop() }
        let local = try TransportTestFolder("https-local")
        defer { local.remove() }
        let rogueCA = try NginxServer.makeCA(in: local, name: "rogue")
        let rogue = try NginxServer.makeCertificate(in: local, name: "rogue-client", commonName: "intruder", ca: rogueCA, serverAltNames: nil)
        let payload = try makePayload(local, "a.p7m", size: 1000)
        for client in [(rogue.certificate, rogue.key), nil] as [(String, String)?] {
            let transport = try HTTPSTransport(settings(server, client: .some(client)))
            let error = #expect(throws: TransportError.self) { try transport.deliver(localFile: payload, as: "X_1.p7m") }
            #expect(error?.code == .authFailed)
            #expect(error?.exitStatus == .noPermission)
        }
        #expect(transportTestListing(server.inbox).isEmpty)
    }

    @Test func serverNotRunningIsExit69() throws {
        let server = try NginxServer.start()
        let settings = settings(server)
        let keep = try TransportTestFolder("https-keys")
        defer { keep.remove() }
        // Keep copies of the credentials, then stop the server (which removes its folder).
        let ca = keep.appending("ca.crt"), cert = keep.appending("client.crt"), key = keep.appending("client.key")
        try FileManager.default.copyItem(atPath: server.caCertificatePath, toPath: ca)
        try FileManager.default.copyItem(atPath: server.clientCertificatePath, toPath: cert)
        try FileManager.default.copyItem(atPath: server.clientKeyPath, toPath: key)
        server.stop()
        var moved = settings
        moved.caFile = ca
        moved.clientCertificatePath = cert
        moved.clientKeyPath = key
        let payload = try makePayload(keep, "a.p7m", size: 100)
        let error = #expect(throws: TransportError.self) { try HTTPSTransport(moved).deliver(localFile: payload, as: "X_1.p7m") }
        #expect(error?.exitStatus == .unavailable)
    }

    @Test func plainHTTPAndHalfAClientPairAreConfigurationErrors() throws {
        let plain = HTTPSSettings(uploadURLTemplate: "http://example.invalid/{name}")
        #expect(throws: TransportError.self) { try plain.validate() }
        let noName = HTTPSSettings(uploadURLTemplate: "https://example.invalid/inbox/")
        #expect(throws: TransportError.self) { try noName.validate() }
        let half = HTTPSSettings(uploadURLTemplate: "https://example.invalid/{name}", clientCertificatePath: "/etc/hostname")
        let error = #expect(throws: TransportError.self) { try half.validate() }
        #expect(error?.exitStatus == .config)
    }
}
