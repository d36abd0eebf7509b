public import GRDB
import Foundation
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

    /// The keys among `sorted` (ascending) that earlier files of `partner` already brought.
    public static func knownEventKeys(_ db: Database, partner: String, sorted: [EventKey]) throws -> Set<EventKey> {
        var found: Set<EventKey> = []
        guard !sorted.isEmpty else { return found }
        let cursor = try Row.fetchCursor(db, sql: "SELECT keys FROM inbound_event_keys WHERE partner = ?", arguments: [partner])
        while let row = try cursor.next() {
            try row.withUnsafeData(atIndex: 0) { data in
                data?.withUnsafeBytes { EventKey.common(sorted, stored: $0, into: &found) }
            }
        }
        return found
    }

    /// Records the keys of every event id a file brought (sorted ascending), in blobs of at
    /// most 256 Ki keys (4 MiB: the transaction's memory stays small whatever the file).
    public static func recordEventKeys(_ db: Database, partner: String, fileSHA256: String, sorted: [EventKey]) throws {
        let insert = try BulkStatement(db, sql: "INSERT INTO inbound_event_keys (partner, file_sha256, chunk, key_count, keys) VALUES (?, ?, ?, ?, ?)")
        let chunk = 1 << 18
        var start = 0
        var index: Int64 = 0
        while start < sorted.count {
            let end = min(sorted.count, start + chunk)
            try insert.insert(.text(partner), .text(fileSHA256), .int(index), .int(Int64(end - start)), .blob(EventKey.encode(sorted[start..<end])))
            start = end
            index += 1
        }
    }

    /// How many distinct event ids are recorded (for `partner`, or all partners).
    public static func eventCount(_ db: Database, partner: String? = nil) throws -> Int {
        if let partner {
            return try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(key_count), 0) FROM inbound_event_keys WHERE partner = ?", arguments: [partner]) ?? 0
        }
        return try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(key_count), 0) FROM inbound_event_keys") ?? 0
    }

    /// Records accepted and rejected events per type of one file.
    public static func recordCounts(_ db: Database, partner: String, fileSHA256: String, counts: [String: (accepted: Int, rejected: Int)]) throws {
        for (type, count) in counts {
            try db.execute(sql: "INSERT INTO inbound_file_count (partner, file_sha256, type, accepted, rejected) VALUES (?, ?, ?, ?, ?)",
                           arguments: [partner, fileSHA256, type, count.accepted, count.rejected])
        }
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
        for row in try Row.fetchAll(db, sql: "SELECT type, SUM(accepted) FROM inbound_file_count WHERE partner = ? GROUP BY type HAVING SUM(accepted) > 0",
                                    arguments: [partner]) {
            out[row[0]] = row[1]
        }
        return out
    }

    // MARK: - Accounts and payments

    /// The account as placed with `partner` with what was paid on each invoice; nil if never
    /// placed or recalled (a recall keeps no invoices).
    public static func position(_ db: Database, partner: String, accountRef: String) throws -> AccountPosition? {
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
    public static func positions(_ db: Database, partner: String, limit: Int) throws -> [String: AccountPosition]? {
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
    public static func setPaid(_ db: Database, partner: String, accountRef: String, invoiceNumber: String, paidMinor: Int64) throws {
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
    public static func insertPayments(_ db: Database, partner: String, _ body: (_ insert: (_ eventID: String, _ accountRef: String,
                                                                                           _ encodedAllocations: String, _ reversedBy: String?) throws -> Void) throws -> Void) throws {
        let insert = try BulkStatement(db, sql: "INSERT INTO inbound_payment (partner, event_id, account_ref, allocations, reversed_by) VALUES (?, ?, ?, ?, ?)")
        try body { eventID, accountRef, encoded, reversedBy in
            try insert.insert(.text(partner), .text(eventID), .text(accountRef), .text(encoded), .optional(reversedBy))
        }
    }

    /// An accepted payment of `partner`; nil if none has this id.
    public static func payment(_ db: Database, partner: String, eventID: String) throws -> Payment? {
        guard let row = try Row.fetchOne(db, sql: "SELECT account_ref, allocations, reversed_by FROM inbound_payment WHERE partner = ? AND event_id = ?",
                                         arguments: [partner, eventID]) else { return nil }
        var payment = Payment(eventID: eventID, accountRef: row[0], allocations: [], reversedBy: row[2])
        payment.encodedAllocations = row[1]
        return payment
    }

    /// Marks a recorded payment reversed.
    public static func markReversed(_ db: Database, partner: String, eventID: String, by reversal: String) throws {
        try db.execute(sql: "UPDATE inbound_payment SET reversed_by = ? WHERE partner = ? AND event_id = ?", arguments: [reversal, partner, eventID])
    }

    /// Allocations as stored: `invoice TAB currency TAB minor units`, one per line.
    public static func encode(_ allocations: [Allocation]) -> String {
        var out = ""
        for (index, a) in allocations.enumerated() {
            if index > 0 { out += "\n" }
            out += a.invoiceNumber
            out += "\t"
            out += a.amount.currency.code
            out += "\t"
            out += String(a.amount.minorUnits)
        }
        return out
    }

    static func decode(_ text: String) -> [Allocation] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 3, let currency = try? Currency(String(parts[1])), let minor = Int64(parts[2]) else { return nil }
            return Allocation(invoiceNumber: String(parts[0]), amount: Money(minorUnits: minor, currency: currency))
        }
    }

    /// What the partner paid on an account in `currency` so far (net of reversals).
    public static func accountPaid(_ db: Database, partner: String, accountRef: String, currency: String) throws -> Int64 {
        guard let position = try position(db, partner: partner, accountRef: accountRef) else { return 0 }
        return position.invoices.filter { $0.placed.currency.code == currency }.reduce(0) { $0 + $1.paidMinor }
    }

    /// Every invoice placed with `partner` on active accounts, by account then due date (the feedback simulator).
    public static func placedInvoices(_ db: Database, partner: String) throws -> [(accountRef: String, invoice: InvoicePosition)] {
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
    public static func insertPromises(_ db: Database, partner: String, _ promises: some Sequence<NewPromise>) throws {
        let supersede = try BulkStatement(db, sql: """
            UPDATE inbound_promise_v2 SET state = 'superseded'
            WHERE partner = ? AND account_ref = ? AND ifnull(invoice_number, '') = ? AND state = 'open'
            """)
        let insert = try BulkStatement(db, sql: """
            INSERT INTO inbound_promise_v2 (partner, event_id, account_ref, invoice_number, currency, amount_minor, promised_date, paid_baseline_minor, state)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open')
            """)
        for p in promises {
            try supersede.insert(.text(partner), .text(p.accountRef), .text(p.invoiceNumber ?? ""))
            try insert.insert(.text(partner), .text(p.eventID), .text(p.accountRef), .optional(p.invoiceNumber), .text(p.amount.currency.code),
                              .int(p.amount.minorUnits), .text(p.promisedDate.iso), .int(p.paidBaseline))
        }
    }

    /// Promises of `partner` by state (tests and reports).
    public static func promiseCounts(_ db: Database, partner: String) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM inbound_promise_v2 WHERE partner = ? GROUP BY state", arguments: [partner]) {
            out[row[0]] = row[1]
        }
        return out
    }

    /// Open promises dated before `date`.
    public static func openPromises(_ db: Database, before date: LocalDate) throws -> [OpenPromise] {
        try Row.fetchAll(db, sql: "SELECT * FROM inbound_promise_v2 WHERE state = 'open' AND promised_date < ? ORDER BY partner, promised_date, event_id",
                         arguments: [date.iso]).map { row in
            OpenPromise(id: row["id"], partner: row["partner"], eventID: row["event_id"], accountRef: row["account_ref"], invoiceNumber: row["invoice_number"],
                        currency: row["currency"], amountMinor: row["amount_minor"], promisedDate: row["promised_date"],
                        paidBaselineMinor: row["paid_baseline_minor"])
        }
    }

    /// Closes a promise as kept or broken.
    public static func setPromiseState(_ db: Database, id: Int64, state: PromiseState) throws {
        try db.execute(sql: "UPDATE inbound_promise_v2 SET state = ? WHERE id = ? AND state = 'open'", arguments: [state.rawValue, id])
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

    /// One staged export: files fsynced under temporary names, recorded in the transaction
    /// that produced their updates, published by renaming.
    public struct StagedExport: Sendable, Equatable {
        public var exportID: String
        public var number: Int64
        public var source: String
        public var updateCount: Int
        /// Final path and size in bytes of each file.
        public var files: [(path: String, bytes: Int64)]
        public var createdAt: String

        public init(exportID: String, number: Int64, source: String, updateCount: Int, files: [(path: String, bytes: Int64)], createdAt: String) {
            self.exportID = exportID
            self.number = number
            self.source = source
            self.updateCount = updateCount
            self.files = files
            self.createdAt = createdAt
        }

        public static func == (a: StagedExport, b: StagedExport) -> Bool {
            a.exportID == b.exportID && a.number == b.number && a.source == b.source && a.updateCount == b.updateCount
                && a.files.map(\.path) == b.files.map(\.path) && a.files.map(\.bytes) == b.files.map(\.bytes) && a.createdAt == b.createdAt
        }
    }

    /// The next export number (after every staged export and every v1 outbox export).
    public static func nextExportNumber(_ db: Database) throws -> Int64 {
        let staged = try Int64.fetchOne(db, sql: "SELECT MAX(number) FROM erp_staged_export") ?? 0
        let legacy = try Int64.fetchOne(db, sql: "SELECT MAX(last_seq) FROM erp_export") ?? 0
        return max(staged, legacy) + 1
    }

    /// Records a staged export (state `staged`).
    public static func insertStagedExport(_ db: Database, _ e: StagedExport) throws {
        try db.execute(sql: "INSERT INTO erp_staged_export (export_id, number, source, update_count, files, state, created_at) VALUES (?, ?, ?, ?, ?, 'staged', ?)",
                       arguments: [e.exportID, e.number, e.source, e.updateCount, e.files.map { "\($0.path)\t\($0.bytes)" }.joined(separator: "\n"), e.createdAt])
    }

    /// Staged exports not yet published, oldest first.
    public static func stagedExports(_ db: Database) throws -> [StagedExport] {
        try Row.fetchAll(db, sql: "SELECT * FROM erp_staged_export WHERE state = 'staged' ORDER BY number").map { row in
            let files: [(path: String, bytes: Int64)] = (row["files"] as String).split(separator: "\n").compactMap { line in
                guard let tab = line.lastIndex(of: "\t"), let bytes = Int64(line[line.index(after: tab)...]) else { return nil }
                return (String(line[..<tab]), bytes)
            }
            return StagedExport(exportID: row["export_id"], number: row["number"], source: row["source"], updateCount: row["update_count"],
                                files: files, createdAt: row["created_at"])
        }
    }

    /// Marks a staged export published.
    public static func markStagedExportWritten(_ db: Database, exportID: String) throws {
        try db.execute(sql: "UPDATE erp_staged_export SET state = 'written' WHERE export_id = ?", arguments: [exportID])
    }

    /// Every file path a staged (unpublished) export will publish.
    public static func stagedPaths(_ db: Database) throws -> Set<String> {
        Set(try stagedExports(db).flatMap { $0.files.map(\.path) })
    }

    /// The number of ERP updates recorded: v1 outbox rows plus staged exports (tests and reports).
    public static func updateCount(_ db: Database) throws -> Int {
        (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM erp_update") ?? 0)
            + (try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(update_count), 0) FROM erp_staged_export") ?? 0)
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
