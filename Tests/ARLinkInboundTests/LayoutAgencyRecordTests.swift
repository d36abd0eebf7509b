import ARLinkConfig
import ARLinkCore
import ARLinkFormats
import ARLinkInbound
import ARLinkLayouts
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkSystem
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// An AIM answer with acknowledgements (one with a wrong original balance), a reconciliation
/// that does not match and a recall objection: they are stored in the file's transaction,
/// the rejected acknowledgement is in the partner's receipt and the run report, the objection
/// in the audit log; the data file's envelope is archived beside its manifest.
@Suite("Layout agency records and archive (Latitude AIM)", .timeLimit(.minutes(10)))
struct LayoutAgencyRecordTests {
    static let dataName = LayoutInboundTests.dataName

    static func prepare(_ f: InboundFixture) throws -> (data: [UInt8], manifest: String) {
        try f.seedPlacements(accounts: 3, currency: "USD")
        try f.store().write { db in
            for n in 1...3 { _ = try FileNumberLedger.assign(db, partner: f.partner, account: f.accountRef(n), at: "2026-06-01T00:00:00Z") }
            // The balance placed, as the outbound job records it.
            try db.sqlite.execute(sql: "UPDATE placement SET balances = '{\"USD\":\"150.00\"}' WHERE partner = ?", arguments: [f.partner])
        }
        let layout = try #require(try BuiltinLayouts.layout(named: "latitude-aim", direction: .feedback))
        let today = f.today
        func balances(_ n: Int64, original: Int64, current: Int64) -> [String: LayoutValue] {
            ["file_number": .integer(n), "original_balance": .amount(original), "received_date": .date(today), "current_balance": .amount(current)]
        }
        let records = [
            OutRecord(type: "AACK", values: balances(1, original: 15000, current: 15000), context: "t"),
            OutRecord(type: "AACK", values: balances(2, original: 14900, current: 14900), context: "t"),
            OutRecord(type: "AREC", values: balances(3, original: 16000, current: 12000), context: "t"),
            OutRecord(type: "AOBJ", values: ["file_number": .integer(3), "objection_reason_code": .text("PAY"), "objection_date": .date(today)], context: "t"),
            OutRecord(type: "APAY", values: ["file_number": .integer(1), "payment_amount": .amount(2500), "payment_date": .date(today.adding(days: -1)),
                                             "payment_type": .text("PA"), "payment_identifier": .text("AGY-P-9")], context: "t"),
        ]
        let data = try LayoutWriter(layout: layout).render(records, fileValues: ["agency_id": .text("AGY42"), "created_on": .date(today)])
        let usd = try Currency("USD")
        let totals = ControlTotals(counts: ["payment": 1], totals: [usd: Money(minorUnits: 2500, currency: usd)])
        let text = FeedbackJSON.header(try f.header(sequence: 1, previous: nil)) + "\n" + FeedbackJSON.trailer(totals) + "\n"
        return (data, try SidecarManifest(arlinkFileText: text, layoutName: layout.name, dataFileName: dataName, data: data).text)
    }

