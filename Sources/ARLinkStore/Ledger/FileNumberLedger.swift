import GRDB
public import ARLinkCore

/// The agency file numbers of one partner's placements (`layout_file_number`).
///
/// A number is assigned once per (partner, account), one above the partner's highest, and
/// never reused; assignment happens in the caller's transaction, together with the batch it
/// belongs to.
public enum FileNumberLedger {
    /// Every (account, file number) of `partner`.
    public static func all(_ tx: StoreTransaction, partner: String) throws -> [(account: String, number: Int64)] {
        let db = tx.db
        return try Row.fetchAll(db, sql: "SELECT account_ref, file_number FROM layout_file_number WHERE partner = ? ORDER BY file_number", arguments: [partner])
            .map { ($0[0], $0[1]) }
    }

    /// The account's file number, assigning the next one when it has none.
    /// - Parameter at: the assignment time (ISO 8601 UTC).
    public static func assign(_ tx: StoreTransaction, partner: String, account: String, at: String) throws -> Int64 {
        let db = tx.db
        if let n = try Int64.fetchOne(db, sql: "SELECT file_number FROM layout_file_number WHERE partner = ? AND account_ref = ?", arguments: [partner, account]) {
            return n
        }
        let next = (try Int64.fetchOne(db, sql: "SELECT MAX(file_number) FROM layout_file_number WHERE partner = ?", arguments: [partner]) ?? 0) + 1
        try db.execute(sql: "INSERT INTO layout_file_number (partner, account_ref, file_number, assigned_at) VALUES (?, ?, ?, ?)",
                       arguments: [partner, account, next, at])
        return next
    }
}

extension FileNumberLedger {
    /// The balances placed for each of `accounts` in the partner's batch before `batchID`
    /// (the newest earlier one), for layouts that send an update as a balance change.
    public static func previousBalances(_ tx: StoreTransaction, partner: String, before batchID: String, accounts: [String]) throws -> [String: [Money]] {
        let db = tx.db
        let statement = try db.cachedStatement(sql: """
            SELECT e.balances FROM placement_event e JOIN outbound_batch b ON b.batch_id = e.batch_id
            WHERE e.partner = ? AND e.account_ref = ? AND e.batch_id != ?
            ORDER BY b.sequence DESC LIMIT 1
            """)
        var out: [String: [Money]] = [:]
        for account in accounts {
            if let text = try String.fetchOne(statement, arguments: [partner, account, batchID]) {
                out[account] = PlacementLedger.decodeBalances(text)
            }
        }
        return out
    }
}
