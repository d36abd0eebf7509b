import Foundation
import GRDB
import GRDBSQLite

/// The audit log's tables: entries (leaves of the Merkle tree), the stored right edge of the
/// tree, signed checkpoints and which of them went to the checkpoint file, checkpoints
/// partners echoed back, and the entries pruned past retention.
///
/// The audit module computes hashes and signs; this repository only stores and reads rows,
/// always inside the caller's ``StoreTransaction``. Hashes travel as 32 raw bytes, entries as
/// their canonical UTF-8 bytes.
public enum AuditRecords {
    /// One stored entry, as ``forEachEntry(_:from:_:)`` and the range reads return it.
    public struct StoredEntry: Sendable {
        public let index: Int64
        /// The canonical entry text.
        public let entry: String
    }

    /// One signed checkpoint row.
    public struct StoredCheckpoint: Sendable {
        public let id: Int64
        public let treeSize: Int64
        public let rootHash: [UInt8]
        /// The signed note text.
        public let note: String
        /// Whether it was recorded as written to the checkpoint file.
        public let exported: Bool
    }

    // MARK: - Entries

    /// How many entries the log holds (the next leaf index): `max(leaf_index) + 1`, one B-tree lookup.
    public static func entryCount(_ tx: StoreTransaction) throws -> UInt64 {
        UInt64(max(try Int64.fetchOne(tx.db, sql: "SELECT max(leaf_index) + 1 FROM audit_entry") ?? 0, 0))
    }

    /// The newest entry's index and stored leaf hash, if any.
    public static func newestLeaf(_ tx: StoreTransaction) throws -> (index: Int64, leafHash: [UInt8])? {
        try Row.fetchOne(tx.db, sql: "SELECT leaf_index, leaf_hash FROM audit_entry ORDER BY leaf_index DESC LIMIT 1")
            .map { (index: $0[0], leafHash: [UInt8]($0[1] as Data)) }
    }

    /// The stored leaf hash of entry `index`, if there is one.
    public static func leafHash(_ tx: StoreTransaction, at index: Int64) throws -> [UInt8]? {
        try Data.fetchOne(tx.db, sql: "SELECT leaf_hash FROM audit_entry WHERE leaf_index = ?", arguments: [index]).map { [UInt8]($0) }
    }

    /// Calls `body` with every stored leaf hash below `size` (all when nil), in index order.
    /// `body` returns false to stop.
    public static func forEachLeafHash(_ tx: StoreTransaction, below size: Int64? = nil, _ body: (_ index: Int64, _ leafHash: [UInt8]) throws -> Bool) throws {
        let cursor = try Row.fetchCursor(tx.db, sql: "SELECT leaf_index, leaf_hash FROM audit_entry WHERE leaf_index < ? ORDER BY leaf_index",
                                         arguments: [size ?? Int64.max])
        while let row = try cursor.next() {
            guard try body(row[0], [UInt8](row[1] as Data)) else { return }
        }
    }

    /// Calls `body` with every entry from index `start` on, with its stored leaf hash, in index order.
    public static func forEachEntry(_ tx: StoreTransaction, from start: Int64, _ body: (_ index: Int64, _ entry: String, _ leafHash: [UInt8]) throws -> Void) throws {
        let cursor = try Row.fetchCursor(tx.db, sql: "SELECT leaf_index, entry, leaf_hash FROM audit_entry WHERE leaf_index >= ? ORDER BY leaf_index",
                                         arguments: [start])
        while let row = try cursor.next() { try body(row[0], row[1], [UInt8](row[2] as Data)) }
    }

    /// The entries recorded in `[from, until)` (UTC timestamps compare as text), in index order.
    public static func entries(_ tx: StoreTransaction, recordedFrom from: String, until: String) throws -> [StoredEntry] {
        try Row.fetchAll(tx.db, sql: "SELECT leaf_index, entry FROM audit_entry WHERE recorded_at >= ? AND recorded_at < ? ORDER BY leaf_index",
                         arguments: [from, until]).map { StoredEntry(index: $0[0], entry: $0[1]) }
    }