    static func sha256(_ path: String) throws -> String {
        var h = SHA256()
        h.update([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        return h.finalizeHex()
    }

    @Test("acknowledgements, reconciliations and objections are stored once, with the file; a rejected acknowledgement is in the receipt")
    func stored() throws {
        let f = try InboundFixture(partnerExtra: ["feedback_format: latitude-aim"])
        let (data, manifest) = try Self.prepare(f)
        try LayoutInboundTests.drop(f, data: data, manifest: manifest)
        let sentData = try Self.sha256(f.outbox + "/" + Self.dataName + ".p7m")
        let sentManifest = try Self.sha256(f.outbox + "/" + SidecarManifest.fileName(for: Self.dataName) + ".p7m")
        let report = try f.run()
        let p = try #require(report.partners.first)
        #expect(p.quarantined.isEmpty, "\(p.quarantined)")
        #expect(p.eventsAccepted == 1)
        // The run report names them.
        #expect(p.exceptions.contains { $0.contains("acknowledgement of file number 000000002") && $0.contains("balance_mismatch") })
        #expect(p.exceptions.contains { $0.contains("reconciliation of file number 000000003") })
        #expect(p.exceptions.contains { $0.contains("recall objection for file number 000000003") && $0.contains("pay") })
        #expect(!p.exceptions.contains { $0.contains("file number 000000001") })

        let rows = try f.store().read { db in try LayoutAgencyLedger.records(db, partner: f.partner, fileSHA256: sentManifest) }
        #expect(rows.map(\.line) == [1, 2, 3, 4])
        #expect(rows.map(\.kind) == [.acknowledgement, .acknowledgement, .reconciliation, .recallObjection])
        #expect(rows.map(\.outcome) == [.accepted, .rejected, .mismatch, .objected])
        #expect(rows[1].reason == "balance_mismatch")
        #expect(rows[1].originalBalance?.minorUnits == 14900 && rows[1].placedBalance?.minorUnits == 15000)
        #expect(rows[2].currentBalance?.minorUnits == 12000)
        #expect(rows[3].reason == "PAY" && rows[3].accountRef == f.accountRef(3))

        // The receipt lists the rejected acknowledgement with its reason.
        let receiptName = try #require(f.files(f.inbox).first)
        let receipt = try f.openReceipt(receiptName)
        #expect(receipt.contains { $0.contains("\"rejected\"") && $0.contains("AACK-000000002") && $0.contains("balance_mismatch") })
        #expect(receipt.contains { $0.contains("\"events_rejected\":1") })
        let check = try ProcessRunner.run("python3", ["-c", """
            import json,sys,jsonschema
            schema=json.load(open(sys.argv[1]))
            for line in open(sys.argv[2]):
                jsonschema.validate(json.loads(line), schema)
            """, RepositoryPaths.root + "/schemas/receipt.v1.schema.json", f.dir.file("receipt.txt")])
        #expect(check.status == 0, "\(check.stderr)")

        // The objection is in the audit log.
        let audit = try f.store().read { db in
            return try Int.fetchOne(db.sqlite, sql: "SELECT COUNT(*) FROM audit_entry WHERE action = 'recall.objected' AND entry LIKE '%\"reason_code\":\"pay\"%'") ?? 0
        }
        #expect(audit == 1)

        // Both envelopes are archived, byte for byte what the agency dropped.
        let archived = f.work + "/archive/" + sentManifest
        #expect(try Self.sha256(archived + "/" + Self.dataName + ".p7m") == sentData)
        #expect(try Self.sha256(archived + "/" + SidecarManifest.fileName(for: Self.dataName) + ".p7m") == sentManifest)
        #expect(!FileManager.default.fileExists(atPath: f.work + "/incoming/" + SidecarManifest.fileName(for: Self.dataName) + ".p7m.data"))

        // A second run records nothing again.
        _ = try f.run()
        let all = try f.store().read { db in try LayoutAgencyLedger.counts(db, partner: f.partner) }
        #expect(all == ["acknowledgement/accepted": 1, "acknowledgement/rejected": 1, "reconciliation/mismatch": 1, "recall_objection/objected": 1])
    }

    @Test("a quarantined pair keeps both envelopes in quarantine and stores no agency records")
    func quarantined() throws {
        let f = try InboundFixture(partnerExtra: ["feedback_format: latitude-aim"])
        var (data, manifest) = try Self.prepare(f)
        data[50] = UInt8(ascii: "9")  // no longer the file the manifest signs
        try LayoutInboundTests.drop(f, data: data, manifest: manifest)
        let sentData = try Self.sha256(f.outbox + "/" + Self.dataName + ".p7m")
        let sentManifest = try Self.sha256(f.outbox + "/" + SidecarManifest.fileName(for: Self.dataName) + ".p7m")
        let p = try #require(try f.run().partners.first)
        #expect(p.quarantined.map(\.code) == ["layout.bad_line"])
        let kept = f.work + "/quarantine/" + sentManifest
        #expect(try Self.sha256(kept + "/" + Self.dataName + ".p7m") == sentData)
        let counts = try f.store().read { db in try LayoutAgencyLedger.counts(db, partner: f.partner) }
        #expect(counts.isEmpty)
    }
}
