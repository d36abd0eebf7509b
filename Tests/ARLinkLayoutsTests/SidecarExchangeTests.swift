import ARLinkCore
import ARLinkFormats
@testable import ARLinkLayouts
import ARLinkTestSupport
import Foundation
import Testing

/// arlink's own files ↔ a layout file plus its signed sidecar manifest.
@Suite("layout files with their sidecar manifest", .timeLimit(.minutes(10)))
struct SidecarExchangeTests {
    static func header(kind: String, schema: String, direction: String) -> FileHeader {
        FileHeader(schema: schema, fileID: "0b7e1c62-3f0a-4c1e-9d55-2f1b8a7c9e01", kind: kind, direction: direction, batchID: "b-1", sequence: 1,
                   sender: "acme-corp", recipient: "agency", recipientKeySHA256: String(repeating: "ab", count: 32),
                   createdAt: "2025-12-01T06:00:00Z", previousFileSHA256: nil, asOf: LayoutFixtures.date("2025-12-01"))
    }

    @Test("arlink's portfolio file becomes the golden AIM file and a manifest that checks it")
    func outbound() throws {
        let dir = try TemporaryDirectory("layout-sidecar")
        defer { dir.remove() }
        let path = dir.file("portfolio.jsonl")
        let writer = try PortfolioWriter(path: path, format: .jsonl, header: Self.header(kind: "portfolio", schema: "portfolio.v1", direction: "outbound"))
        for r in LayoutFixtures.portfolio { try writer.write(r) }
        let written = try writer.finish()
        let (data, manifest) = try LayoutPortfolioConversion.convert(
            arlinkFile: path, layout: PortfolioLayout(layout: try LayoutFixtures.aim(.portfolio, pipe: false)), dataName: "acme_agency_portfolio.txt",
            fileNumbers: LayoutFixtures.fileNumbers, previousBalances: LayoutFixtures.previousBalances, context: LayoutFixtures.context)
        #expect(data == (try LayoutFixtures.bytes("aim/portfolio-fixed.txt")))
        let again = try SidecarManifest(text: manifest.text, name: "m")
        #expect(again == manifest)
        #expect(again.trailerLine.contains("\"place\":2") && again.headerLine.contains("\"file_id\":\"0b7e1c62-3f0a-4c1e-9d55-2f1b8a7c9e01\""))
        #expect(written.totals.counts["recall"] == 1)
        try again.check(data: data, dataFileName: "acme_agency_portfolio.txt")
        var changed = data
        changed[60] = UInt8(ascii: "9")
        #expect(throws: LayoutError(.badLine, "")) { try again.check(data: changed, dataFileName: "acme_agency_portfolio.txt") }
        #expect(throws: LayoutError(.badLine, "")) { try again.check(data: Array(data.dropLast()), dataFileName: "acme_agency_portfolio.txt") }
    }

    static func feedbackManifest(data: [UInt8], totals: ControlTotals) throws -> SidecarManifest {
        let header = FeedbackJSON.header(Self.header(kind: "feedback", schema: "feedback.v1", direction: "inbound"))
        let text = header + "\n" + FeedbackJSON.trailer(totals) + "\n"
        return try SidecarManifest(arlinkFileText: text, layoutName: "latitude-aim-feedback", dataFileName: "AGY42_feedback.txt", data: data)
    }

    static let totals = ControlTotals(counts: ["payment": 1, "payment_reversal": 1, "status": 1, "promise": 1], totals: [try! Currency("USD"): LayoutFixtures.usd("200.00")])

    @Test("an AIM feedback file and its manifest become a feedback.v1 file the ordinary reader accepts")
    func inbound() throws {
        let dir = try TemporaryDirectory("layout-sidecar")
        defer { dir.remove() }
        let data = try LayoutFixtures.bytes("aim/feedback-fixed.txt")
        let manifest = try Self.feedbackManifest(data: data, totals: Self.totals)
        let report = try LayoutFeedbackConversion.convert(
            data: data, dataName: "AGY42_feedback.txt", manifest: manifest, feedback: FeedbackLayout(layout: try LayoutFixtures.aim(.feedback, pipe: false)),
            fileNumbers: LayoutFixtures.fileNumbers, placedBalances: ["A-1001": LayoutFixtures.usd("1250.50"), "A-1002": LayoutFixtures.usd("99.99")],
            output: dir.file("feedback.jsonl"))
        #expect(report.acknowledgements.map(\.1) == [.accepted, .rejected(reason: "balance_mismatch", detail: "original balance 90.00 USD differs from the 99.99 USD placed")])
        #expect(report.recallObjections.count == 1 && report.reconciliations.count == 1)
        let reader = try FeedbackReader(path: dir.file("feedback.jsonl"), displayName: "AGY42_feedback.txt")
        #expect(reader.header.fileID == "0b7e1c62-3f0a-4c1e-9d55-2f1b8a7c9e01")
        var types: [FeedbackEventType] = []
        while let e = try reader.next() { types.append(e.type) }
        #expect(types == [.payment, .paymentReversal, .status, .promise])
    }

    @Test("a manifest whose totals do not match the data file's events is refused by the ordinary reader")
    func totalsMismatch() throws {
        let dir = try TemporaryDirectory("layout-sidecar")
        defer { dir.remove() }
        let data = try LayoutFixtures.bytes("aim/feedback-fixed.txt")
        var totals = Self.totals
        totals.counts["payment"] = 2
        let manifest = try Self.feedbackManifest(data: data, totals: totals)
        _ = try LayoutFeedbackConversion.convert(
            data: data, dataName: "AGY42_feedback.txt", manifest: manifest, feedback: FeedbackLayout(layout: try LayoutFixtures.aim(.feedback, pipe: false)),
            fileNumbers: LayoutFixtures.fileNumbers, placedBalances: [:], output: dir.file("feedback.jsonl"))
        let reader = try FeedbackReader(path: dir.file("feedback.jsonl"), displayName: "AGY42_feedback.txt")
        #expect(throws: FeedbackError.self) { while try reader.next() != nil {} }
    }

    @Test("a data file that is not the one the manifest signs writes nothing")
    func substituted() throws {
        let dir = try TemporaryDirectory("layout-sidecar")
        defer { dir.remove() }
        let data = try LayoutFixtures.bytes("aim/feedback-fixed.txt")
        let manifest = try Self.feedbackManifest(data: data, totals: Self.totals)
        var other = data
        other[50] = UInt8(ascii: "7")
        #expect(throws: LayoutError(.badLine, "")) {
            try LayoutFeedbackConversion.convert(
                data: other, dataName: "AGY42_feedback.txt", manifest: manifest, feedback: FeedbackLayout(layout: try LayoutFixtures.aim(.feedback, pipe: false)),
                fileNumbers: LayoutFixtures.fileNumbers, placedBalances: [:], output: dir.file("feedback.jsonl"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("feedback.jsonl")))
    }
}
