import ARLinkConfig
import ARLinkCore
import ARLinkJobs
import ARLinkLayouts
import ARLinkOutbound
import ARLinkSampleData
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// A partner whose `portfolio_format` is Latitude AIM: the delivered files are the AIM data
/// file and its signed sidecar manifest, opened with the openssl CLI as the agency would.
@Suite("Outbound run in a partner layout (Latitude AIM)", .timeLimit(.minutes(10)))
struct LayoutOutboundTests {
    /// Opens a delivered file with the openssl CLI and the partner's keys; returns its bytes.
    static func open(_ f: OutboundFixture, _ name: String) throws -> [UInt8] {
        let keys = f.dir.file("keys")
        let signed = f.dir.file("opened.der"), plain = f.dir.file("opened.bin")
        let d = try ProcessRunner.run("openssl", ["cms", "-decrypt", "-binary", "-inform", "DER", "-in", f.dir.file("partner/inbox/" + name),
                                                  "-out", signed, "-recip", keys + "/partner/encryption.crt", "-inkey", keys + "/partner/encryption.key"])
        #expect(d.status == 0, "\(d.stderr)")
        let v = try ProcessRunner.run("openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", signed, "-out", plain,
                                                  "-CAfile", keys + "/ca/company-ca.crt", "-purpose", "any"])
        #expect(v.status == 0, "\(v.stderr)")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: plain)))
    }

    @Test("the agency receives an AIM file and a manifest that signs it; file numbers are kept and reused")
    func aim() throws {
        let f = try OutboundFixture()
        defer { f.dir.remove() }
        _ = try SampleExtract.write(to: f.dir.file("erp"), options: .init(asOf: f.asOf, customers: 200, openItems: 2000, currencies: ["USD"]))
        let yaml = try String(contentsOfFile: f.configPath, encoding: .utf8)
        try f.dir.write("arlink.yaml", yaml.replacingOccurrences(of: "    portfolio_format: jsonl", with: "    portfolio_format: latitude-aim"))
        let report = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf))
        let p = try #require(report.partners.first)
        #expect(p.outcome == .delivered)
        let inbox = try f.inbox()
        #expect(inbox.count == 2)
        let dataName = try #require(inbox.first { $0.hasSuffix(".txt.p7m") })
        let manifestName = try #require(inbox.first { $0.hasSuffix(".txt.manifest.jsonl.p7m") })
        #expect(dataName.hasPrefix("acme-corp_acme-collect_portfolio_"))
        let data = try Self.open(f, dataName)
        let manifest = try SidecarManifest(text: String(decoding: try Self.open(f, manifestName), as: UTF8.self), name: manifestName)
        try manifest.check(data: data, dataFileName: String(dataName.dropLast(4)))
        #expect(manifest.headerLine.contains("\"schema\":\"portfolio.v1\""))
        #expect(manifest.trailerLine.contains("\"place\":\(p.placed)"))
        let layout = try #require(try BuiltinLayouts.layout(named: "latitude-aim", direction: .portfolio))
        let file = try LayoutReader(layout: layout).read(data, name: dataName)
        let records = try PortfolioLayout(layout: layout).read(file)
        #expect(records.filter { $0.action == .place }.count == p.placed)
        #expect(file.trailer?["agency"] == .text("acme-corp"))
        // The audit log names the files the agency received, with the data file's digest.
        let entries = try StateStore(path: f.dir.file("state/arlink.sqlite")).read {
            try String.fetchAll($0.sqlite, sql: "SELECT entry FROM audit_entry WHERE action IN ('batch.sealed', 'batch.delivered') ORDER BY leaf_index")
        }
        try #require(entries.count == 2)
        let sealedData = try ProcessRunner.run("sha256sum", [f.dir.file("partner/inbox/" + dataName)]).stdout.prefix(64)
        #expect(entries[0].contains("\"layout_data_sealed_sha256\":\"\(sealedData)\""), "\(entries[0])")
        for entry in entries {
            #expect(entry.contains("\"layout_data_file\":\"\(dataName)\""), "\(entry)")
            #expect(entry.contains("\"layout_manifest_file\":\"\(manifestName)\""), "\(entry)")
        }
        // The work folder keeps only sealed files.
        let work = try FileManager.default.contentsOfDirectory(atPath: f.dir.file("state/work/outbound/acme-collect"))
        #expect(work.allSatisfy { $0.hasSuffix(".p7m") })
        // The work folder keeps the data file's envelope as delivered.
        let kept = try ProcessRunner.run("sha256sum", [f.dir.file("state/work/outbound/acme-collect/" + dataName)]).stdout.prefix(64)
        #expect(kept == sealedData)
        // The run report names what the agency received, not the batch's own file.
        #expect(p.fileName == dataName)
        #expect(p.manifestFileName == manifestName)
        #expect(p.sealedSHA256.map { Substring($0) } == sealedData)
        // Same as-of date again: nothing new delivered.
        let again = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf))
        #expect(again.partners.first?.outcome == .alreadyDelivered)
        #expect(try f.inbox().count == 2)
        // Every placed account has a file number, 1...n, the one its CACT carries.
        let store = try StateStore(path: f.dir.file("state/arlink.sqlite"))
        let numbers = try store.read { db in try FileNumberLedger.all(db, partner: "acme-collect") }
        #expect(numbers.count == p.placed)
        #expect(numbers.map(\.number) == Array(1...Int64(p.placed)))
        let cact = file.records.filter { $0.type == "CACT" }
        #expect(Set(cact.compactMap { $0["file_number"].integer }) == Set(numbers.map(\.number)))
        let byNumber = Dictionary(uniqueKeysWithValues: numbers.map { ($0.number, $0.account) })
        #expect(cact.allSatisfy { byNumber[$0["file_number"].integer ?? 0] == $0["account"].text })
    }

    @Test("a portfolio in two currencies is refused for a layout that carries one, naming partner and currencies; nothing is built")
    func otherCurrency() throws {
        let f = try OutboundFixture()
        defer { f.dir.remove() }
        _ = try SampleExtract.write(to: f.dir.file("erp"), options: .init(asOf: f.asOf, customers: 200, openItems: 2000, currencies: ["USD", "EUR"]))
        let yaml = try String(contentsOfFile: f.configPath, encoding: .utf8)
        try f.dir.write("arlink.yaml", yaml.replacingOccurrences(of: "    portfolio_format: jsonl", with: "    portfolio_format: latitude-aim"))
        // A dry run says what a real run would refuse.
        let dry = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf, dryRun: true))
        #expect(dry.partners.first?.warnings.contains { $0.contains("carries amounts in USD only") && $0.contains("EUR (") } == true)
        do {
            _ = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf))
            Issue.record("a two-currency portfolio was sent through a one-currency layout")
        } catch let error as LayoutError {
            #expect(error.code == .otherCurrency)
            #expect(error.exitStatus == .dataError)
            #expect(error.message.contains("partner acme-collect's layout latitude-aim-portfolio carries amounts in USD only"), "\(error.message)")
            #expect(error.message.contains("EUR ("), "\(error.message)")
        }
        #expect(try f.inbox().isEmpty)
        let batches = try StateStore(path: f.dir.file("state/arlink.sqlite")).read {
            try Int.fetchOne($0.sqlite, sql: "SELECT COUNT(*) FROM outbound_batch") ?? -1
        }
        #expect(batches == 0)
    }
}
