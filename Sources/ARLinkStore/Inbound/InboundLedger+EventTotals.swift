import GRDB

extension InboundLedger {
    /// Applied and rejected events per event type over every file received from `partner`
    /// (`arlink serve` takes the difference across one run for `arlink_events_total`).
    public static func eventTotals(_ tx: StoreTransaction, partner: String) throws -> [String: (applied: Int, rejected: Int)] {
        let db = tx.db
        var out: [String: (applied: Int, rejected: Int)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT type, SUM(accepted), SUM(rejected) FROM inbound_file_count WHERE partner = ? GROUP BY type",
                                    arguments: [partner]) {
            out[row[0]] = (row[1], row[2])
        }
        return out
    }
}
