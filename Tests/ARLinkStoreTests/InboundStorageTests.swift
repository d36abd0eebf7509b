import ARLinkCore
@_spi(SQLiteLayout) @testable import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

@Suite("Inbound storage: event keys, payments, staged exports, the v2 migration", .timeLimit(.minutes(10)))
struct InboundStorageTests {
    /// Vectors from an independent implementation (Python's `mmh3.hash128(s, 0, x64arch=True)`,
    /// low 64 bits = `hi`): the stored keys are MurmurHash3 x64 128, seed 0, and must never change.
    @Test("event keys are MurmurHash3 x64 128 of the id", arguments: [
        ("", 0x0, 0x0),
        ("a", 0x8555_5565_f659_7889, 0xe6b5_3a48_510e_895a),
        ("E1-0", 0xeca0_b37c_46ed_6a4a, 0x3e3f_649c_8568_fa9a),
        ("PAY-000001", 0xc0dd_e515_0203_060a, 0x8eea_aa2e_d535_b8ca),
        ("abcdefghijklmnop", 0xc4ca_3ca3_224c_b723, 0x4333_d695_b331_eb1a),
        ("abcdefghijklmnopq", 0x7564_747f_88bd_a657, 0xecda_499d_a111_0de4),
        ("event/with:chars_0123456789-xyz", 0x0ff3_6a5f_903c_277f, 0x5db7_03bf_1c02_e159),
    ] as [(String, UInt64, UInt64)])
    func murmurVectors(_ id: String, _ hi: UInt64, _ lo: UInt64) {
        #expect(EventKey(id) == EventKey(hi: hi, lo: lo))
    }

    @Test("keys sort in place like the standard sort", arguments: [0, 1, 2, 23, 24, 25, 1000, 100_003])
    func sortInPlace(_ count: Int) {
        var keys = (0..<count).map { EventKey("K\($0 % max(1, count / 3))") }  // with repeats
        keys += keys.prefix(count / 10)
        let expected = keys.sorted()
        keys.sortInPlace()
        #expect(keys == expected)
    }

    @Test("keys recorded for one file are found again, and only those") func knownKeys() throws {
        let dir = try TemporaryDirectory()
        let store = try StateStore(path: dir.file("state.sqlite"))
        let first = (0..<300_000).map { EventKey("E-\($0)") }.sorted()
        try store.write { db in try InboundLedger.recordEventKeys(db, partner: "p", fileSHA256: "f1", receivedOn: LocalDate(iso: "2026-12-01")!, sorted: first) }
        let probe = ([EventKey("E-5"), EventKey("E-299999"), EventKey("new-1"), EventKey("E-300000")]).sorted()
        let found = try store.read { db in try InboundLedger.knownEventKeys(db, partner: "p", sorted: probe) }
        #expect(found == [EventKey("E-5"), EventKey("E-299999")])
        let otherPartner = try store.read { db in try InboundLedger.knownEventKeys(db, partner: "q", sorted: probe) }
        #expect(otherPartner.isEmpty)
        // Blobs of 16 Ki keys at most, 300,000 keys in all.
        #expect(try store.read { db in try Int.fetchOne(db.sqlite, sql: "SELECT COUNT(*) FROM inbound_event_keys") } == 19)
        #expect(try store.read { db in try InboundLedger.eventCount(db, partner: "p") } == 300_000)
    }

    @Test("the duplicate window: keys of files received before its first day are not read; a later day's are, exactly")
    func duplicateWindow() throws {
        let dir = try TemporaryDirectory()
        let store = try StateStore(path: dir.file("state.sqlite"))
        let old = (0..<40_000).map { EventKey("old-\($0)") }.sorted()
        let recent = (0..<40_000).map { EventKey("new-\($0)") }.sorted()
        try store.write { db in
            try InboundLedger.recordEventKeys(db, partner: "p", fileSHA256: "f-old", receivedOn: LocalDate(iso: "2025-01-10")!, sorted: old)
            try InboundLedger.recordEventKeys(db, partner: "p", fileSHA256: "f-new", receivedOn: LocalDate(iso: "2026-11-30")!, sorted: recent)
        }
        let probe = [EventKey("old-7"), EventKey("new-7"), EventKey("never")].sorted()
        let windowed = try store.read { db in try InboundLedger.knownEventKeys(db, partner: "p", since: LocalDate(iso: "2025-11-01")!, sorted: probe) }
        #expect(windowed == [EventKey("new-7")])
        let onTheFirstDay = try store.read { db in try InboundLedger.knownEventKeys(db, partner: "p", since: LocalDate(iso: "2025-01-10")!, sorted: probe) }
        #expect(onTheFirstDay == [EventKey("old-7"), EventKey("new-7")])
        #expect(try store.read { db in try InboundLedger.eventCount(db, partner: "p") } == 80_000)
    }

