import ARLinkConfig
import ARLinkCore
import ARLinkFormats
import ARLinkInbound
import ARLinkLayouts
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// A partner whose `feedback_format` is Latitude AIM: it drops an AIM data file and its signed
/// sidecar manifest (sealed with the openssl CLI); the inbound job applies them as one file.
@Suite("Inbound run in a partner layout (Latitude AIM)", .timeLimit(.minutes(10)))
struct LayoutInboundTests {
    static let dataName = "acme-collect_acme-corp_feedback_20260630_000001.txt"

    /// Three USD accounts placed with file numbers 1-3, and the agency's AIM answer: a payment
    /// for file 1, a close-and-return for file 2, a promise note for file 3.
    static func prepare(_ f: InboundFixture) throws -> (data: [UInt8], manifest: String) {
        try f.seedPlacements(accounts: 3, currency: "USD")
        try f.store().write { db in
            for n in 1...3 { _ = try FileNumberLedger.assign(db, partner: f.partner, account: f.accountRef(n), at: "2026-06-01T00:00:00Z") }
        }
        let layout = try #require(try BuiltinLayouts.layout(named: "latitude-aim", direction: .feedback))
        let today = f.today
        let aim = DateFormatText(today)
        let records = [
            OutRecord(type: "APAY", values: ["file_number": .integer(1), "account": .text("C0001"), "payment_amount": .amount(10000),
                                             "payment_date": .date(today.adding(days: -1)), "payment_type": .text("PA"), "payment_identifier": .text("AGY-P-1")], context: "t"),
            OutRecord(type: "ACLS", values: ["file_number": .integer(2), "close_date": .date(today), "close_code": .text("RCL")], context: "t"),
            OutRecord(type: "ANOT", values: ["file_number": .integer(3), "created_datetime": .date(today), "note_result": .text("PTP"),
                                             "note_comment": .text("PTP 50.00 \(aim.plus(10))")], context: "t"),
        ]
        let data = try LayoutWriter(layout: layout).render(records, fileValues: ["agency_id": .text("AGY42"), "created_on": .date(today)])
        let totals = ControlTotals(counts: ["payment": 1, "status": 1, "promise": 1], totals: [try Currency("USD"): Money(minorUnits: 10000, currency: try Currency("USD"))])
        let arlinkText = FeedbackJSON.header(try f.header(sequence: 1, previous: nil)) + "\n" + FeedbackJSON.trailer(totals) + "\n"
        let manifest = try SidecarManifest(arlinkFileText: arlinkText, layoutName: layout.name, dataFileName: dataName, data: data)
        return (data, manifest.text)
    }

    static func drop(_ f: InboundFixture, data: [UInt8], manifest: String) throws {
        let dataPlain = f.dir.file("aim-data.txt"), manifestPlain = f.dir.file("aim-manifest.jsonl")
        try Data(data).write(to: URL(fileURLWithPath: dataPlain))
        try f.dir.write("aim-manifest.jsonl", manifest)
        try f.seal(dataPlain, as: dataName + ".p7m")
        try f.seal(manifestPlain, as: SidecarManifest.fileName(for: dataName) + ".p7m")
    }

    @Test("the pair is applied as one feedback file and moved to processed together")
    func applied() throws {
        let f = try InboundFixture(partnerExtra: ["feedback_format: latitude-aim"])
        let (data, manifest) = try Self.prepare(f)
        try Self.drop(f, data: data, manifest: manifest)
        let report = try f.run()
        let p = try #require(report.partners.first)
        #expect(p.quarantined.isEmpty, "\(p.quarantined)")
        #expect(p.processed == [SidecarManifest.fileName(for: Self.dataName) + ".p7m"])
        #expect(p.eventsAccepted == 3)
        let updates = try f.exportedUpdates()
        #expect(updates.contains { $0["status"] == .string("returned_by_partner") })
        #expect(updates.contains { $0["status"] == .string("promised") })
        #expect(f.files(f.outbox).isEmpty)
        #expect(f.files(f.processed) == [Self.dataName + ".p7m", SidecarManifest.fileName(for: Self.dataName) + ".p7m"].sorted())
        // A second run finds nothing new.
        let again = try f.run()
        #expect(again.partners.first?.processed.isEmpty == true)
    }

    @Test("a data file that is not the one its manifest signs is quarantined, nothing applied")
    func substituted() throws {
        let f = try InboundFixture(partnerExtra: ["feedback_format: latitude-aim"])
        var (data, manifest) = try Self.prepare(f)
        data[50] = UInt8(ascii: "9")  // the payment's amount
        try Self.drop(f, data: data, manifest: manifest)
        let report = try f.run()
        let p = try #require(report.partners.first)
        #expect(p.processed.isEmpty)
        #expect(p.quarantined.map(\.code) == ["layout.bad_line"])
        #expect(p.quarantined.first?.message.contains("its signed manifest says") == true)
        #expect(try f.exportedUpdates().isEmpty)
        _ = manifest
    }

    @Test("an unknown file number quarantines the pair, nothing applied")
    func unknownFileNumber() throws {
        let f = try InboundFixture(partnerExtra: ["feedback_format: latitude-aim"])
        _ = try Self.prepare(f)
        try f.store().write { db in try db.sqlite.execute(sql: "DELETE FROM layout_file_number WHERE file_number = 2") }
        let (data, manifest) = try Self.prepare2(f)
        try Self.drop(f, data: data, manifest: manifest)
        let p = try #require(try f.run().partners.first)
        #expect(p.quarantined.map(\.code) == ["layout.unknown_file_number"])
        #expect(try f.exportedUpdates().isEmpty)
    }

    /// The same answer without placing again (for a ledger changed after ``prepare``).
    static func prepare2(_ f: InboundFixture) throws -> (data: [UInt8], manifest: String) {
        let layout = try #require(try BuiltinLayouts.layout(named: "latitude-aim", direction: .feedback))
        let records = [OutRecord(type: "ACLS", values: ["file_number": .integer(2), "close_date": .date(f.today), "close_code": .text("RCL")], context: "t")]
        let data = try LayoutWriter(layout: layout).render(records, fileValues: ["agency_id": .text("AGY42"), "created_on": .date(f.today)])
        let text = FeedbackJSON.header(try f.header(sequence: 1, previous: nil)) + "\n" + FeedbackJSON.trailer(ControlTotals(counts: ["status": 1])) + "\n"
        return (data, try SidecarManifest(arlinkFileText: text, layoutName: layout.name, dataFileName: dataName, data: data).text)
    }
}

/// `CCYYMMDD` of a day some days after `day`.
struct DateFormatText {
    let day: LocalDate
    init(_ day: LocalDate) { self.day = day }
    func plus(_ days: Int) -> String { day.adding(days: days).compact }
}
