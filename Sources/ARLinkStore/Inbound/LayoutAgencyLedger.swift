import GRDB
public import ARLinkCore

/// One acknowledgement, reconciliation or recall objection an agency sent in a layout
/// feedback file (table `layout_agency_record`).
public struct LayoutAgencyRecordRow: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case acknowledgement, reconciliation
        case recallObjection = "recall_objection"
    }

    /// What arlink made of it: an acknowledgement is `accepted` or `rejected` (with a reason),
    /// a reconciliation `matched` or `mismatch`, a recall objection `objected`.
    public enum Outcome: String, Sendable, Hashable {
        case accepted, rejected, matched, mismatch, objected
    }

    public var partner: String
    /// The SHA-256 of the sealed manifest the file came with (the inbound file's claim).
    public var fileSHA256: String
    /// The record's line in the data file.
    public var line: Int
    public var kind: Kind
    public var fileNumber: Int64
    public var accountRef: String
    public var outcome: Outcome
    /// The rejection or mismatch reason (`balance_mismatch`, `unknown_account`), or the
    /// agency's objection reason code.
    public var reason: String?
    /// The agency's stated original and current balance, and the balance arlink placed.
    public var originalBalance: Money?
    public var currentBalance: Money?
    public var placedBalance: Money?
    /// The day the record names (received, objected).
    public var occurredOn: LocalDate?
    public var receivedAt: String

    public init(partner: String, fileSHA256: String, line: Int, kind: Kind, fileNumber: Int64, accountRef: String, outcome: Outcome,
                reason: String?, originalBalance: Money?, currentBalance: Money?, placedBalance: Money?, occurredOn: LocalDate?,
                receivedAt: String) {
        self.partner = partner; self.fileSHA256 = fileSHA256; self.line = line; self.kind = kind; self.fileNumber = fileNumber
        self.accountRef = accountRef; self.outcome = outcome; self.reason = reason; self.originalBalance = originalBalance
        self.currentBalance = currentBalance; self.placedBalance = placedBalance; self.occurredOn = occurredOn; self.receivedAt = receivedAt
    }
}

/// Reads and writes `layout_agency_record` inside a caller's transaction.
///
/// Rows are written in the transaction that applies their file, keyed by (partner, file,
/// line): a file applied once has its records once; a pass that is rolled back leaves none.
public enum LayoutAgencyLedger {
    /// Records the rows of one file.
    /// - Throws: ``StoreError`` when a row of that file and line exists already (the file was
    ///   applied before: nothing may be recorded twice).
    public static func insert(_ tx: StoreTransaction, _ rows: [LayoutAgencyRecordRow]) throws {
        let db = tx.db
        let statement = try db.cachedStatement(sql: """
            INSERT INTO layout_agency_record (partner, file_sha256, line, kind, file_number, account_ref, outcome, reason, currency,
                original_minor, current_minor, placed_minor, occurred_on, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for row in rows {
            let currency = (row.originalBalance ?? row.currentBalance ?? row.placedBalance)?.currency.code
            try statement.execute(arguments: [
                row.partner, row.fileSHA256, row.line, row.kind.rawValue, row.fileNumber, row.accountRef, row.outcome.rawValue, row.reason,
                currency, row.originalBalance?.minorUnits, row.currentBalance?.minorUnits, row.placedBalance?.minorUnits,
                row.occurredOn?.iso, row.receivedAt,
            ])
        }
    }

    /// The rows of one file, in line order.
    public static func records(_ tx: StoreTransaction, partner: String, fileSHA256: String) throws -> [LayoutAgencyRecordRow] {
        try fetch(tx, where: "partner = ? AND file_sha256 = ? ORDER BY line", [partner, fileSHA256])
    }

    /// The rows about one account, oldest first.
    public static func records(_ tx: StoreTransaction, partner: String, accountRef: String) throws -> [LayoutAgencyRecordRow] {
        try fetch(tx, where: "partner = ? AND account_ref = ? ORDER BY received_at, file_sha256, line", [partner, accountRef])
    }

    /// How many rows `partner` has, by kind and outcome (`acknowledgement/rejected`).
    public static func counts(_ tx: StoreTransaction, partner: String) throws -> [String: Int] {
        let db = tx.db
        var out: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT kind, outcome, COUNT(*) FROM layout_agency_record WHERE partner = ? GROUP BY kind, outcome",
                                    arguments: [partner]) {
            out[(row[0] as String) + "/" + (row[1] as String)] = row[2]
        }
        return out
    }

    private static func fetch(_ tx: StoreTransaction, where clause: String, _ arguments: StatementArguments) throws -> [LayoutAgencyRecordRow] {
        let db = tx.db
        return try Row.fetchAll(db, sql: "SELECT * FROM layout_agency_record WHERE " + clause, arguments: arguments).map { row in
            let currency = (row["currency"] as String?).flatMap { try? Currency($0) }
            func money(_ column: String) -> Money? {
                guard let currency, let minor = row[column] as Int64? else { return nil }
                return Money(minorUnits: minor, currency: currency)
            }
            return LayoutAgencyRecordRow(
                partner: row["partner"], fileSHA256: row["file_sha256"], line: row["line"],
                kind: LayoutAgencyRecordRow.Kind(rawValue: row["kind"]) ?? .acknowledgement, fileNumber: row["file_number"],
                accountRef: row["account_ref"], outcome: LayoutAgencyRecordRow.Outcome(rawValue: row["outcome"]) ?? .rejected,
                reason: row["reason"], originalBalance: money("original_minor"), currentBalance: money("current_minor"),
                placedBalance: money("placed_minor"), occurredOn: (row["occurred_on"] as String?).flatMap { LocalDate(iso: $0) },
                receivedAt: row["received_at"])
        }
    }
}
