public import GRDB

/// One account's line of a delivered (or pending) outbound batch: what the ledger knows about
/// a transfer of one debtor's data (ids and dates; no personal data).
public struct TransferRecord: Sendable, Hashable {
    public var partner: String
    public var accountRef: String
    /// `place`, `update` or `recall`.
    public var action: String
    public var recallReason: String?
    public var batchID: String
    public var asOf: String
    /// When the batch reached the partner (ISO 8601 UTC); nil while it is not delivered.
    public var deliveredAt: String?
    public var fileName: String
    /// Our sealed copy in the work folder (encrypted), if recorded.
    public var sealedPath: String?
}

/// What came back about one account: accepted payments and promises (ids and dates).
public struct ReturnedEvent: Sendable, Hashable {
    public var partner: String
    /// `payment` or `promise`.
    public var type: String
    public var eventID: String
    /// The promised date (promises); nil for payments.
    public var date: String?
    /// `reversed` for a reversed payment; the promise's state (`open`, `kept`, `broken`, `superseded`).
    public var state: String?
}

/// Reads the ledger for the privacy commands, and records erasure requests.
public enum PrivacyLedger {
    /// Records that the debtor of `accountRef` asked for erasure; false when it was recorded before.
    public static func recordErasure(_ tx: StoreTransaction, accountRef: String, at time: String) throws -> Bool {
        let db = tx.db
        try db.execute(sql: "INSERT OR IGNORE INTO privacy_erasure (account_ref, requested_at) VALUES (?, ?)", arguments: [accountRef, time])
        return db.changesCount > 0
    }

    /// Every account whose debtor asked for erasure.
    public static func erasedAccounts(_ tx: StoreTransaction) throws -> Set<String> {
        let db = tx.db
        return Set(try String.fetchAll(db, sql: "SELECT account_ref FROM privacy_erasure"))
    }

    /// When erasure of `accountRef` was requested, if it was.
    public static func erasureRequested(_ tx: StoreTransaction, accountRef: String) throws -> String? {
        let db = tx.db
        return try String.fetchOne(db, sql: "SELECT requested_at FROM privacy_erasure WHERE account_ref = ?", arguments: [accountRef])
    }

    static let transferColumns = """
        SELECT e.partner, e.account_ref, e.action, e.recall_reason, b.batch_id, b.as_of, b.delivered_at, b.file_name, b.sealed_path
        FROM placement_event e JOIN outbound_batch b ON b.batch_id = e.batch_id
        """

    static func transfer(_ row: Row) -> TransferRecord {
        TransferRecord(partner: row[0], accountRef: row[1], action: row[2], recallReason: row[3], batchID: row[4], asOf: row[5],
                       deliveredAt: row[6], fileName: row[7], sealedPath: row[8])
    }

    /// Every batch line about one account, oldest first.
    public static func transfers(_ tx: StoreTransaction, accountRef: String) throws -> [TransferRecord] {
        let db = tx.db
        return try Row.fetchAll(db, sql: transferColumns + " WHERE e.account_ref = ? ORDER BY b.created_at, e.partner", arguments: [accountRef]).map(transfer)
    }

    /// Every line of a batch delivered at or before `until` (ISO 8601 UTC), by delivery time.
    public static func deliveredTransfers(_ tx: StoreTransaction, until: String, partner: String? = nil) throws -> [TransferRecord] {
        let db = tx.db
        var sql = transferColumns + " WHERE b.delivered_at IS NOT NULL AND b.delivered_at <= ?"
        var arguments: StatementArguments = [until]
        if let partner {
            sql += " AND b.partner = ?"
            arguments += [partner]
        }
        return try Row.fetchAll(db, sql: sql + " ORDER BY b.delivered_at, e.partner, e.account_ref", arguments: arguments).map(transfer)
    }

    /// Accepted payments and promises about one account.
    public static func returnedEvents(_ tx: StoreTransaction, accountRef: String) throws -> [ReturnedEvent] {
        let db = tx.db
        var out = try Row.fetchAll(db, sql: "SELECT partner, event_id, reversed_by FROM inbound_payment WHERE account_ref = ? ORDER BY partner, event_id",
                                   arguments: [accountRef]).map { row in
            ReturnedEvent(partner: row[0], type: "payment", eventID: row[1], date: nil, state: (row[2] as String?) == nil ? nil : "reversed")
        }
        out += try Row.fetchAll(db, sql: "SELECT partner, event_id, promised_date, state FROM inbound_promise_v2 WHERE account_ref = ? ORDER BY partner, promised_date, event_id",
                                arguments: [accountRef]).map { row in
            ReturnedEvent(partner: row[0], type: "promise", eventID: row[1], date: row[2], state: row[3])
        }
        return out
    }

    /// Accepted and rejected events per partner and event type of the feedback files applied
    /// between `from` and `until` (ISO 8601 UTC, inclusive).
    public static func returnedCounts(_ tx: StoreTransaction, from: String, until: String) throws -> [(partner: String, type: String, accepted: Int, rejected: Int)] {
        let db = tx.db
        return try Row.fetchAll(db, sql: """
            SELECT c.partner, c.type, SUM(c.accepted), SUM(c.rejected) FROM inbound_file_count c
            WHERE EXISTS (SELECT 1 FROM inbound_file f WHERE f.partner = c.partner AND f.sha256 = c.file_sha256
                          AND f.state = 'applied' AND f.received_at >= ? AND f.received_at <= ?)
            GROUP BY c.partner, c.type ORDER BY c.partner, c.type
            """, arguments: [from, until]).map { ($0[0], $0[1], $0[2], $0[3]) }
    }

    /// The account's placement with each partner: `active` or `recalled`, and the recall reason.
    public static func placements(_ tx: StoreTransaction, accountRef: String) throws -> [(partner: String, status: String, recallReason: String?)] {
        let db = tx.db
        return try Row.fetchAll(db, sql: "SELECT partner, status, recall_reason FROM placement WHERE account_ref = ? ORDER BY partner",
                         arguments: [accountRef]).map { ($0[0], $0[1], $0[2]) }
    }

    /// Removes the rendered rows of exported v1 ERP updates about one account (they can hold
    /// contact data); returns how many.
    public static func removeExportedUpdateRows(_ tx: StoreTransaction, accountRef: String) throws -> Int {
        let db = tx.db
        try db.execute(sql: "DELETE FROM erp_update WHERE export_id IS NOT NULL AND instr(record_json, ?) > 0",
                       arguments: ["\"account_ref\":\"\(accountRef)\""])
        return db.changesCount
    }
}