    /// The entries about file `fileID`, in index order.
    public static func entries(_ tx: StoreTransaction, fileID: String) throws -> [StoredEntry] {
        try Row.fetchAll(tx.db, sql: "SELECT leaf_index, entry FROM audit_entry WHERE file_id = ? ORDER BY leaf_index", arguments: [fileID])
            .map { StoredEntry(index: $0[0], entry: $0[1]) }
    }

    /// The entries with one of `actions`, in index order.
    public static func entries(_ tx: StoreTransaction, actions: [String]) throws -> [String] {
        guard !actions.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: actions.count).joined(separator: ", ")
        return try String.fetchAll(tx.db, sql: "SELECT entry FROM audit_entry WHERE action IN (\(marks)) ORDER BY leaf_index",
                                   arguments: StatementArguments(actions))
    }

    /// The newest entry with `action`, if any.
    public static func newestEntry(_ tx: StoreTransaction, action: String) throws -> String? {
        try String.fetchOne(tx.db, sql: "SELECT entry FROM audit_entry WHERE action = ? ORDER BY leaf_index DESC LIMIT 1", arguments: [action])
    }

    /// The first entry recorded at or after `time`, if any.
    public static func firstIndex(_ tx: StoreTransaction, recordedFrom time: String) throws -> Int64? {
        try Int64.fetchOne(tx.db, sql: "SELECT min(leaf_index) FROM audit_entry WHERE recorded_at >= ?", arguments: [time])
    }

    /// Appends entries one after another inside the caller's transaction (one prepared
    /// statement, bound column by column).
    public struct Appender {
        let insert: BulkStatement

        /// Stores entry `index`: its canonical bytes, its leaf hash and the lookup columns.
        public func append(index: Int64, entry: [UInt8], leafHash: [UInt8], recordedAt: String, action: String, fileID: String?) throws {
            try insert.insert(.int(index), .textBytes(entry), .blob(leafHash), .text(recordedAt), .text(action), .optional(fileID))
        }
    }

    /// An ``Appender`` for `tx`.
    public static func appender(_ tx: StoreTransaction) throws -> Appender {
        Appender(insert: try BulkStatement(tx.db, sql: "INSERT INTO audit_entry (leaf_index, entry, leaf_hash, recorded_at, action, file_id) VALUES (?, ?, ?, ?, ?, ?)"))
    }

    // MARK: - The stored right edge

    /// Stores the right edge of the tree of `size` leaves (its hashes, 32 bytes each, concatenated), unless stored already.
    public static func recordFrontier(_ tx: StoreTransaction, size: Int64, hashes: [UInt8]) throws {
        try tx.db.execute(sql: "INSERT OR IGNORE INTO audit_frontier (tree_size, hashes) VALUES (?, ?)", arguments: [size, Data(hashes)])
    }

    /// The stored right edge of the tree of `size` leaves, if any.
    public static func frontier(_ tx: StoreTransaction, size: Int64) throws -> [UInt8]? {
        try Data.fetchOne(tx.db, sql: "SELECT hashes FROM audit_frontier WHERE tree_size = ?", arguments: [size]).map { [UInt8]($0) }
    }

    // MARK: - Checkpoints

    /// Stores a signed checkpoint.
    public static func insertCheckpoint(_ tx: StoreTransaction, treeSize: Int64, rootHash: [UInt8], note: String, createdAt: String) throws {
        try tx.db.execute(sql: "INSERT INTO audit_checkpoint (tree_size, root_hash, note, created_at) VALUES (?, ?, ?, ?)",
                          arguments: [treeSize, Data(rootHash), note, createdAt])
    }

    /// The newest stored checkpoint's note, if any.
    public static func newestCheckpointNote(_ tx: StoreTransaction) throws -> String? {
        try String.fetchOne(tx.db, sql: "SELECT note FROM audit_checkpoint ORDER BY id DESC LIMIT 1")
    }

    /// The newest checkpoint of tree size `treeSize`, if any.
    public static func checkpointNote(_ tx: StoreTransaction, treeSize: Int64) throws -> String? {
        try String.fetchOne(tx.db, sql: "SELECT note FROM audit_checkpoint WHERE tree_size = ? ORDER BY id DESC LIMIT 1", arguments: [treeSize])
    }

    /// Every stored checkpoint, oldest first.
    public static func checkpoints(_ tx: StoreTransaction) throws -> [StoredCheckpoint] {
        try Row.fetchAll(tx.db, sql: """
            SELECT c.id, c.tree_size, c.root_hash, c.note, EXISTS (SELECT 1 FROM audit_checkpoint_export e WHERE e.checkpoint_id = c.id)
            FROM audit_checkpoint c ORDER BY c.id
            """).map { StoredCheckpoint(id: $0[0], treeSize: $0[1], rootHash: [UInt8]($0[2] as Data), note: $0[3], exported: $0[4]) }
    }

    /// The checkpoints not yet recorded as written to the checkpoint file, oldest first.
    public static func unexportedCheckpoints(_ tx: StoreTransaction) throws -> [(id: Int64, note: String)] {
        try Row.fetchAll(tx.db, sql: """
            SELECT c.id, c.note FROM audit_checkpoint c
            WHERE NOT EXISTS (SELECT 1 FROM audit_checkpoint_export e WHERE e.checkpoint_id = c.id) ORDER BY c.id
            """).map { (id: $0[0] as Int64, note: $0[1] as String) }
    }

    /// Records checkpoints as written to the checkpoint file.
    public static func markExported(_ tx: StoreTransaction, checkpointIDs: [Int64], at time: String) throws {
        for id in checkpointIDs {
            try tx.db.execute(sql: "INSERT OR IGNORE INTO audit_checkpoint_export (checkpoint_id, exported_at) VALUES (?, ?)", arguments: [id, time])
        }
    }

    // MARK: - Witnessed checkpoints

    /// Keeps a checkpoint a partner echoed back in file `fileSHA256` (once per file).
    public static func insertWitness(_ tx: StoreTransaction, partner: String, fileSHA256: String, treeSize: Int64, rootHash: [UInt8], note: String,
                                     receivedAt: String) throws {
        try tx.db.execute(sql: """
            INSERT OR IGNORE INTO audit_witness (partner, file_sha256, tree_size, root_hash, note, received_at) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [partner, fileSHA256, treeSize, Data(rootHash), note, receivedAt])
    }

    /// Every witnessed checkpoint (partner and note), smallest tree first.
    public static func witnesses(_ tx: StoreTransaction) throws -> [(partner: String, note: String)] {
        try Row.fetchAll(tx.db, sql: "SELECT partner, note FROM audit_witness ORDER BY tree_size").map { (partner: $0[0] as String, note: $0[1] as String) }
    }

    /// The witnessed checkpoint of the largest tree, if any.
    public static func newestWitness(_ tx: StoreTransaction) throws -> (partner: String, note: String)? {
        try Row.fetchOne(tx.db, sql: "SELECT partner, note FROM audit_witness ORDER BY tree_size DESC LIMIT 1").map { (partner: $0[0] as String, note: $0[1] as String) }
    }

    // MARK: - Retention

    /// The index below which entries are pruned (0 when none is).
    public static func prunedBelow(_ tx: StoreTransaction) throws -> Int64 {
        try Int64.fetchOne(tx.db, sql: "SELECT max(leaf_index) + 1 FROM audit_pruned") ?? 0
    }

    /// Every pruned entry's index, in order.
    public static func prunedIndexes(_ tx: StoreTransaction) throws -> [Int64] {
        try Int64.fetchAll(tx.db, sql: "SELECT leaf_index FROM audit_pruned ORDER BY leaf_index")
    }

    /// Prunes entries `[from, below)`: lists them as pruned at `time`, and cuts each entry to
    /// its head (`{"v":1,"seq":N,"prev":"<64 hex>"`, 87 bytes plus the digits of N) followed
    /// by `suffix`; their file ids go.
    public static func prune(_ tx: StoreTransaction, from: Int64, below: Int64, at time: String, suffix: String) throws {
        try tx.db.execute(sql: "INSERT INTO audit_pruned (leaf_index, pruned_at) SELECT leaf_index, ? FROM audit_entry WHERE leaf_index >= ? AND leaf_index < ?",
                          arguments: [time, from, below])
        try tx.db.execute(sql: """
            UPDATE audit_entry SET entry = substr(entry, 1, 87 + length(leaf_index)) || ?, file_id = NULL
            WHERE leaf_index >= ? AND leaf_index < ?
            """, arguments: [suffix, from, below])
    }
}

/// Audit entries read in chunks for a scan of the whole log: the rows' bytes copied out of
/// SQLite one after another, with where each ends.
public struct AuditEntryChunk: Sendable {
    /// Every row's canonical entry bytes, one after another.
    public var bytes: [UInt8] = []
    /// Where each row's bytes end in ``bytes``.
    public var ends: [Int] = []
    /// Each row's leaf index.
    public var indexes: [Int64] = []
    /// Each row's stored leaf hash, 32 bytes a row (zeros where ``storedValid`` is false).
    public var storedHashes: [UInt8] = []
    /// Whether each row's stored leaf hash has 32 bytes.
    public var storedValid: [Bool] = []
    /// The lookup columns (`recorded_at`, `action`, `file_id`) of every row, one after another.
    public var columns: [UInt8] = []
    /// Where each lookup column ends in ``columns`` (three per row).
    public var columnEnds: [Int] = []
    /// Whether each lookup column is SQL NULL (three per row).
    public var columnNull: [Bool] = []

    public init() {}

    /// The rows in the chunk.
    public var count: Int { ends.count }

    /// Where row `row`'s entry bytes lie in ``bytes``.
    public func range(_ row: Int) -> Range<Int> { (row == 0 ? 0 : ends[row - 1])..<ends[row] }

    /// Row `row`'s stored leaf hash, or nil when the stored value does not have 32 bytes.
    public func stored(_ row: Int) -> ArraySlice<UInt8>? { storedValid[row] ? storedHashes[row * 32 ..< row * 32 + 32] : nil }

    /// Where lookup column `column` (0 `recorded_at`, 1 `action`, 2 `file_id`) of `row` lies in ``columns``, or nil for NULL.
    public func column(_ column: Int, row: Int) -> Range<Int>? {
        let slot = row * 3 + column
        guard !columnNull[slot] else { return nil }
        return (slot == 0 ? 0 : columnEnds[slot - 1])..<columnEnds[slot]
    }
}

extension AuditRecords {
    /// Reads every entry below `limit` (all when nil) in index order, in chunks of up to
    /// `chunkSize` rows handed to `body`.
    public static func scanEntries(_ tx: StoreTransaction, below limit: UInt64? = nil, chunkSize: Int = 4096,
                                   _ body: (AuditEntryChunk) throws -> Void) throws {
        let sql = "SELECT leaf_index, entry, leaf_hash, recorded_at, action, file_id FROM audit_entry"
            + (limit.map { " WHERE leaf_index < \(min($0, UInt64(Int64.max)))" } ?? "") + " ORDER BY leaf_index"
        let rows = try RawStatement(tx.db, sql: sql)
        while true {
            var chunk = AuditEntryChunk()
            chunk.bytes.reserveCapacity(chunkSize * 400)
            while chunk.count < chunkSize, try rows.next() {
                rows.appendBytes(1, to: &chunk.bytes)
                chunk.ends.append(chunk.bytes.count)
                chunk.indexes.append(rows.int64(0))
                let storedValid = rows.byteCount(2) == 32
                if storedValid { rows.appendBytes(2, to: &chunk.storedHashes) } else { chunk.storedHashes.append(contentsOf: repeatElement(0, count: 32)) }
                chunk.storedValid.append(storedValid)
                for column in Int32(3)...5 {
                    let isNull = rows.isNull(column)
                    if !isNull { rows.appendBytes(column, to: &chunk.columns) }
                    chunk.columnEnds.append(chunk.columns.count)
                    chunk.columnNull.append(isNull)
                }
            }
            if chunk.count == 0 { return }
            try body(chunk)
        }
    }
}
