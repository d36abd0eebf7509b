public import GRDB
public import ARLinkCore
import Foundation

/// The ERP update outbox: staged export files, and the v1 table of rendered rows still drained.
extension InboundLedger {
    // MARK: - ERP update outbox

    /// Claims every update not yet in an export for a new export; nil when there is nothing.
    /// - Parameter makeID: the export id from the first outbox sequence number it covers.
    public static func claimExport(_ tx: StoreTransaction, createdAt: String, makeID: (Int64) -> String) throws -> ERPExportClaim? {
        let db = tx.db
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
    public static func claimedExports(_ tx: StoreTransaction) throws -> [ERPExportClaim] {
        let db = tx.db
        return try Row.fetchAll(db, sql: "SELECT * FROM erp_export WHERE state = 'claimed' ORDER BY first_seq").map { row in
            ERPExportClaim(exportID: row["export_id"], firstSeq: row["first_seq"], lastSeq: row["last_seq"], count: row["update_count"], createdAt: row["created_at"])
        }
    }

    /// Calls `body` with each record of an export, in order (JSON text or CSV row).
    public static func forEachRecord(_ tx: StoreTransaction, exportID: String, csv: Bool, _ body: (String) throws -> Void) throws {
        let db = tx.db
        let cursor = try String.fetchCursor(db, sql: "SELECT \(csv ? "record_csv" : "record_json") FROM erp_update WHERE export_id = ? ORDER BY seq", arguments: [exportID])
        while let record = try cursor.next() { try body(record) }
    }

    /// Marks an export's files written.
    public static func markExportWritten(_ tx: StoreTransaction, exportID: String) throws {
        let db = tx.db
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
    public static func nextExportNumber(_ tx: StoreTransaction) throws -> Int64 {
        let db = tx.db
        let staged = try Int64.fetchOne(db, sql: "SELECT MAX(number) FROM erp_staged_export") ?? 0
        let legacy = try Int64.fetchOne(db, sql: "SELECT MAX(last_seq) FROM erp_export") ?? 0
        return max(staged, legacy) + 1
    }

    /// Records a staged export (state `staged`).
    public static func insertStagedExport(_ tx: StoreTransaction, _ e: StagedExport) throws {
        let db = tx.db
        try db.execute(sql: "INSERT INTO erp_staged_export (export_id, number, source, update_count, files, state, created_at) VALUES (?, ?, ?, ?, ?, 'staged', ?)",
                       arguments: [e.exportID, e.number, e.source, e.updateCount, e.files.map { "\($0.path)\t\($0.bytes)" }.joined(separator: "\n"), e.createdAt])
    }

    /// Staged exports not yet published, oldest first.
    public static func stagedExports(_ tx: StoreTransaction) throws -> [StagedExport] {
        let db = tx.db
        return try Row.fetchAll(db, sql: "SELECT * FROM erp_staged_export WHERE state = 'staged' ORDER BY number").map { row in
            let files: [(path: String, bytes: Int64)] = (row["files"] as String).split(separator: "\n").compactMap { line in
                guard let tab = line.lastIndex(of: "\t"), let bytes = Int64(line[line.index(after: tab)...]) else { return nil }
                return (String(line[..<tab]), bytes)
            }
            return StagedExport(exportID: row["export_id"], number: row["number"], source: row["source"], updateCount: row["update_count"],
                                files: files, createdAt: row["created_at"])
        }
    }

    /// Marks a staged export published.
    public static func markStagedExportWritten(_ tx: StoreTransaction, exportID: String) throws {
        let db = tx.db
        try db.execute(sql: "UPDATE erp_staged_export SET state = 'written' WHERE export_id = ?", arguments: [exportID])
    }

    /// The number of ERP updates recorded: v1 outbox rows plus staged exports (tests and reports).
    public static func updateCount(_ tx: StoreTransaction) throws -> Int {
        let db = tx.db
        return (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM erp_update") ?? 0)
            + (try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(update_count), 0) FROM erp_staged_export") ?? 0)
    }
}
