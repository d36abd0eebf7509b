public import GRDB
public import ARLinkCore

/// Reads and writes the inbound tables inside a caller's transaction: claimed files, events,
/// rejections, payment allocations, promises and the ERP update outbox.
public enum InboundLedger {
    // MARK: - Files

    /// The file claimed by these bytes, if any.
    public static func file(_ db: Database, partner: String, sha256: String) throws -> InboundFileRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM inbound_file WHERE partner = ? AND sha256 = ?", arguments: [partner, sha256]).map(decode)
    }

    /// The applied file with this `file_id`, if any.
    public static func appliedFile(_ db: Database, partner: String, fileID: String) throws -> InboundFileRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM inbound_file WHERE partner = ? AND file_id = ? AND state = 'applied'", arguments: [partner, fileID]).map(decode)
    }

    /// The applied file with the highest sequence number.
    public static func lastApplied(_ db: Database, partner: String) throws -> InboundFileRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM inbound_file WHERE partner = ? AND state = 'applied' ORDER BY sequence DESC LIMIT 1", arguments: [partner]).map(decode)
    }

    /// Files whose receipt, archiving or remote move is still to do, oldest first.
    public static func unfinished(_ db: Database, partner: String) throws -> [InboundFileRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM inbound_file WHERE partner = ? AND finished = 0 ORDER BY received_at, sequence", arguments: [partner]).map(decode)
    }

    /// All files of `partner` (reports and tests).
    public static func files(_ db: Database, partner: String) throws -> [InboundFileRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM inbound_file WHERE partner = ? ORDER BY received_at, sequence", arguments: [partner]).map(decode)
    }

    /// Records a claimed file.
    public static func insert(_ db: Database, _ f: InboundFileRecord) throws {
        try db.execute(sql: """
            INSERT INTO inbound_file (partner, sha256, file_name, file_id, sequence, state, plaintext_sha256, error_code,
                events_accepted, events_rejected, receipt_name, receipt_file_id, receipt_sequence, received_at, finished)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [f.partner, f.sha256, f.fileName, f.fileID, f.sequence, f.state.rawValue, f.plaintextSHA256, f.errorCode,
                             f.eventsAccepted, f.eventsRejected, f.receiptName, f.receiptFileID, f.receiptSequence, f.receivedAt,
                             f.finished ? 1 : 0])
    }

    /// Marks a file finished (receipt delivered, archived, remote moved).
    public static func markFinished(_ db: Database, partner: String, sha256: String) throws {
        try db.execute(sql: "UPDATE inbound_file SET finished = 1 WHERE partner = ? AND sha256 = ?", arguments: [partner, sha256])
    }

    /// The next sequence number of our receipts to `partner`.
    public static func nextReceiptSequence(_ db: Database, partner: String) throws -> Int {
        (try Int.fetchOne(db, sql: "SELECT MAX(receipt_sequence) FROM inbound_file WHERE partner = ?", arguments: [partner]) ?? 0) + 1
    }

    /// The plaintext SHA-256 of the receipt before `sequence` (the chain in the receipt header).
    public static func receiptCount(_ db: Database, partner: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inbound_file WHERE partner = ? AND receipt_sequence IS NOT NULL", arguments: [partner]) ?? 0
    }

    // MARK: - Events

    /// Records the first occurrence of an event id.
    /// - Returns: false when the partner already used this `event_id` (nothing is written).
    public static func insertEvent(_ db: Database, partner: String, eventID: String, fileSHA256: String, line: Int,
                                   type: String, accountRef: String, accepted: Bool, exception: String?) throws -> Bool {
        let statement = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO inbound_event (partner, event_id, file_sha256, line, type, account_ref, outcome, exception)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [partner, eventID, fileSHA256, line, type, accountRef, accepted ? "accepted" : "rejected", exception])
        return db.changesCount > 0
    }

    /// Whether the partner already used this `event_id`, and in which file.
    public static func eventFile(_ db: Database, partner: String, eventID: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT file_sha256 FROM inbound_event WHERE partner = ? AND event_id = ?"),
                            arguments: [partner, eventID])
    }

    /// Records one rejected event of a file (for the receipt and the report).
    public static func insertRejection(_ db: Database, partner: String, fileSHA256: String, line: Int, eventID: String, reason: String) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO inbound_rejection (partner, file_sha256, line, event_id, reason) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [partner, fileSHA256, line, eventID, reason])
    }

    /// The rejected events of a file, in file order.
    public static func rejections(_ db: Database, partner: String, fileSHA256: String) throws -> [(eventID: String, reason: String)] {
        try Row.fetchAll(db, sql: "SELECT event_id, reason FROM inbound_rejection WHERE partner = ? AND file_sha256 = ? ORDER BY line",
                         arguments: [partner, fileSHA256]).map { ($0[0], $0[1]) }
    }

    /// Accepted events per type for `partner` (tests and reports).
    public static func acceptedCounts(_ db: Database, partner: String) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT type, COUNT(*) FROM inbound_event WHERE partner = ? AND outcome = 'accepted' GROUP BY type", arguments: [partner]) {
            out[row[0]] = row[1]
        }
        return out
    }

    // MARK: - Accounts and payments

    /// The account as placed with `partner` (active or recalled) with what was paid on each invoice; nil if never placed.
    public static func position(_ db: Database, partner: String, accountRef: String) throws -> AccountPosition? {
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT i.invoice_number, i.currency, i.due_date, i.placed_minor, COALESCE(p.paid_minor, 0)
            FROM placement_invoice i
            LEFT JOIN inbound_invoice_paid p ON p.partner = i.partner AND p.account_ref = i.account_ref AND p.invoice_number = i.invoice_number
            WHERE i.partner = ? AND i.account_ref = ?
            """), arguments: [partner, accountRef])
        guard !rows.isEmpty else { return nil }
        var invoices: [InvoicePosition] = []
        for row in rows {
            guard let currency = try? Currency(row[1] as String), let due = LocalDate(iso: row[2] as String) else { continue }
            invoices.append(InvoicePosition(invoiceNumber: row[0], dueDate: due, placed: Money(minorUnits: row[3], currency: currency), paidMinor: row[4]))
        }
        return AccountPosition(accountRef: accountRef, invoices: invoices)
    }

    /// Applies allocations of a payment (positive) or reversal (negative) to the paid totals.
    public static func applyAllocations(_ db: Database, partner: String, accountRef: String, eventID: String,
                                        allocations: [Allocation], reversing: String?) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO inbound_invoice_paid (partner, account_ref, invoice_number, paid_minor) VALUES (?, ?, ?, ?)
            ON CONFLICT (partner, account_ref, invoice_number) DO UPDATE SET paid_minor = paid_minor + excluded.paid_minor
            """)
        for allocation in allocations {
            try upsert.execute(arguments: [partner, accountRef, allocation.invoiceNumber, allocation.amount.minorUnits])
        }
        if let reversing {
            try db.execute(sql: "UPDATE inbound_allocation SET reversed_by = ? WHERE partner = ? AND event_id = ?", arguments: [eventID, partner, reversing])
        } else {
            let insert = try db.cachedStatement(sql: "INSERT INTO inbound_allocation (partner, event_id, account_ref, invoice_number, currency, amount_minor) VALUES (?, ?, ?, ?, ?, ?)")
            for allocation in allocations {
                try insert.execute(arguments: [partner, eventID, accountRef, allocation.invoiceNumber, allocation.amount.currency.code, allocation.amount.minorUnits])
            }
        }
    }

    /// The allocations of an accepted payment, with the account it was for and whether it was reversed; nil if none.
    public static func payment(_ db: Database, partner: String, eventID: String) throws -> (accountRef: String, allocations: [Allocation], reversed: Bool)? {
        guard let accountRef = try String.fetchOne(db, sql: "SELECT account_ref FROM inbound_event WHERE partner = ? AND event_id = ? AND type = 'payment' AND outcome = 'accepted'", arguments: [partner, eventID]) else {
            return nil
        }
        var allocations: [Allocation] = []
        var reversed = false
        for row in try Row.fetchAll(db, sql: "SELECT invoice_number, currency, amount_minor, reversed_by FROM inbound_allocation WHERE partner = ? AND event_id = ?", arguments: [partner, eventID]) {
            guard let currency = try? Currency(row[1] as String) else { continue }
            allocations.append(Allocation(invoiceNumber: row[0], amount: Money(minorUnits: row[2], currency: currency)))
            if (row[3] as String?) != nil { reversed = true }
        }
        return (accountRef, allocations, reversed)
    }

    /// What the partner paid on an account in `currency` so far (net of reversals).
    public static func accountPaid(_ db: Database, partner: String, accountRef: String, currency: String) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT COALESCE(SUM(a.amount_minor), 0) FROM inbound_allocation a INDEXED BY inbound_allocation_by_account
            WHERE a.partner = ? AND a.account_ref = ? AND a.currency = ? AND a.reversed_by IS NULL
            """), arguments: [partner, accountRef, currency]) ?? 0
    }

    /// Every invoice placed with `partner`, by account then due date (the feedback simulator).
    public static func placedInvoices(_ db: Database, partner: String) throws -> [(accountRef: String, invoice: InvoicePosition)] {
        try Row.fetchAll(db, sql: """
            SELECT i.account_ref, i.invoice_number, i.currency, i.due_date, i.placed_minor FROM placement_invoice i
            JOIN placement p ON p.partner = i.partner AND p.account_ref = i.account_ref
            WHERE i.partner = ? AND p.status = 'active' ORDER BY i.account_ref, i.due_date, i.invoice_number
            """, arguments: [partner]).compactMap { row in
            guard let currency = try? Currency(row[2] as String), let due = LocalDate(iso: row[3] as String) else { return nil }
            return (row[0], InvoicePosition(invoiceNumber: row[1], dueDate: due, placed: Money(minorUnits: row[4], currency: currency), paidMinor: 0))
        }
    }

    // MARK: - Promises

    /// Records an accepted promise.
    public static func insertPromise(_ db: Database, partner: String, eventID: String, accountRef: String, invoiceNumber: String?,
                                     amount: Money, promisedDate: LocalDate, paidBaseline: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT INTO inbound_promise (partner, event_id, account_ref, invoice_number, currency, amount_minor, promised_date, paid_baseline_minor, state)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open')
            """).execute(arguments: [partner, eventID, accountRef, invoiceNumber, amount.currency.code, amount.minorUnits, promisedDate.iso, paidBaseline])
    }

    /// Open promises dated before `date`.
    public static func openPromises(_ db: Database, before date: LocalDate) throws -> [OpenPromise] {
        try Row.fetchAll(db, sql: "SELECT * FROM inbound_promise WHERE state = 'open' AND promised_date < ? ORDER BY partner, promised_date, event_id",
                         arguments: [date.iso]).map { row in
            OpenPromise(partner: row["partner"], eventID: row["event_id"], accountRef: row["account_ref"], invoiceNumber: row["invoice_number"],
                        currency: row["currency"], amountMinor: row["amount_minor"], promisedDate: row["promised_date"],
                        paidBaselineMinor: row["paid_baseline_minor"])
        }
    }

    /// Closes a promise as kept or broken.
    public static func setPromiseState(_ db: Database, partner: String, eventID: String, state: PromiseState) throws {
        try db.execute(sql: "UPDATE inbound_promise SET state = ? WHERE partner = ? AND event_id = ? AND state = 'open'",
                       arguments: [state.rawValue, partner, eventID])
    }

    // MARK: - ERP update outbox

    /// Adds an update to the outbox (its id is unique; adding the same id again is ignored).
    public static func enqueue(_ db: Database, updateID: String, partner: String, json: String, csv: String) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO erp_update (update_id, partner, record_json, record_csv) VALUES (?, ?, ?, ?)")
            .execute(arguments: [updateID, partner, json, csv])
    }

    /// Claims every update not yet in an export for a new export; nil when there is nothing.
    /// - Parameter makeID: the export id from the first outbox sequence number it covers.
    public static func claimExport(_ db: Database, createdAt: String, makeID: (Int64) -> String) throws -> ERPExportClaim? {
        guard let row = try Row.fetchOne(db, sql: "SELECT MIN(seq), MAX(seq), COUNT(*) FROM erp_update WHERE export_id IS NULL"),
              let first = row[0] as Int64?, let last = row[1] as Int64? else { return nil }
        let count: Int = row[2]
        let exportID = makeID(first)
        try db.execute(sql: "UPDATE erp_update SET export_id = ? WHERE export_id IS NULL AND seq BETWEEN ? AND ?", arguments: [exportID, first, last])
        try db.execute(sql: "INSERT INTO erp_export (export_id, first_seq, last_seq, update_count, state, created_at) VALUES (?, ?, ?, ?, 'claimed', ?)",
                       arguments: [exportID, first, last, count, createdAt])
        return ERPExportClaim(exportID: exportID, firstSeq: first, lastSeq: last, count: count, createdAt: createdAt)
    }

    /// Exports claimed but not yet written (a crash in between), oldest first.
    public static func claimedExports(_ db: Database) throws -> [ERPExportClaim] {
        try Row.fetchAll(db, sql: "SELECT * FROM erp_export WHERE state = 'claimed' ORDER BY first_seq").map { row in
            ERPExportClaim(exportID: row["export_id"], firstSeq: row["first_seq"], lastSeq: row["last_seq"], count: row["update_count"], createdAt: row["created_at"])
        }
    }

    /// Calls `body` with each record of an export, in order (JSON text or CSV row).
    public static func forEachRecord(_ db: Database, exportID: String, csv: Bool, _ body: (String) throws -> Void) throws {
        let cursor = try String.fetchCursor(db, sql: "SELECT \(csv ? "record_csv" : "record_json") FROM erp_update WHERE export_id = ? ORDER BY seq", arguments: [exportID])
        while let record = try cursor.next() { try body(record) }
    }

    /// Marks an export's files written.
    public static func markExportWritten(_ db: Database, exportID: String) throws {
        try db.execute(sql: "UPDATE erp_export SET state = 'written' WHERE export_id = ?", arguments: [exportID])
    }

    /// The number of updates in the outbox (tests and reports).
    public static func updateCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM erp_update") ?? 0
    }

    static func decode(_ row: Row) -> InboundFileRecord {
        InboundFileRecord(
            partner: row["partner"], sha256: row["sha256"], fileName: row["file_name"], fileID: row["file_id"], sequence: row["sequence"],
            state: InboundFileRecord.State(rawValue: row["state"]) ?? .quarantined, plaintextSHA256: row["plaintext_sha256"],
            errorCode: row["error_code"], eventsAccepted: row["events_accepted"], eventsRejected: row["events_rejected"],
            receiptName: row["receipt_name"], receiptFileID: row["receipt_file_id"], receiptSequence: row["receipt_sequence"],
            receivedAt: row["received_at"], finished: (row["finished"] as Int) != 0)
    }
}