    @Test("known keys are found in small blobs and in the 4 MiB blobs of earlier versions alike, exactly as a set intersection")
    func knownKeysAcrossBlobSizes() throws {
        let dir = try TemporaryDirectory()
        let store = try StateStore(path: dir.file("state.sqlite"))
        let older = (0..<250_000).map { EventKey("old-\($0)") }.sorted()
        let newer = (0..<100_000).map { EventKey("new-\($0)") }.sorted()
        try store.write { db in
            // As the versions before this one stored them: one blob of up to 256 Ki keys.
            try db.sqlite.execute(sql: "INSERT INTO inbound_event_keys (partner, file_sha256, chunk, key_count, keys) VALUES ('p', 'f0', 0, ?, ?)",
                           arguments: [older.count, Data(EventKey.encode(older))])
            try InboundLedger.recordEventKeys(db, partner: "p", fileSHA256: "f1", receivedOn: LocalDate(iso: "2026-12-01")!, sorted: newer)
        }
        var generator = SystemRandomNumberGenerator()
        let candidates = (0..<20_000).map { _ -> EventKey in
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: return EventKey("old-\(Int.random(in: 0..<260_000, using: &generator))")
            case 1: return EventKey("new-\(Int.random(in: 0..<110_000, using: &generator))")
            default: return EventKey("other-\(Int.random(in: 0..<1_000_000, using: &generator))")
            }
        }
        let probe = Array(Set(candidates)).sorted()
        let expected = Set(probe).intersection(Set(older).union(newer))
        let found = try store.read { db in try InboundLedger.knownEventKeys(db, partner: "p", sorted: probe) }
        #expect(found == expected)
        #expect(found.count > 5_000, "the probe hits both files (\(found.count))")
        // Probes wholly below and above every stored key find nothing.
        let outside = [EventKey(hi: 0, lo: 0), EventKey(hi: .max, lo: .max)]
        #expect(try store.read { db in try InboundLedger.knownEventKeys(db, partner: "p", sorted: outside) }.isEmpty)
    }

    @Test("a payment's allocations survive the round trip, names with tabs excepted") func paymentRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let store = try StateStore(path: dir.file("state.sqlite"))
        let eur = try Currency("EUR")
        let jpy = try Currency("JPY")
        let allocations = [Allocation(invoiceNumber: "INV-1", amount: Money(minorUnits: 1250, currency: eur)),
                           Allocation(invoiceNumber: "INV 2/ü", amount: Money(minorUnits: -7, currency: jpy))]
        try store.write { db in
            try InboundLedger.insertPayments(db, partner: "p") { insert in
                try insert("P1", "C1", InboundLedger.encode(allocations), nil, nil)
            }
            try InboundLedger.markReversed(db, partner: "p", eventID: "P1", by: "R1")
        }
        let payment = try store.read { db in try InboundLedger.payment(db, partner: "p", eventID: "P1") }
        #expect(payment?.allocations == allocations)
        #expect(payment?.accountRef == "C1")
        #expect(payment?.reversedBy == "R1")
        #expect(try store.read { db in try InboundLedger.payment(db, partner: "q", eventID: "P1") } == nil)
    }

    @Test("a new state database has 16 KiB pages; one made with 4 KiB pages keeps them and opens as before") func pageSize() throws {
        let dir = try TemporaryDirectory()
        let fresh = try StateStore(path: dir.file("new.sqlite"))
        #expect(try fresh.read { db in try Int.fetchOne(db.sqlite, sql: "PRAGMA page_size") } == 16_384)
        let oldPath = dir.file("old.sqlite")
        let old = try DatabaseQueue(path: oldPath)
        try old.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA page_size = 4096")
            try db.execute(sql: "CREATE TABLE before_us (x INTEGER)")
        }
        try old.close()
        let reopened = try StateStore(path: oldPath)
        #expect(try reopened.read { db in try Int.fetchOne(db.sqlite, sql: "PRAGMA page_size") } == 4_096)
        try reopened.write { db in try InboundLedger.recordEventKeys(db, partner: "p", fileSHA256: "f", receivedOn: LocalDate(iso: "2026-12-01")!, sorted: [EventKey("E-1")]) }
        #expect(try reopened.read { db in try InboundLedger.eventCount(db, partner: "p") } == 1)
    }

    @Test("a read on another thread during a write transaction sees the keys committed before it, none of the transaction's")
    func readOnlyDuringWrite() throws {
        let dir = try TemporaryDirectory()
        let store = try StateStore(path: dir.file("state.sqlite"))
        let earlier = [EventKey("E-1"), EventKey("E-2")].sorted()
        try store.write { db in try InboundLedger.recordEventKeys(db, partner: "p", fileSHA256: "f1", receivedOn: LocalDate(iso: "2026-12-01")!, sorted: earlier) }
        let probe = [EventKey("E-1"), EventKey("E-3")].sorted()
        let seen = try store.write { db -> Set<EventKey> in
            try InboundLedger.recordEventKeys(db, partner: "p", fileSHA256: "f2", receivedOn: LocalDate(iso: "2026-12-01")!, sorted: [EventKey("E-3")])
            // Another thread, as the inbound pass does it.
            let task = Thread.detachedResult { try store.read { db in try InboundLedger.knownEventKeys(db, partner: "p", sorted: probe) } }
            return try task.get()
        }
        #expect(seen == [EventKey("E-1")])
        #expect(try store.read { db in try InboundLedger.knownEventKeys(db, partner: "p", sorted: probe) } == Set(probe))
    }

    @Test("allocations are stored as invoice, currency and minor units, tab-separated, one per line") func allocationText() throws {
        let eur = try Currency("EUR")
        let kwd = try Currency("KWD")
        #expect(InboundLedger.encode([]) == "")
        #expect(InboundLedger.encode([Allocation(invoiceNumber: "I-1", amount: Money(minorUnits: 0, currency: eur))]) == "I-1\tEUR\t0")
        let many = [Allocation(invoiceNumber: "Rechnung ü/7", amount: Money(minorUnits: -1_250, currency: eur)),
                    Allocation(invoiceNumber: "X", amount: Money(minorUnits: .max, currency: kwd)),
                    Allocation(invoiceNumber: String(repeating: "9", count: 64), amount: Money(minorUnits: .min, currency: eur))]
        let text = InboundLedger.encode(many)
        #expect(text == "Rechnung ü/7\tEUR\t-1250\nX\tKWD\t9223372036854775807\n\(String(repeating: "9", count: 64))\tEUR\t-9223372036854775808")
        #expect(InboundLedger.decode(text) == many)
    }

    @Test("staged exports: numbered after v1 exports, listed until marked written") func stagedExports() throws {
        let dir = try TemporaryDirectory()
        let store = try StateStore(path: dir.file("state.sqlite"))
        try store.write { db in
            try db.sqlite.execute(sql: "INSERT INTO erp_export (export_id, first_seq, last_seq, update_count, state, created_at) VALUES ('x', 1, 41, 41, 'written', 't')")
            #expect(try InboundLedger.nextExportNumber(db) == 42)
            try InboundLedger.insertStagedExport(db, .init(exportID: "e42", number: 42, source: "sha", updateCount: 3,
                                                           files: [("/erp/e42.jsonl", 100), ("/erp/e42.csv", 80)], createdAt: "t"))
            #expect(try InboundLedger.nextExportNumber(db) == 43)
        }
        let staged = try store.read { db in try InboundLedger.stagedExports(db) }
        #expect(staged.count == 1)
        #expect(staged.first?.files.map(\.path) == ["/erp/e42.jsonl", "/erp/e42.csv"])
        #expect(staged.first?.files.map(\.bytes) == [100, 80])
        #expect(try store.read { db in try InboundLedger.updateCount(db) } == 3)
        try store.write { db in try InboundLedger.markStagedExportWritten(db, exportID: "e42") }
        #expect(try store.read { db in try InboundLedger.stagedExports(db) }.isEmpty)
    }

    @Test("the v2 migration carries v1 events, counts and allocations over") func migrationFromV1() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("state.sqlite")
        // A database as version 1 left it: every migration up to audit-v1, with v1 rows.
        let queue = try DatabaseQueue(path: path)
        var v1 = DatabaseMigrator()
        StoreMigrations.registerLedgerMigrations(&v1)
        StoreMigrations.registerInboundMigrations(&v1)
        StoreMigrations.registerAuditMigrations(&v1)
        try v1.migrate(queue)
        try queue.write { db in
            for (id, type, outcome) in [("P1", "payment", "accepted"), ("P2", "payment", "accepted"), ("R1", "risk", "accepted"), ("X1", "payment", "rejected")] {
                try db.execute(sql: "INSERT INTO inbound_event (partner, event_id, file_sha256, line, type, account_ref, outcome) VALUES ('p', ?, 'f1', 2, ?, 'C1', ?)",
                               arguments: [id, type, outcome])
            }
            for (id, ref, date, state) in [("PR1", "C1", "2026-12-01", "open"), ("PR2", "C1", "2026-12-05", "open"), ("PR3", "C2", "2026-12-02", "open"),
                                           ("PR0", "C1", "2026-11-01", "kept")] {
                try db.execute(sql: """
                    INSERT INTO inbound_promise (partner, event_id, account_ref, invoice_number, currency, amount_minor, promised_date, paid_baseline_minor, state)
                    VALUES ('p', ?, ?, NULL, 'EUR', 100, ?, 0, ?)
                    """, arguments: [id, ref, date, state])
            }
            try db.execute(sql: """
                INSERT INTO outbound_batch (batch_id, partner, as_of, sequence, file_id, file_name, state, created_at, plaintext_path,
                    plaintext_sha256, plaintext_bytes, record_counts, totals, invoice_count)
                VALUES ('B1', 'p', '2026-06-30', 1, 'f', 'n', 'delivered', 't', '/x', 'sha', 0, '{}', '{}', 2)
                """)
            try db.execute(sql: "INSERT INTO placement (partner, account_ref, status, fingerprint, balances, placed_batch, last_batch, updated_at) VALUES ('p', 'C1', 'active', 'fp', '{}', 'B1', 'B1', 't')")
            try db.execute(sql: """
                INSERT INTO placement_invoice (partner, account_ref, invoice_number, currency, due_date, placed_minor)
                VALUES ('p', 'C1', 'I2', 'EUR', '2026-02-01', 300), ('p', 'C1', 'I1', 'EUR', '2026-01-01', 1000)
                """)
            try db.execute(sql: "INSERT INTO inbound_invoice_paid (partner, account_ref, invoice_number, paid_minor) VALUES ('p', 'C1', 'I1', 250)")
            try db.execute(sql: "INSERT INTO inbound_allocation (partner, event_id, account_ref, invoice_number, currency, amount_minor, reversed_by) VALUES ('p', 'P1', 'C1', 'I1', 'EUR', 500, NULL), ('p', 'P1', 'C1', 'I2', 'EUR', 250, NULL), ('p', 'P2', 'C1', 'I1', 'EUR', 100, 'REV9')")
        }
        try queue.close()
        let store = try StateStore(path: path)
        let known = try store.read { db in
            try InboundLedger.knownEventKeys(db, partner: "p", sorted: ["P1", "P2", "R1", "X1", "NEW"].map(EventKey.init).sorted())
        }
        #expect(known == Set(["P1", "P2", "R1", "X1"].map(EventKey.init)))
        #expect(try store.read { db in try InboundLedger.acceptedCounts(db, partner: "p") } == ["payment": 2, "risk": 1])
        let p1 = try store.read { db in try InboundLedger.payment(db, partner: "p", eventID: "P1") }
        #expect(Set(p1?.allocations.map(\.invoiceNumber) ?? []) == ["I1", "I2"])
        #expect(p1?.allocations.map(\.amount.minorUnits).reduce(0, +) == 750)
        #expect(try store.read { db in try InboundLedger.payment(db, partner: "p", eventID: "P2") }?.reversedBy == "REV9")
        // ledger-v2: the invoices moved into the placement row, paid amounts still apply.
        let position = try store.read { db in try InboundLedger.position(db, partner: "p", accountRef: "C1") }
        #expect(position?.invoices.map(\.invoiceNumber) == ["I1", "I2"])
        #expect(position?.invoices.map(\.paidMinor) == [250, 0])
        #expect(position?.invoices.map(\.placed.minorUnits) == [1000, 300])
        #expect(try store.read { db in try Int.fetchOne(db.sqlite, sql: "SELECT COUNT(*) FROM placement_invoice") } == 0)
        #expect(try store.read { db in try InboundLedger.accountPaid(db, partner: "p", accountRef: "C1", currency: "EUR") } == 250)
        // One open promise per account: C1's later one; the earlier is superseded, the kept one stays kept.
        #expect(try store.read { db in try InboundLedger.promiseCounts(db, partner: "p") } == ["open": 2, "superseded": 1, "kept": 1])
        let open = try store.read { db in try InboundLedger.openPromises(db, before: LocalDate(iso: "2027-01-01")!) }
        #expect(Set(open.map(\.eventID)) == ["PR2", "PR3"])
    }
}

extension Thread {
    /// Runs `body` on a new thread and waits for its result (tests).
    static func detachedResult<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> Result<T, any Error> {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<T, any Error>?
        Thread { outcome = Result { try body() }; done.signal() }.start()
        done.wait()
        return outcome!
    }
}
