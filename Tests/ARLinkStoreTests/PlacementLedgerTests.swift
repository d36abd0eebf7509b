import ARLinkCore
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

@Suite("Placement ledger (real SQLite files)", .timeLimit(.minutes(10)))
struct PlacementLedgerTests {
    static let eur = try! Currency("EUR")

    static func batch(_ id: String, partner: String = "acme-collect", asOf: String = "2026-06-30", sequence: Int = 1) -> OutboundBatch {
        OutboundBatch(batchID: id, partner: partner, asOf: asOf, sequence: sequence, fileID: "file-\(id)", fileName: "\(id).jsonl.p7m",
                      state: .built, createdAt: "2026-06-30T10:00:00Z", plaintextPath: "/work/\(id).jsonl",
                      plaintextSHA256: String(repeating: "a", count: 64), plaintextBytes: 100,
                      recordCountsJSON: "{\"place\":1}", totalsJSON: "{\"EUR\":\"10.00\"}", invoiceCount: 1)
    }

    static func change(_ ref: String, _ action: PlacementAction, fingerprint: String = "f1") -> LedgerChange {
        LedgerChange(accountRef: ref, action: action, fingerprint: fingerprint,
                     balances: action == .recall ? [] : [Money(minorUnits: 1000, currency: eur)],
                     recallReason: action == .recall ? .paidToCreditor : nil)
    }

    @Test("opens in WAL mode with synchronous=FULL")
    func pragmas() throws {
        let dir = try TemporaryDirectory("store")
        defer { dir.remove() }
        let store = try StateStore(path: dir.file("state.sqlite"))
        let (mode, sync) = try store.read { (db: StoreTransaction) throws in
            (try String.fetchOne(db.sqlite, sql: "PRAGMA journal_mode"), try Int.fetchOne(db.sqlite, sql: "PRAGMA synchronous"))
        }
        #expect(mode == "wal")
        #expect(sync == 2)
    }

