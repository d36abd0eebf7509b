public import GRDB
public import ARLinkCore
import Foundation

/// Promises to pay: at most one open per account and invoice.
extension InboundLedger {
    // MARK: - Promises

    /// An accepted promise to record.
    public struct NewPromise: Sendable {
        public var eventID: String
        public var accountRef: String
        public var invoiceNumber: String?
        public var amount: Money
        public var promisedDate: LocalDate
        public var paidBaseline: Int64

        public init(eventID: String, accountRef: String, invoiceNumber: String?, amount: Money, promisedDate: LocalDate, paidBaseline: Int64) {
            self.eventID = eventID
            self.accountRef = accountRef
            self.invoiceNumber = invoiceNumber
            self.amount = amount
            self.promisedDate = promisedDate
            self.paidBaseline = paidBaseline
        }
    }

    /// Records accepted promises, each superseding the open promise of the same account and
    /// invoice (at most one per account and invoice among `promises`).
    public static func insertPromises(_ tx: StoreTransaction, partner: String, _ promises: some Sequence<NewPromise>) throws {
        let db = tx.db
        let supersede = try BulkStatement(db, sql: """
            UPDATE inbound_promise_v2 SET state = 'superseded'
            WHERE partner = ? AND account_ref = ? AND ifnull(invoice_number, '') = ? AND state = 'open'
            """)
        let insert = try BulkStatement(db, sql: """
            INSERT INTO inbound_promise_v2 (partner, event_id, account_ref, invoice_number, currency, amount_minor, promised_date, paid_baseline_minor, state)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open')
            """)
        // Only a promise whose account (and invoice) has an open one supersedes anything: the
        // open ones are read once, instead of one UPDATE per new promise (most find nothing).
        var open: Set<PromiseSlot> = []
        let rows = try Row.fetchCursor(db, sql: "SELECT account_ref, ifnull(invoice_number, '') FROM inbound_promise_v2 WHERE partner = ? AND state = 'open'",
                                       arguments: [partner])
        while let row = try rows.next() { open.insert(PromiseSlot(accountRef: row[0], invoiceNumber: row[1])) }
        for p in promises {
            if !open.isEmpty, open.contains(PromiseSlot(accountRef: p.accountRef, invoiceNumber: p.invoiceNumber ?? "")) {
                try supersede.insert(.text(partner), .text(p.accountRef), .text(p.invoiceNumber ?? ""))
            }
            try insert.insert(.text(partner), .text(p.eventID), .text(p.accountRef), .optional(p.invoiceNumber), .text(p.amount.currency.code),
                              .int(p.amount.minorUnits), .text(p.promisedDate.iso), .int(p.paidBaseline))
        }
    }

    /// What at most one open promise is for: an account, and an invoice or all of them ("").
    struct PromiseSlot: Hashable {
        let accountRef: String
        let invoiceNumber: String
    }

    /// Promises of `partner` by state (tests and reports).
    public static func promiseCounts(_ tx: StoreTransaction, partner: String) throws -> [String: Int] {
        let db = tx.db
        var out: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM inbound_promise_v2 WHERE partner = ? GROUP BY state", arguments: [partner]) {
            out[row[0]] = row[1]
        }
        return out
    }

    /// Open promises dated before `date`.
    public static func openPromises(_ tx: StoreTransaction, before date: LocalDate) throws -> [OpenPromise] {
        let db = tx.db
        return try Row.fetchAll(db, sql: "SELECT * FROM inbound_promise_v2 WHERE state = 'open' AND promised_date < ? ORDER BY partner, promised_date, event_id",
                         arguments: [date.iso]).map { row in
            OpenPromise(id: row["id"], partner: row["partner"], eventID: row["event_id"], accountRef: row["account_ref"], invoiceNumber: row["invoice_number"],
                        currency: row["currency"], amountMinor: row["amount_minor"], promisedDate: row["promised_date"],
                        paidBaselineMinor: row["paid_baseline_minor"])
        }
    }

    /// Closes a promise as kept or broken.
    public static func setPromiseState(_ tx: StoreTransaction, id: Int64, state: PromiseState) throws {
        let db = tx.db
        try db.execute(sql: "UPDATE inbound_promise_v2 SET state = ? WHERE id = ? AND state = 'open'", arguments: [state.rawValue, id])
    }
}
