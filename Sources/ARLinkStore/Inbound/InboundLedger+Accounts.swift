public import GRDB
public import ARLinkCore
import Foundation

/// Placed accounts as inbound sees them: invoices with what was paid, payments and their allocations.
extension InboundLedger {
    // MARK: - Accounts and payments

    /// The account as placed with `partner` with what was paid on each invoice; nil if never
    /// placed or recalled (a recall keeps no invoices).
    public static func position(_ tx: StoreTransaction, partner: String, accountRef: String) throws -> AccountPosition? {
        let db = tx.db
        guard let text = try String.fetchOne(db.cachedStatement(sql: "SELECT invoices FROM placement WHERE partner = ? AND account_ref = ?"),
                                             arguments: [partner, accountRef]) else { return nil }
        var invoices = PlacedInvoices.decode(text)
        guard !invoices.isEmpty else { return nil }
        var paid: [String: Int64] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT invoice_number, paid_minor FROM inbound_invoice_paid WHERE partner = ? AND account_ref = ?"),
                                    arguments: [partner, accountRef]) {
            paid[row[0]] = row[1]
        }
        for index in invoices.indices { invoices[index].paidMinor = paid[invoices[index].invoiceNumber] ?? 0 }
        return AccountPosition(accountRef: accountRef, invoices: invoices)
    }

    /// Every placed account of `partner` with what was paid on each invoice, when there are
    /// at most `limit` placed accounts (one query instead of one per account); nil when more.
    public static func positions(_ tx: StoreTransaction, partner: String, limit: Int) throws -> [String: AccountPosition]? {
        let db = tx.db
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM placement WHERE partner = ? AND invoices IS NOT NULL", arguments: [partner]) ?? 0
        guard count <= limit else { return nil }
        var paid: [String: [String: Int64]] = [:]
        let paidRows = try Row.fetchCursor(db, sql: "SELECT account_ref, invoice_number, paid_minor FROM inbound_invoice_paid WHERE partner = ?",
                                           arguments: [partner])
        while let row = try paidRows.next() { paid[row[0], default: [:]][row[1]] = row[2] }
        var out: [String: AccountPosition] = [:]
        out.reserveCapacity(count)
        let rows = try Row.fetchCursor(db, sql: "SELECT account_ref, invoices FROM placement WHERE partner = ? AND invoices IS NOT NULL",
                                       arguments: [partner])
        while let row = try rows.next() {
            let ref: String = row[0]
            var invoices = PlacedInvoices.decode(row[1])
            guard !invoices.isEmpty else { continue }
            if let paidHere = paid[ref] {
                for index in invoices.indices { invoices[index].paidMinor = paidHere[invoices[index].invoiceNumber] ?? 0 }
            }
            out[ref] = AccountPosition(accountRef: ref, invoices: invoices)
        }
        return out
    }

    /// Sets what was paid on one invoice (net of reversals).
    public static func setPaid(_ tx: StoreTransaction, partner: String, accountRef: String, invoiceNumber: String, paidMinor: Int64) throws {
        let db = tx.db
        try BulkStatement(db, sql: """
            INSERT INTO inbound_invoice_paid (partner, account_ref, invoice_number, paid_minor) VALUES (?, ?, ?, ?)
            ON CONFLICT (partner, account_ref, invoice_number) DO UPDATE SET paid_minor = excluded.paid_minor
            """).insert(.text(partner), .text(accountRef), .text(invoiceNumber), .int(paidMinor))
    }

    /// An accepted payment, as recorded. Its allocations are kept in their stored text form
    /// (a million-event file holds hundreds of thousands of these until its transaction ends).
    public struct Payment: Sendable {
        public var eventID: String
        public var accountRef: String
        /// `invoice TAB currency TAB minor units`, one allocation per line.
        public var encodedAllocations: String
        public var reversedBy: String?

        public init(eventID: String, accountRef: String, allocations: [Allocation], reversedBy: String?) {
            self.eventID = eventID
            self.accountRef = accountRef
            self.encodedAllocations = InboundLedger.encode(allocations)
            self.reversedBy = reversedBy
        }

        /// The allocations, decoded.
        public var allocations: [Allocation] { InboundLedger.decode(encodedAllocations) }
    }

    /// Records accepted payments, one at a time through `body`'s inserter (in event id order is fastest).
    /// - Parameter body: gets the inserter; `excess` is the part of the payment over the open balance, if any.
    /// - Throws: ``StoreError`` `.conflict` when a payment's event id is already recorded (the
    ///   transaction must then be undone).
    public static func insertPayments(_ tx: StoreTransaction, partner: String, _ body: (_ insert: (_ eventID: String, _ accountRef: String,
                                                                                           _ encodedAllocations: String, _ reversedBy: String?,
                                                                                           _ excess: Money?) throws -> Void) throws -> Void) throws {
        let db = tx.db
        let insert = try BulkInsert(db, head: "INSERT INTO inbound_payment (partner, event_id, account_ref, allocations, reversed_by, excess_currency, excess_minor)",
                                    columns: 7)
        do {
            try body { eventID, accountRef, encoded, reversedBy, excess in
                try insert.add(.text(partner), .text(eventID), .text(accountRef), .text(encoded), .optional(reversedBy),
                               .optional(excess?.currency.code), excess.map { .int($0.minorUnits) } ?? .null)
            }
            try insert.finish()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StoreError(.conflict, "a payment event id is recorded twice for partner \(partner)", underlying: error)
        }
    }

    /// An accepted payment of `partner`; nil if none has this id.
    public static func payment(_ tx: StoreTransaction, partner: String, eventID: String) throws -> Payment? {
        let db = tx.db
        guard let row = try Row.fetchOne(db, sql: "SELECT account_ref, allocations, reversed_by FROM inbound_payment WHERE partner = ? AND event_id = ?",
                                         arguments: [partner, eventID]) else { return nil }
        var payment = Payment(eventID: eventID, accountRef: row[0], allocations: [], reversedBy: row[2])
        payment.encodedAllocations = row[1]
        return payment
    }

    /// Marks a recorded payment reversed.
    public static func markReversed(_ tx: StoreTransaction, partner: String, eventID: String, by reversal: String) throws {
        let db = tx.db
        try db.execute(sql: "UPDATE inbound_payment SET reversed_by = ? WHERE partner = ? AND event_id = ?", arguments: [reversal, partner, eventID])
    }

    /// Allocations as stored: `invoice TAB currency TAB minor units`, one per line.
    /// (Written byte by byte into one buffer: a payment's allocations are encoded on the
    /// reconciling thread, and five String appends per allocation were a few percent of it.)
    public static func encode(_ allocations: [Allocation]) -> String {
        var capacity = 0
        for a in allocations { capacity += a.invoiceNumber.utf8.count + 26 }
        var out: [UInt8] = []
        out.reserveCapacity(capacity)
        for (index, a) in allocations.enumerated() {
            if index > 0 { out.append(0x0A) }
            out.append(contentsOf: a.invoiceNumber.utf8)
            let (c1, c2, c3) = a.amount.currency.letters
            out.append(0x09)
            out.append(c1)
            out.append(c2)
            out.append(c3)
            out.append(0x09)
            let minor = a.amount.minorUnits
            if minor < 0 { out.append(UInt8(ascii: "-")) }
            let digitsStart = out.count
            var rest = minor.magnitude
            repeat {
                out.append(UInt8(ascii: "0") + UInt8(rest % 10))
                rest /= 10
            } while rest > 0
            out[digitsStart...].reverse()
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [Allocation] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 3, let currency = try? Currency(String(parts[1])), let minor = Int64(parts[2]) else { return nil }
            return Allocation(invoiceNumber: String(parts[0]), amount: Money(minorUnits: minor, currency: currency))
        }
    }

    /// The excess over the open balance of `partner`'s payments that are not reversed, by
    /// account and currency (`account TAB currency`): what was paid but reached no invoice.
    public static func paymentExcess(_ tx: StoreTransaction, partner: String) throws -> [String: Int64] {
        let db = tx.db
        var out: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT account_ref, excess_currency, SUM(excess_minor) FROM inbound_payment
            WHERE partner = ? AND excess_minor IS NOT NULL AND reversed_by IS NULL GROUP BY account_ref, excess_currency
            """, arguments: [partner]) {
            out[(row[0] as String) + "\t" + (row[1] as String)] = row[2]
        }
        return out
    }

    /// The earliest and latest as-of dates of the batches sent to `partner` (nil when none was).
    public static func placementRange(_ tx: StoreTransaction, partner: String) throws -> ClosedRange<LocalDate>? {
        let db = tx.db
        guard let row = try Row.fetchOne(db, sql: "SELECT MIN(as_of), MAX(as_of) FROM outbound_batch WHERE partner = ?", arguments: [partner]),
            let first = (row[0] as String?).flatMap({ LocalDate(iso: $0) }), let last = (row[1] as String?).flatMap({ LocalDate(iso: $0) })
        else { return nil }
        return first...last
    }

    /// The as-of date of the batch that placed an account with `partner`, if it was placed.
    public static func placedOn(_ tx: StoreTransaction, partner: String, accountRef: String) throws -> LocalDate? {
        let db = tx.db
        return try String.fetchOne(db, sql: """
            SELECT b.as_of FROM placement p JOIN outbound_batch b ON b.batch_id = p.placed_batch WHERE p.partner = ? AND p.account_ref = ?
            """, arguments: [partner, accountRef]).flatMap { LocalDate(iso: $0) }
    }

    /// What the partner paid on an account in `currency` so far (net of reversals), including
    /// any excess over the open balance.
    public static func accountPaid(_ tx: StoreTransaction, partner: String, accountRef: String, currency: String) throws -> Int64 {
        let db = tx.db
        guard let position = try position(tx, partner: partner, accountRef: accountRef) else { return 0 }
        let allocated = position.invoices.filter { $0.placed.currency.code == currency }.reduce(0) { $0 + $1.paidMinor }
        let excess = try Int64.fetchOne(db, sql: """
            SELECT COALESCE(SUM(excess_minor), 0) FROM inbound_payment
            WHERE partner = ? AND account_ref = ? AND excess_currency = ? AND excess_minor IS NOT NULL AND reversed_by IS NULL
            """, arguments: [partner, accountRef, currency]) ?? 0
        return allocated + excess
    }

    /// Every invoice placed with `partner` on active accounts, by account then due date (the feedback simulator).
    public static func placedInvoices(_ tx: StoreTransaction, partner: String) throws -> [(accountRef: String, invoice: InvoicePosition)] {
        let db = tx.db
        var out: [(accountRef: String, invoice: InvoicePosition)] = []
        for row in try Row.fetchAll(db, sql: """
            SELECT account_ref, invoices FROM placement WHERE partner = ? AND status = 'active' AND invoices IS NOT NULL ORDER BY account_ref
            """, arguments: [partner]) {
            let ref: String = row[0]
            let invoices = PlacedInvoices.decode(row[1]).sorted { ($0.dueDate, $0.invoiceNumber) < ($1.dueDate, $1.invoiceNumber) }
            out.append(contentsOf: invoices.map { (ref, $0) })
        }
        return out
    }
}