    @Test("a built batch records placements; recalls deactivate; state only moves forward")
    func lifecycle() throws {
        let dir = try TemporaryDirectory("store")
        defer { dir.remove() }
        let store = try StateStore(path: dir.file("state.sqlite"))
        let invoice = PortfolioInvoice(number: "I1", invoiceDate: nil, dueDate: LocalDate(iso: "2026-01-01")!,
                                       amount: Money(minorUnits: 1000, currency: Self.eur), openAmount: Money(minorUnits: 1000, currency: Self.eur), daysPastDue: 180)
        try store.write { db in
            try PlacementLedger.recordBuilt(db, batch: Self.batch("b1"), changes: [Self.change("A", .place), Self.change("B", .place)],
                                            invoices: { ["A": [invoice], "B": [invoice]][$0] })
        }
        try store.read { (db: StoreTransaction) throws in
            #expect(try PlacementLedger.activePlacements(db, partner: "acme-collect").keys.sorted() == ["A", "B"])
            #expect(try PlacementLedger.pendingBatches(db, partner: "acme-collect").map(\.batchID) == ["b1"])
            #expect(try PlacementLedger.activeElsewhere(db, partner: "other-agency") == ["A", "B"])
        }
        try store.write { db in
            try PlacementLedger.advance(db, batchID: "b1", to: .sealed, sealedPath: "/s", sealedSHA256: String(repeating: "b", count: 64), sealedBytes: 200, at: "t")
            try PlacementLedger.advance(db, batchID: "b1", to: .delivered, at: "t2")
        }
        #expect(throws: StoreError(.conflict, "")) {
            try store.write { db in try PlacementLedger.advance(db, batchID: "b1", to: .sealed, at: "t3") }
        }
        try store.write { db in
            try PlacementLedger.recordBuilt(db, batch: Self.batch("b2", asOf: "2026-07-01", sequence: 2),
                                            changes: [Self.change("A", .update, fingerprint: "f2"), Self.change("B", .recall)], invoices: { ["A": [invoice]][$0] })
        }
        try store.read { (db: StoreTransaction) throws in
            let active = try PlacementLedger.activePlacements(db, partner: "acme-collect")
            #expect(active.keys.sorted() == ["A"])
            #expect(active["A"]?.fingerprint == "f2")
            #expect(try PlacementLedger.placementCounts(db, partner: "acme-collect") == ["active": 1, "recalled": 1])
            #expect(try PlacementLedger.lastBatch(db, partner: "acme-collect")?.sequence == 2)
            #expect(try PlacementLedger.batch(db, id: "b1")?.state == .delivered)
            #expect(try String.fetchOne(db.sqlite, sql: "SELECT invoices FROM placement WHERE account_ref = 'B'") == nil)
            let placed = try InboundLedger.position(db, partner: "acme-collect", accountRef: "A")
            #expect(placed?.invoices.map(\.invoiceNumber) == [invoice.number])
            #expect(placed?.invoices.first?.placed == invoice.openAmount)
            #expect(placed?.invoices.first?.dueDate == invoice.dueDate)
            #expect(try InboundLedger.position(db, partner: "acme-collect", accountRef: "B") == nil, "a recall keeps no invoices")
        }
    }

    @Test("placed invoices survive their stored text, whatever their numbers hold", arguments: [
        "INV-1", "a\tb", "line\nbreak", "100%", "%09 literally", "%2509", "ünï €", "%", "%0",
    ])
    func placedInvoiceText(number: String) throws {
        let eur = try Currency("EUR")
        let due = try #require(LocalDate(iso: "2026-05-31"))
        let text = PlacedInvoices.encode([(number, Money(minorUnits: 1234, currency: eur), due), ("Z-2", Money(minorUnits: -5, currency: eur), due)])
        let back = PlacedInvoices.decode(text)
        #expect(back.map(\.invoiceNumber).sorted() == [number, "Z-2"].sorted())
        #expect(back.first { $0.invoiceNumber == number }?.placed == Money(minorUnits: 1234, currency: eur))
        #expect(back.allSatisfy { $0.dueDate == due && $0.paidMinor == 0 })
    }

    @Test("a stored text's lines that do not parse are left out; the rest keep their currency and exponent")
    func placedInvoiceBadLines() throws {
        let text = [
            "A-1\tJPY\t2026-01-31\t500",          // no minor units
            "A-2\tKWD\t2026-02-28\t-1250",        // three decimals, negative
            "A-3\teur\t2026-03-31\t100",          // lower-case code: still read
            "B-1\tQQQ\t2026-01-31\t1",            // no such currency
            "B-2\tEUR\t2026-02-30\t1",            // no such day
            "B-3\tEUR\t2026-03-31\t1x",           // not a number
            "B-4\tEUR\t2026-03-31",                // a field short
            "B-5\tEUR\t2026-03-31\t1\textra",     // a field too many
            "",
        ].joined(separator: "\n")
        let back = PlacedInvoices.decode(text)
        #expect(back.map(\.invoiceNumber) == ["A-1", "A-2", "A-3"])
        #expect(back[0].placed == Money(minorUnits: 500, currency: try Currency("JPY")))
        #expect(back[1].placed == Money(minorUnits: -1250, currency: try Currency("KWD")))
        #expect(back[1].placed.decimalString == "-1.250")
        #expect(back[2].placed.currency == (try Currency("EUR")))
        #expect(back[1].dueDate == LocalDate(iso: "2026-02-28"))
    }

    @Test("one batch per partner and as-of date; sequence numbers never repeat")
    func uniqueness() throws {
        let dir = try TemporaryDirectory("store")
        defer { dir.remove() }
        let store = try StateStore(path: dir.file("state.sqlite"))
        try store.write { db in try PlacementLedger.recordBuilt(db, batch: Self.batch("b1"), changes: [], invoices: { _ in nil }) }
        #expect(throws: DatabaseError.self) {
            try store.write { db in try PlacementLedger.recordBuilt(db, batch: Self.batch("b2", sequence: 2), changes: [], invoices: { _ in nil }) }
        }
        #expect(throws: DatabaseError.self) {
            try store.write { db in try PlacementLedger.recordBuilt(db, batch: Self.batch("b3", asOf: "2026-07-01", sequence: 1), changes: [], invoices: { _ in nil }) }
        }
        // A failed transaction leaves nothing behind.
        let count = try store.read { db in try PlacementLedger.batches(db).count }
        #expect(count == 1)
    }
}
