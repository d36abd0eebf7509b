import ARLinkCore
import ARLinkFormats
import ARLinkInbound
import ARLinkJobs
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkSystem
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

@Suite("Inbound run end to end (openssl CLI as the partner, real SQLite, folder transport)", .serialized, .timeLimit(.minutes(10)))
struct InboundJobTests {
    @Test("a realistic file is applied once: ERP updates, receipt, archive; a second run produces nothing new")
    func endToEnd() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 14)
        let store = try f.store()
        let header = try FeedbackSimulator.nextHeader(store: store, partner: f.partner, company: f.company,
                                                      ourKeySHA256: try f.ourKeySHA256(), createdAt: Timestamp.iso8601(f.now))
        let plain = f.dir.file("story.jsonl")
        let totals = try FeedbackSimulator.write(to: plain, header: header, store: store, partner: f.partner, today: f.today, seed: 7)
        try f.seal(plain, as: f.name(1))
        let report = try f.run()
        let p = try #require(report.partners.first)
        #expect(p.processed == [f.name(1)])
        #expect(p.quarantined.isEmpty && p.held.isEmpty && p.duplicates.isEmpty)
        #expect(p.eventsAccepted == totals.recordCount)
        #expect(p.eventsRejectedTotal == 0)
        #expect(report.exitStatus == .success)
        // ERP updates: every kind of status the story produces, each update id once, JSONL and CSV alike.
        let updates = try f.exportedUpdates()
        let statuses = Set(updates.compactMap { if case .string(let s)? = $0["status"] { s } else { nil } })
        for expected in ["paid", "partially_paid", "payment_reversed", "promised", "disputed", "closed_by_partner", "contact_updated", "risk_updated", "in_collection"] {
            #expect(statuses.contains(expected), "missing \(expected)")
        }
        let ids = updates.compactMap { if case .string(let s)? = $0["update_id"] { s } else { nil } }
        #expect(Set(ids).count == ids.count)
        #expect(report.updatesExported == ids.count)
        let csvRows = f.files(f.updatesFolder).filter { $0.hasSuffix(".csv") }
            .flatMap { (try? String(contentsOfFile: f.updatesFolder + "/" + $0, encoding: .utf8))?.split(separator: "\n").filter { $0.hasPrefix("update,") } ?? [] }
        #expect(csvRows.count == ids.count)
        for name in f.files(f.updatesFolder) where name.hasSuffix(".jsonl") {
            let r = try JSONLinesSchema.validate(schema: "erp-update.v1.schema.json", file: f.updatesFolder + "/" + name)
            #expect(r.status == 0, "\(r.stdout)")
        }
        // The acknowledgement matched batch B1, which is now acknowledged.
        let state = try store.read { db in try String.fetchOne(db.sqlite, sql: "SELECT state FROM outbound_batch WHERE batch_id = 'B1'") }
        #expect(state == "acknowledged")
        // Receipt delivered, opened by the partner with the openssl CLI, valid against the schema.
        let receipts = f.files(f.inbox)
        #expect(receipts == ["acme-corp_acme-collect_receipt_" + Timestamp.iso8601(f.now).prefix(10).filter { $0 != "-" } + "_000001.jsonl.p7m"])
        let lines = try f.openReceipt(try #require(receipts.first))
        #expect(lines.count == 3)
        #expect(lines[1].contains("\"events_accepted\":\(totals.recordCount)"))
        let receiptPlain = try f.dir.write("receipt.jsonl", lines.joined(separator: "\n") + "\n")
        #expect(try JSONLinesSchema.validate(schema: "receipt.v1.schema.json", file: receiptPlain).status == 0)
        // The file moved: archive locally, processed remotely; nothing left in the outbox or in plaintext.
        #expect(f.files(f.outbox).isEmpty)
        #expect(f.files(f.processed) == [f.name(1)])
        #expect(f.keptNames(f.work + "/archive") == [f.name(1)])
        #expect(f.files(f.work + "/plain").isEmpty)
        // Again: nothing new.
        let again = try f.run()
        #expect(again.updatesExported == 0)
        #expect(again.partners.first?.processed.isEmpty == true)
        #expect(try f.exportedUpdates().count == ids.count)
        #expect(f.files(f.inbox).count == 1)
    }

    @Test("rejected events are reported and listed in the receipt; the file is still applied")
    func rejections() throws {
        let f = try InboundFixture(partnerExtra: ["promise_horizon_days: 30"])
        try f.seedPlacements(accounts: 3)
        let d = f.today
        var wrongCurrency = try Events.payment("P-USD", f.accountRef(1), "5.00", currency: "USD", on: d)
        wrongCurrency.invoiceNumber = nil
        _ = try f.drop(sequence: 1, previous: nil, [
            try Events.payment("P-OK", f.accountRef(1), "120.00", on: d),
            try Events.payment("P-UNKNOWN", "C9999", "1.00", on: d),
            wrongCurrency,
            try Events.payment("P-ZERO", f.accountRef(1), "0.00", on: d),
            try Events.promise("PR-PAST", f.accountRef(2), "10.00", date: d.adding(days: -1)),
            try Events.promise("PR-FAR", f.accountRef(2), "10.00", date: d.adding(days: 31)),
            try Events.promise("PR-OK", f.accountRef(2), "10.00", date: d.adding(days: 30)),
            Events.dispute("D-BAD", f.accountRef(3), invoice: "I3-1", reason: "dont_like_it"),
            try Events.payment("P-OVER", f.accountRef(3), "200.00", on: d),
        ])
        let report = try f.run()
        let p = try #require(report.partners.first)
        #expect(p.processed.count == 1)
        #expect(p.eventsAccepted == 3)
        #expect(p.eventsRejected == [.unknownAccount: 1, .currencyMismatch: 1, .nonPositiveAmount: 1, .promiseInPast: 1,
                                     .promiseBeyondHorizon: 1, .unknownDisputeReason: 1])
        #expect(p.exceptions.count == 1 && p.exceptions[0].contains("exceeds the open balance"))
        let lines = try f.openReceipt(try #require(f.files(f.inbox).first))
        let rejected = lines.filter { $0.contains("\"record_type\":\"rejected\"") }
        #expect(rejected.count == 6)
        #expect(rejected.contains { $0.contains("P-UNKNOWN") && $0.contains("unknown_account") })
        // The overpayment paid both invoices of account 3 in full and no more.
        let paid = try f.store().read { db in
            try Int64.fetchOne(db.sqlite, sql: "SELECT SUM(paid_minor) FROM inbound_invoice_paid WHERE account_ref = ?", arguments: [f.accountRef(3)])
        }
        #expect(paid == 15000)
    }

    @Test("a reversal restores the balance; a second payment then allocates as if the first never happened")
    func reversalRestores() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 1)
        let d = f.today
        let prev = try f.drop(sequence: 1, previous: nil, [try Events.payment("P1", f.accountRef(1), "120.00", on: d)])
        _ = try f.drop(sequence: 2, previous: prev, [
            try Events.reversal("R1", f.accountRef(1), "120.00", of: "P1", on: d),
            try Events.reversal("R2", f.accountRef(1), "120.00", of: "P1", on: d),
        ])
        let report = try f.run()
        #expect(report.partners.first?.processed.count == 2)
        #expect(report.partners.first?.eventsRejected == [.alreadyReversed: 1])
        let paid = try f.store().read { db in try Int64.fetchOne(db.sqlite, sql: "SELECT SUM(paid_minor) FROM inbound_invoice_paid") }
        #expect(paid == 0)
    }

    @Test("a promise whose date passes without enough payment yields promise_broken on a later run")
    func brokenPromise() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        let d = f.today
        _ = try f.drop(sequence: 1, previous: nil, [
            try Events.promise("PR-1", f.accountRef(1), "100.00", date: d.adding(days: 3)),
            try Events.promise("PR-2", f.accountRef(2), "100.00", date: d.adding(days: 3)),
        ])
        _ = try f.run()
        #expect(try f.exportedUpdates().allSatisfy { $0["status"] == .string("promised") })
        // Account 2 pays in full before the date (its own feedback file two days later).
        f.now = f.now.addingTimeInterval(2 * 86_400)
        let prev = try f.store().read { db in try InboundLedger.lastApplied(db, partner: f.partner)?.plaintextSHA256 }
        _ = try f.drop(sequence: 2, previous: prev, [try Events.payment("P-2", f.accountRef(2), "100.00", on: f.today)])
        _ = try f.run()
        // Still pending on the promised date itself.
        f.now = f.now.addingTimeInterval(1 * 86_400)
        #expect(try f.run().partners.first?.promisesBroken == 0)
        // The day after: account 1's promise is broken, account 2's kept.
        f.now = f.now.addingTimeInterval(1 * 86_400)
        let report = try f.run()
        #expect(report.partners.first?.promisesBroken == 1)
        let broken = try f.exportedUpdates().filter { $0["status"] == .string("promise_broken") }
        #expect(broken.count == 1)
        #expect(broken.first?["account_ref"] == .string(f.accountRef(1)))
        #expect(try f.run().updatesExported == 0)
    }

    @Test("a newer promise for the account supersedes the open one, in the same file or a later one")
    func supersededPromise() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 1)
        let d = f.today
        _ = try f.drop(sequence: 1, previous: nil, [
            try Events.promise("PR-1", f.accountRef(1), "100.00", date: d.adding(days: 2)),
            try Events.promise("PR-2", f.accountRef(1), "80.00", date: d.adding(days: 3)),
        ])
        _ = try f.run()
        #expect(try f.store().read { db in try InboundLedger.promiseCounts(db, partner: f.partner) } == ["open": 1])
        // A day later the debtor renegotiates: a later date, a smaller amount.
        f.now = f.now.addingTimeInterval(86_400)
        let prev = try f.store().read { db in try InboundLedger.lastApplied(db, partner: f.partner)?.plaintextSHA256 }
        _ = try f.drop(sequence: 2, previous: prev, [try Events.promise("PR-3", f.accountRef(1), "50.00", date: d.adding(days: 6))])
        _ = try f.run()
        #expect(try f.store().read { db in try InboundLedger.promiseCounts(db, partner: f.partner) } == ["open": 1, "superseded": 1])
        // The first two dates pass: nothing is broken, the open promise is the third.
        f.now = f.now.addingTimeInterval(4 * 86_400)
        #expect(try f.run().partners.first?.promisesBroken == 0)
        // The day after the third's date it is broken: one update, for PR-3.
        f.now = f.now.addingTimeInterval(2 * 86_400)
        #expect(try f.run().partners.first?.promisesBroken == 1)
        let broken = try f.exportedUpdates().filter { $0["status"] == .string("promise_broken") }
        #expect(broken.map { $0["source_event_id"] } == [.string("PR-3")])
        #expect(broken.first?["amount"] == .string("50.00"))
    }

    @Test("files are applied in sequence order; a gap holds the file until the missing one arrives")
    func sequenceGap() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        let first = try f.plaintext(try f.header(sequence: 1, previous: nil), [Events.risk("K1", f.accountRef(1), score: 10)])
        let second = try f.plaintext(try f.header(sequence: 2, previous: first.sha256), [Events.risk("K2", f.accountRef(2), score: 20)])
        try f.seal(second.path, as: f.name(2))
        let held = try f.run()
        #expect(held.partners.first?.held.map(\.fileName) == [f.name(2)])
        #expect(held.partners.first?.held.first?.code == "inbound.sequence_gap")
        #expect(held.exitStatus == .tempFailure)
        #expect(f.files(f.outbox) == [f.name(2)])
        // The decision is in the audit log, with its code.
        let heldEntries = try f.store().read { try String.fetchAll($0.sqlite, sql: "SELECT entry FROM audit_entry WHERE action = 'file.held'") }
        #expect(heldEntries.count == 1)
        #expect(heldEntries.first?.contains("\"error_code\":\"inbound.sequence_gap\"") == true)
        #expect(heldEntries.first?.contains("\"file_name\":\"\(f.name(2))\"") == true)
        try f.seal(first.path, as: f.name(1))
        let both = try f.run()
        #expect(both.partners.first?.processed == [f.name(1), f.name(2)])
        #expect(f.files(f.outbox).isEmpty)
    }

    @Test("a CSV flavour feedback file is applied like its JSON Lines twin")
    func csvFile() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 8)
        let store = try f.store()
        let header = try FeedbackSimulator.nextHeader(store: store, partner: f.partner, company: f.company,
                                                      ourKeySHA256: try f.ourKeySHA256(), createdAt: Timestamp.iso8601(f.now))
        let plain = f.dir.file("story.csv")
        let totals = try FeedbackSimulator.write(to: plain, header: header, store: store, partner: f.partner, today: f.today, seed: 3, format: .csv)
        let name = "acme-collect_acme-corp_feedback_20260630_000001.csv.p7m"
        try f.seal(plain, as: name)
        let report = try f.run()
        let p = try #require(report.partners.first)
        #expect(p.processed == [name], "\(p.quarantined)")
        #expect(p.eventsAccepted == totals.recordCount)
        #expect(try f.exportedUpdates().count == report.updatesExported)
    }
}
