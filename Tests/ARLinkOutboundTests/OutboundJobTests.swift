import ARLinkConfig
import ARLinkCore
import ARLinkFormats
import ARLinkJobs
import ARLinkOutbound
import ARLinkSampleData
import ARLinkStore
import ARLinkTestSupport
import Foundation
import Testing

/// A demo-shaped folder with a sample extract, for in-process outbound runs.
struct OutboundFixture {
    let dir: TemporaryDirectory
    let asOf = LocalDate(iso: "2026-06-30")!
    var configPath: String { dir.file("arlink.yaml") }

    /// Whether the sample extract carries its itemization and account-flag columns.
    let accountColumns: Bool

    init(customers: Int = 200, items: Int = 2000, variant: Int = 0, accountColumns: Bool = true) throws {
        self.accountColumns = accountColumns
        dir = try TemporaryDirectory("outbound")
        try RepositoryPaths.copyExampleKeys(to: dir.path)
        try dir.write("arlink.yaml", try String(contentsOfFile: RepositoryPaths.root + "/config/demo.yaml", encoding: .utf8))
        for folder in ["partner/inbox", "partner/outbox", "partner/processed", "erp/import"] {
            try FileManager.default.createDirectory(atPath: dir.file(folder), withIntermediateDirectories: true)
        }
        try writeExtract(customers: customers, items: items, variant: variant)
    }

    func writeExtract(customers: Int = 200, items: Int = 2000, variant: Int) throws {
        _ = try SampleExtract.write(to: dir.file("erp"), options: .init(
            asOf: asOf, customers: customers, openItems: items, variant: variant, accountColumns: accountColumns
        ))
    }

    func context() throws -> RunContext {
        try RunContext(config: try ArlinkConfiguration.load(path: configPath), createState: true)
    }

    func inbox() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.file("partner/inbox")).sorted()
    }

    /// Opens a delivered file with the openssl CLI and the partner's keys; returns the plaintext lines.
    func openWithOpenSSL(_ name: String) throws -> [String] {
        let keys = dir.file("keys")
        let signed = dir.file("opened.der"), plain = dir.file("opened.txt")
        let d = try ProcessRunner.run("openssl", ["cms", "-decrypt", "-binary", "-inform", "DER", "-in", dir.file("partner/inbox/" + name),
                                                  "-out", signed, "-recip", keys + "/partner/encryption.crt", "-inkey", keys + "/partner/encryption.key"])
        #expect(d.status == 0, "\(d.stderr)")
        let v = try ProcessRunner.run("openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", signed, "-out", plain,
                                                  "-CAfile", keys + "/ca/company-ca.crt", "-purpose", "any"])
        #expect(v.status == 0, "\(v.stderr)")
        return try String(contentsOfFile: plain, encoding: .utf8).split(separator: "\n").map(String.init)
    }
}

@Suite("Outbound job (real SQLite, real envelope, folder transport)", .timeLimit(.minutes(10)))
struct OutboundJobTests {
    @Test("a run places, seals and delivers one file the openssl CLI opens; a repeat sends nothing new")
    func runAndRepeat() throws {
        let f = try OutboundFixture()
        defer { f.dir.remove() }
        let report = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf))
        let p = try #require(report.partners.first)
        #expect(p.outcome == .delivered)
        #expect(p.placed > 0)
        #expect(try f.inbox() == [p.fileName].compactMap { $0 })
        let lines = try f.openWithOpenSSL(try #require(p.fileName))
        #expect(lines.count == p.placed + p.updated + p.recalled + 2)
        #expect(lines.first?.contains("\"record_type\":\"header\"") == true)
        #expect(lines.last?.contains("\"record_type\":\"trailer\"") == true)
        // Plaintext removed after sealing.
        let work = try FileManager.default.contentsOfDirectory(atPath: f.dir.file("state/work/outbound/acme-collect"))
        #expect(work.allSatisfy { $0.hasSuffix(".p7m") })
        // Same as-of date again: nothing new.
        let again = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf))
        #expect(again.partners.first?.outcome == .alreadyDelivered)
        #expect(try f.inbox().count == 1)
    }

    @Test("dry run counts by reason and writes nothing")
    func dryRun() throws {
        let f = try OutboundFixture()
        defer { f.dir.remove() }
        let report = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf, dryRun: true))
        let p = try #require(report.partners.first)
        #expect(p.outcome == .dryRun)
        #expect(p.placed > 0)
        #expect((p.invoiceExclusions[.notOverdueEnough] ?? 0) > 0)
        #expect((p.invoiceExclusions[.disputed] ?? 0) > 0)
        #expect(try f.inbox().isEmpty)
        let batches = try StateStore(path: f.dir.file("state/arlink.sqlite")).read { db in try PlacementLedger.batches(db) }
        #expect(batches.isEmpty)
    }

    @Test("place, update and recall across three consecutive runs of a changing extract")
    func threeRuns() throws {
        let f = try OutboundFixture()
        defer { f.dir.remove() }
        let r1 = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf)).partners[0]
        #expect(r1.placed > 0 && r1.updated == 0 && r1.recalled == 0)
        try f.writeExtract(variant: 1)
        let r2 = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf.adding(days: 1))).partners[0]
        #expect(r2.outcome == .delivered)
        #expect(r2.updated > 0)
        #expect(r2.recalled > 0)
        try f.writeExtract(variant: 2)
        let r3 = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf.adding(days: 2))).partners[0]
        #expect(r3.sequence == 3)
        #expect(try f.inbox().count == 3)
        // Every delivered file carries the previous file's plaintext hash in its signed header.
        let store = try StateStore(path: f.dir.file("state/arlink.sqlite"))
        let batches = try store.read { db in try PlacementLedger.batches(db, partner: "acme-collect") }.sorted { $0.sequence < $1.sequence }
        #expect(batches.map(\.state) == [.delivered, .delivered, .delivered])
        let header3 = try f.openWithOpenSSL(batches[2].fileName).first ?? ""
        #expect(header3.contains("\"previous_file_sha256\":\"\(batches[1].plaintextSHA256)\""))
    }

    @Test("a delivery failure leaves the batch sealed; the next run delivers the same file")
    func resumeAfterDeliveryFailure() throws {
        let f = try OutboundFixture()
        defer { f.dir.remove() }
        try FileManager.default.removeItem(atPath: f.dir.file("partner/inbox"))
        #expect(throws: (any Error).self) { _ = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf)) }
        let store = try StateStore(path: f.dir.file("state/arlink.sqlite"))
        let pending = try store.read { db in try PlacementLedger.pendingBatches(db, partner: "acme-collect") }
        #expect(pending.count == 1)
        #expect(pending.first?.state == .sealed)
        let sealedSHA = pending.first?.sealedSHA256
        try FileManager.default.createDirectory(atPath: f.dir.file("partner/inbox"), withIntermediateDirectories: true)
        let report = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf))
        #expect(report.partners.first?.outcome == .resumed)
        #expect(report.partners.first?.sealedSHA256 == sealedSHA)
        #expect(try f.inbox() == [pending.first?.fileName].compactMap { $0 })
    }
}
