public import GRDB

/// The agency file numbers of one partner's placements (`layout_file_number`).
///
/// A number is assigned once per (partner, account), one above the partner's highest, and
/// never reused; assignment happens in the caller's transaction, together with the batch it
/// belongs to.
public enum FileNumberLedger {
    /// Every (account, file number) of `partner`.
    public static func all(_ db: Database, partner: String) throws -> [(account: String, number: Int64)] {
        try Row.fetchAll(db, sql: "SELECT account_ref, file_number FROM layout_file_number WHERE partner = ? ORDER BY file_number", arguments: [partner])
            .map { ($0[0], $0[1]) }
    }

    /// The account's file number, assigning the next one when it has none.
    /// - Parameter at: the assignment time (ISO 8601 UTC).
    public static func assign(_ db: Database, partner: String, account: String, at: String) throws -> Int64 {
        if let n = try Int64.fetchOne(db, sql: "SELECT file_number FROM layout_file_number WHERE partner = ? AND account_ref = ?", arguments: [partner, account]) {
            return n
        }
        let next = (try Int64.fetchOne(db, sql: "SELECT MAX(file_number) FROM layout_file_number WHERE partner = ?", arguments: [partner]) ?? 0) + 1
        try db.execute(sql: "INSERT INTO layout_file_number (partner, account_ref, file_number, assigned_at) VALUES (?, ?, ?, ?)",
                       arguments: [partner, account, next, at])
        return next
    }
}
