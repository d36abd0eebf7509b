import ARLinkCore
import ARLinkJobs
import ARLinkInbound
import ARLinkKPI
import ARLinkStore
import ARLinkSystem
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// A partner's history across a month end, made by real inbound runs over sealed feedback
/// files and a ledger written through the placement ledger's own calls, whose KPIs the tests
/// compute by hand:
///
/// - batch B1, as of 2027-01-30: place A1 (EUR 100.00, 1 invoice), A2 (EUR 200.00, 2 invoices),
///   A3 (USD 300.00, 1 invoice); B2, 2027-02-02: place A4 (EUR 400.00); B3, 2027-02-20: recall
///   A2 (`paid_to_creditor`), written after the feedback.
/// - file 1, applied 2027-02-05: payments A1 40.00 (01-31) and 10.00 (02-01), A3 USD 100.00
///   (02-03), A4 150.00 (02-04); the 10.00 reversed (02-04); promises A1 30.00 due 02-10 and
///   A4 100.00 due 02-12; a `quality` dispute on A2; A3 closed; risk A1 250 `low`, A4 820
///   `high`, A3 610 `high`; rejected: a payment for an unknown account, a promise in the past.
/// - file 2, applied 2027-02-09: A1 pays 30.00 (02-09: the promise is kept), A3 USD 50.00
///   (02-08), a `pricing` dispute on A4.
/// - a run on 2027-02-15 judges the promises (A1's kept, A4's broken) and holds a file sent
///   after a sequence gap.
/// - extracts of 2027-01-31 and 2027-02-20 (receivables, aging, credit sales).
final class KPIFixture {
    let inbound: InboundFixture
    static let partner = "acme-collect"

    static func day(_ y: Int, _ m: Int, _ d: Int) -> LocalDate { LocalDate(year: y, month: m, day: d)! }

    static func noon(_ day: LocalDate) -> Date { Date(timeIntervalSince1970: Double(day.daysSinceEpoch) * 86_400 + 43_200) }

    init() throws {
        inbound = try InboundFixture(now: Self.noon(Self.day(2027, 2, 5)))
        _ = try inbound.context()
        let store = try inbound.store()
        try place(store, batch: "B1", sequence: 1, asOf: Self.day(2027, 1, 30), accounts: [
            ("A1", [("I1", "EUR", 10_000)]), ("A2", [("I2a", "EUR", 15_000), ("I2b", "EUR", 5_000)]), ("A3", [("I3", "USD", 30_000)]),
        ])
        try place(store, batch: "B2", sequence: 2, asOf: Self.day(2027, 2, 2), accounts: [("A4", [("I4", "EUR", 40_000)])])

        var k1 = Events.risk("K1", "A1", score: 250)
        k1.riskSegment = "low"
        var k2 = Events.risk("K2", "A4", score: 820)
        k2.riskSegment = "high"
        var k3 = Events.risk("K3", "A3", score: 610)
        k3.riskSegment = "high"
        let first = try inbound.drop(sequence: 1, previous: nil, [
            try Events.payment("P1", "A1", "40.00", on: Self.day(2027, 1, 31)),
            try Events.payment("P2", "A1", "10.00", on: Self.day(2027, 2, 1)),
            try Events.payment("P3", "A3", "100.00", currency: "USD", on: Self.day(2027, 2, 3)),
            try Events.payment("P4", "A4", "150.00", on: Self.day(2027, 2, 4)),
            try Events.reversal("R1", "A1", "10.00", of: "P2", on: Self.day(2027, 2, 4)),
            try Events.promise("PR1", "A1", "30.00", date: Self.day(2027, 2, 10)),
            try Events.promise("PR2", "A4", "100.00", date: Self.day(2027, 2, 12)),
            Events.dispute("D1", "A2", invoice: "I2a", reason: "quality"),
            Events.status("S1", "A3", .closed),
            k1, k2, k3,
            try Events.payment("X1", "Z9", "5.00", on: Self.day(2027, 2, 1)),
            try Events.promise("X2", "A1", "20.00", date: Self.day(2027, 1, 20)),
        ])
        let applied = try inbound.run()
        try #require(applied.partners.first?.processed.count == 1, "the first feedback file was not applied")
        inbound.now = Self.noon(Self.day(2027, 2, 9))
        try inbound.drop(sequence: 2, previous: first, [
            try Events.payment("P5", "A1", "30.00", on: Self.day(2027, 2, 9)),
            try Events.payment("P6", "A3", "50.00", currency: "USD", on: Self.day(2027, 2, 8)),
            Events.dispute("D2", "A4", invoice: "I4", reason: "pricing"),
        ])
        _ = try inbound.run()
        inbound.now = Self.noon(Self.day(2027, 2, 15))
        // Sequence 4 after 2: held (sequence 3 is missing), and not applied.
        try inbound.drop(sequence: 4, previous: nil, [try Events.payment("P9", "A1", "1.00", on: Self.day(2027, 2, 14))])
        let judged = try inbound.run()
        try #require(judged.partners.first?.held.count == 1, "the file after the gap was not held")
        try recall(store, batch: "B3", sequence: 3, asOf: Self.day(2027, 2, 20), account: "A2")
        try recordExtracts(store)
    }

