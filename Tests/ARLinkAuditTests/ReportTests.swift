@testable import ARLinkAudit
import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

@Suite("Period reports for a compliance officer", .timeLimit(.minutes(10)))
struct ReportTests {
    func makeReport(tamper: Bool = false) throws -> (AuditTestFixture, AuditReport) {
        let fixture = try AuditTestFixture("report")
        let store = try fixture.store()
        let log = try fixture.log(store)
        var events = AuditTestFixture.sampleEvents(6)
        // Shaped as the jobs write them: the delivery names the batch, whose built entry has the count.
        events.append(AuditEvent(action: "batch.delivered", outcome: "ok", partner: "collectco", direction: "outbound", batchID: "B-0", fileID: "F-1000"))
        events.append(AuditEvent(action: "file.applied", outcome: "ok", partner: "collectco", direction: "inbound", fileID: "F-2000",
                                 sealedSHA256: String(repeating: "d", count: 64), recordCount: 7))
        events.append(AuditEvent(action: "events.applied", outcome: "ok", partner: "collectco", direction: "inbound", fileID: "F-2000", recordCount: 7,
                                 detail: ["rejected_unknown_account": "2", "rejected_duplicate": "0", "events_accepted": "5"]))
        events.append(AuditEvent(action: "config.loaded", outcome: "ok", detail: ["config_sha256": String(repeating: "e", count: 64)]))
        try store.write { db in try log.append(events, in: db) }
        try log.checkpoint()
        if tamper {
            try fixture.sqlite(TamperTests.unlock + "UPDATE audit_entry SET entry = replace(entry, '\"record_count\":7', '\"record_count\":70') WHERE leaf_index = 7;")
        }
        let verification: Result<AuditVerification, AuditError>
        do { verification = .success(try fixture.verify()) } catch let error as AuditError { verification = .failure(error) }
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        let report = try AuditReport.build(store: store, from: today, to: today, origin: AuditTestFixture.origin, verification: verification)
        return (fixture, report)
    }

    @Test("transfers, refusals, exceptions, volumes and status are all there")
    func content() throws {
        let (fixture, report) = try makeReport()
        defer { fixture.directory.remove() }
        #expect(report.transfers.count == 9, "config.loaded has no partner or file and is not a transfer")
        #expect(report.refusals.map(\.action) == ["file.quarantined", "file.quarantined"])
        #expect(report.refusals.first?.reason == "gcm_tag")
        #expect(report.exceptions.map(\.action) == ["events.applied"])
        #expect(report.exceptions.first?.reason == "rejected_unknown_account=2")
        #expect(report.dailyVolumes.count == 1)
        #expect(report.dailyVolumes.first?.outboundFiles == 1)
        #expect(report.dailyVolumes.first?.outboundRecords == 10, "from the batch.built entry of B-0")
        // One applied file and one quarantined file (two quarantine entries of the same bytes).
        #expect(report.dailyVolumes.first?.inboundFiles == 2)
        #expect(report.dailyVolumes.first?.inboundRecords == 7)
        #expect(report.checkpointStatus.hasPrefix("intact: 10 entries"))
        #expect(report.groups.map { "\($0.partner)/\($0.direction)" } == ["collectco/inbound", "collectco/outbound"])

        let csv = report.csv()
        let lines = csv.split(separator: "\r\n")
        #expect(lines.first == Substring(AuditReport.csvHeader.joined(separator: ",")))
        #expect(lines.filter { $0.hasPrefix("transfer,") }.count == 9)
        #expect(lines.filter { $0.hasPrefix("refusal,") }.count == 2)
        #expect(lines.last?.hasPrefix("checkpoint,") == true)
        #expect(lines.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count >= AuditReport.csvHeader.count })

        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let log = try #require(json["log"] as? [String: Any])
        #expect(log["intact"] as? Bool == true)
        #expect((json["transfers"] as? [[String: Any]])?.count == 2)
        #expect((json["exceptions"] as? [Any])?.count == 1)

        let html = report.html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg") && html.contains("<rect"))
        #expect(html.contains("F-2000"))
        for external in ["<script", "src=", "href=", "@import", "url(", "<link"] {
            #expect(!html.contains(external), "the page must be self-contained: found \(external)")
        }
    }

    @Test("a tampered log shows as NOT INTACT with the reason")
    func tampered() throws {
        let (fixture, report) = try makeReport(tamper: true)
        defer { fixture.directory.remove() }
        #expect(report.checkpointStatus.hasPrefix("NOT INTACT: entry 7"))
        #expect(!report.isIntact)
        #expect(report.html().contains("<p class=\"banner\">THE AUDIT LOG IS NOT INTACT"))
        #expect(report.csv().contains("not_intact"))
    }

    @Test("dates must be YYYY-MM-DD and in order")
    func dates() throws {
        let fixture = try AuditTestFixture("report-dates")
        defer { fixture.directory.remove() }
        let store = try fixture.store()
        for (from, to) in [("2026-13-01", "2026-12-01"), ("yesterday", "2026-12-01"), ("2026-12-02", "2026-12-01")] {
            #expect(throws: AuditError(.malformed, "")) {
                _ = try AuditReport.build(store: store, from: from, to: to, origin: "o", verification: .failure(AuditError(.notFound, "x")))
            }
        }
    }

    @Test("CSV fields are quoted and formula-like text is neutralised")
    func csvEscaping() {
        #expect(AuditReport.csvField("a,b") == "\"a,b\"")
        #expect(AuditReport.csvField("say \"x\"") == "\"say \"\"x\"\"\"")
        #expect(AuditReport.csvField("=cmd()") == "'=cmd()")
        #expect(AuditReport.csvField("-12.50") == "-12.50")
        #expect(AuditReport.escape("<b>&\"'") == "&lt;b&gt;&amp;&quot;&#39;")
    }
}