    func place(_ store: StateStore, batch id: String, sequence: Int, asOf: LocalDate, accounts: [(String, [(String, String, Int64)])]) throws {
        let changes = try accounts.map { ref, invoices in
            var balances: [String: Int64] = [:]
            for invoice in invoices { balances[invoice.1, default: 0] += invoice.2 }
            return LedgerChange(accountRef: ref, action: .place, fingerprint: "fp-\(ref)",
                                balances: try balances.sorted { $0.key < $1.key }.map { Money(minorUnits: $0.value, currency: try Currency($0.key)) })
        }
        var invoiceCounts: [String: Int] = [:]
        for (_, invoices) in accounts { for invoice in invoices { invoiceCounts[invoice.1, default: 0] += 1 } }
        try record(store, batch: id, sequence: sequence, asOf: asOf, changes: changes) { ref in
            try accounts.first { $0.0 == ref }?.1.map { number, code, minor in
                let amount = Money(minorUnits: minor, currency: try Currency(code))
                return PortfolioInvoice(number: number, invoiceDate: nil, dueDate: asOf.adding(days: -90), amount: amount, openAmount: amount, daysPastDue: 90)
            }
        }
        // What the outbound job records beside the batch (OutboundJob.build).
        try store.write { db in try KPIFacts.recordPlacedInvoices(db, batchID: id, invoiceCounts) }
    }

    func recall(_ store: StateStore, batch id: String, sequence: Int, asOf: LocalDate, account: String) throws {
        try record(store, batch: id, sequence: sequence, asOf: asOf,
                   changes: [LedgerChange(accountRef: account, action: .recall, fingerprint: "", balances: [], recallReason: .paidToCreditor)]) { _ in nil }
    }

    func record(_ store: StateStore, batch id: String, sequence: Int, asOf: LocalDate, changes: [LedgerChange],
                invoices: (String) throws -> [PortfolioInvoice]?) throws {
        let time = Timestamp.iso8601(Self.noon(asOf))
        let batch = OutboundBatch(batchID: id, partner: Self.partner, asOf: asOf.iso, sequence: sequence, fileID: "file-\(id)",
                                  fileName: "acme-corp_acme-collect_portfolio_\(asOf.compact)_00000\(sequence).jsonl.p7m", state: .built,
                                  createdAt: time, plaintextPath: "/nonexistent/\(id)", plaintextSHA256: String(repeating: "0", count: 64),
                                  plaintextBytes: 0, recordCountsJSON: "{}", totalsJSON: "{}", invoiceCount: 0)
        try store.write { db in
            try PlacementLedger.recordBuilt(db, batch: batch, changes: changes, invoices: invoices)
            try PlacementLedger.advance(db, batchID: id, to: .sealed, at: time)
            try PlacementLedger.advance(db, batchID: id, to: .delivered, at: time)
        }
    }

    /// Two extracts through the outbound job's own accumulator: 2027-01-31 and 2027-02-20.
    func recordExtracts(_ store: StateStore) throws {
        let eur = try Currency("EUR"), usd = try Currency("USD")
        func item(_ n: String, _ currency: Currency, amount: Int64, open: Int64, invoiced: LocalDate?, due: LocalDate, settled: Bool = false) -> OpenItem {
            OpenItem(invoiceNumber: n, customerID: "C-\(n)", invoiceDate: invoiced, dueDate: due, amount: Money(minorUnits: amount, currency: currency),
                     openAmount: Money(minorUnits: open, currency: currency), settled: settled)
        }
        var january = ExtractFacts(asOf: Self.day(2027, 1, 31))
        january.add(item("X1", eur, amount: 100_000, open: 100_000, invoiced: Self.day(2027, 1, 10), due: Self.day(2027, 2, 9)))
        var february = ExtractFacts(asOf: Self.day(2027, 2, 20))
        for i in [
            item("X1", eur, amount: 100_000, open: 100_000, invoiced: Self.day(2027, 1, 10), due: Self.day(2027, 2, 9)),  // 11 days: 1-30
            item("X2", eur, amount: 50_000, open: 20_000, invoiced: Self.day(2026, 11, 1), due: Self.day(2026, 12, 1)),  // 81 days: 61-90
            item("X3", eur, amount: 30_000, open: 30_000, invoiced: Self.day(2027, 2, 15), due: Self.day(2027, 3, 15)),  // current
            item("X4", eur, amount: -5_000, open: -5_000, invoiced: Self.day(2027, 2, 1), due: Self.day(2027, 2, 1)),  // credit note
            item("X5", eur, amount: 40_000, open: 0, invoiced: Self.day(2027, 1, 20), due: Self.day(2027, 2, 19), settled: true),
            item("X6", usd, amount: 80_000, open: 80_000, invoiced: nil, due: Self.day(2027, 1, 1)),  // 50 days: 31-60, no invoice date
        ] { february.add(i) }
        try store.write { db in
            try KPIFacts.recordExtract(db, january)
            try KPIFacts.recordExtract(db, february)
        }
    }

    func report(from: LocalDate, to: LocalDate, partners: [String] = [KPIFixture.partner, "idle-partner"]) throws -> KPIReport {
        try KPICalculator.build(store: try inbound.store(), partners: partners, from: from, to: to, generatedAt: "2027-03-01T00:00:00Z")
    }
}
