public import GRDB
import Foundation
public import ARLinkCore

/// Reads and writes the inbound tables inside a caller's transaction: claimed files, events,
/// rejections, payment allocations, promises and the ERP update outbox.
public enum InboundLedger {
    // MARK: - Files

    /// The latest reception of these bytes, if any (a quarantined file may be received again).
    public static func file(_ tx: StoreTransaction, partner: String, sha256: String) throws -> InboundFileRecord? {
        let db = tx.db
        return try Row.fetchOne(db, sql: "SELECT * FROM inbound_file WHERE partner = ? AND sha256 = ? ORDER BY attempt DESC LIMIT 1",
                         arguments: [partner, sha256]).map(decode)
    }

    /// The applied file with this `file_id`, if any.
    public static func appliedFile(_ tx: StoreTransaction, partner: String, fileID: String) throws -> InboundFileRecord? {
        let db = tx.db
        return try Row.fetchOne(db, sql: "SELECT * FROM inbound_file WHERE partner = ? AND file_id = ? AND state = 'applied'", arguments: [partner, fileID]).map(decode)
    }

    /// The applied file with the highest sequence number.
    public static func lastApplied(_ tx: StoreTransaction, partner: String) throws -> InboundFileRecord? {
        let db = tx.db
        return try Row.fetchOne(db, sql: "SELECT * FROM inbound_file WHERE partner = ? AND state = 'applied' ORDER BY sequence DESC LIMIT 1", arguments: [partner]).map(decode)
    }

    /// Files whose receipt, archiving or remote move is still to do: those with receipts in
    /// receipt order (each receipt chains to the one before), then the others, oldest first.
    public static func unfinished(_ tx: StoreTransaction, partner: String) throws -> [InboundFileRecord] {
        let db = tx.db
        return try Row.fetchAll(db, sql: """
            SELECT * FROM inbound_file WHERE partner = ? AND finished = 0
            ORDER BY receipt_sequence IS NULL, receipt_sequence, received_at, sequence
            """, arguments: [partner]).map(decode)
    }

    /// The plaintext SHA-256 of receipt number `sequence` to `partner`, when it was sealed.
    public static func receiptPlaintextSHA256(_ tx: StoreTransaction, partner: String, sequence: Int) throws -> String? {
        let db = tx.db
        return try String.fetchOne(db, sql: "SELECT receipt_plaintext_sha256 FROM inbound_file WHERE partner = ? AND receipt_sequence = ?",
                            arguments: [partner, sequence])
    }

    /// Records the plaintext SHA-256 of a sealed receipt.
    public static func recordReceiptSealed(_ tx: StoreTransaction, partner: String, sequence: Int, plaintextSHA256: String) throws {
        let db = tx.db
        try db.execute(sql: "UPDATE inbound_file SET receipt_plaintext_sha256 = ? WHERE partner = ? AND receipt_sequence = ?",
                       arguments: [plaintextSHA256, partner, sequence])
    }

    /// All files of `partner` (reports and tests).
    public static func files(_ tx: StoreTransaction, partner: String) throws -> [InboundFileRecord] {
        let db = tx.db
        return try Row.fetchAll(db, sql: "SELECT * FROM inbound_file WHERE partner = ? ORDER BY received_at, sequence", arguments: [partner]).map(decode)
    }

    /// Records a claimed file, as the next reception of its bytes.
    public static func insert(_ tx: StoreTransaction, _ f: InboundFileRecord) throws {
        let db = tx.db
        try db.execute(sql: """
            INSERT INTO inbound_file (partner, sha256, attempt, file_name, file_id, sequence, state, plaintext_sha256, error_code,
                events_accepted, events_rejected, receipt_name, receipt_file_id, receipt_sequence, received_at, finished)
            VALUES (?1, ?2, (SELECT COALESCE(MAX(attempt), 0) + 1 FROM inbound_file WHERE partner = ?1 AND sha256 = ?2),
                    ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
            """, arguments: [f.partner, f.sha256, f.fileName, f.fileID, f.sequence, f.state.rawValue, f.plaintextSHA256, f.errorCode,
                             f.eventsAccepted, f.eventsRejected, f.receiptName, f.receiptFileID, f.receiptSequence, f.receivedAt,
                             f.finished ? 1 : 0])
    }

    /// Marks a file's unfinished reception finished (receipt delivered, archived, remote moved).
    public static func markFinished(_ tx: StoreTransaction, partner: String, sha256: String) throws {
        let db = tx.db
        try db.execute(sql: "UPDATE inbound_file SET finished = 1 WHERE partner = ? AND sha256 = ? AND finished = 0", arguments: [partner, sha256])
    }

    /// The next sequence number of our receipts to `partner`.
    public static func nextReceiptSequence(_ tx: StoreTransaction, partner: String) throws -> Int {
        let db = tx.db
        return (try Int.fetchOne(db, sql: "SELECT MAX(receipt_sequence) FROM inbound_file WHERE partner = ?", arguments: [partner]) ?? 0) + 1
    }

    // MARK: - Events

    /// The keys among `sorted` (ascending) that earlier files of `partner` received on or
    /// after `since` already brought (all earlier files when nil). Only the blobs of those
    /// days are read (an index by partner and day), so older history costs nothing.
    public static func knownEventKeys(_ tx: StoreTransaction, partner: String, since: LocalDate? = nil, sorted: [EventKey]) throws -> Set<EventKey> {
        let db = tx.db
        var found: Set<EventKey> = []
        guard !sorted.isEmpty else { return found }
        let cursor = try Row.fetchCursor(db, sql: "SELECT keys FROM inbound_event_keys WHERE partner = ? AND received_on >= ?",
                                         arguments: [partner, since?.iso ?? ""])
        while let row = try cursor.next() {
            let keys: Data = row[0] ?? Data()
            EventKey.common(sorted, stored: keys.span, into: &found)
        }
        return found
    }

    /// Records the keys of every event id a file received on `receivedOn` brought (sorted
    /// ascending), in blobs of at most 16 Ki keys (256 KiB: larger blobs are fresh memory
    /// mappings in SQLite, faulted in page by page).
    public static func recordEventKeys(_ tx: StoreTransaction, partner: String, fileSHA256: String, receivedOn: LocalDate, sorted: [EventKey]) throws {
        let db = tx.db
        let insert = try BulkStatement(db, sql: "INSERT INTO inbound_event_keys (partner, file_sha256, chunk, key_count, keys, received_on) VALUES (?, ?, ?, ?, ?, ?)")
        let day = BulkValue.text(receivedOn.iso)
        let chunk = 1 << 14
        var start = 0
        var index: Int64 = 0
        while start < sorted.count {
            let end = min(sorted.count, start + chunk)
            try insert.insert(.text(partner), .text(fileSHA256), .int(index), .int(Int64(end - start)), .blob(EventKey.encode(sorted[start..<end])), day)
            start = end
            index += 1
        }
    }

    /// How many distinct event ids are recorded (for `partner`, or all partners).
    public static func eventCount(_ tx: StoreTransaction, partner: String? = nil) throws -> Int {
        let db = tx.db
        if let partner {
            return try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(key_count), 0) FROM inbound_event_keys WHERE partner = ?", arguments: [partner]) ?? 0
        }
        return try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(key_count), 0) FROM inbound_event_keys") ?? 0
    }

    /// Records accepted and rejected events per type of one file.
    public static func recordCounts(_ tx: StoreTransaction, partner: String, fileSHA256: String, counts: [String: (accepted: Int, rejected: Int)]) throws {
        let db = tx.db
        for (type, count) in counts {
            try db.execute(sql: "INSERT INTO inbound_file_count (partner, file_sha256, type, accepted, rejected) VALUES (?, ?, ?, ?, ?)",
                           arguments: [partner, fileSHA256, type, count.accepted, count.rejected])
        }
    }

    /// Records one rejected event of a file (for the receipt and the report).
    public static func insertRejection(_ tx: StoreTransaction, partner: String, fileSHA256: String, line: Int, eventID: String, reason: String) throws {
        let db = tx.db
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO inbound_rejection (partner, file_sha256, line, event_id, reason) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [partner, fileSHA256, line, eventID, reason])
    }

    /// The rejected events of a file, in file order.
    public static func rejections(_ tx: StoreTransaction, partner: String, fileSHA256: String) throws -> [(eventID: String, reason: String)] {
        let db = tx.db
        return try Row.fetchAll(db, sql: "SELECT event_id, reason FROM inbound_rejection WHERE partner = ? AND file_sha256 = ? ORDER BY line",
                         arguments: [partner, fileSHA256]).map { ($0[0], $0[1]) }
    }

    /// Accepted events per type for `partner` (tests and reports).
    public static func acceptedCounts(_ tx: StoreTransaction, partner: String) throws -> [String: Int] {
        let db = tx.db
        var out: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT type, SUM(accepted) FROM inbound_file_count WHERE partner = ? GROUP BY type HAVING SUM(accepted) > 0",
                                    arguments: [partner]) {
            out[row[0]] = row[1]
        }
        return out
    }

    static func decode(_ row: Row) -> InboundFileRecord {
        InboundFileRecord(
            partner: row["partner"], sha256: row["sha256"], fileName: row["file_name"], fileID: row["file_id"], sequence: row["sequence"],
            state: InboundFileRecord.State(rawValue: row["state"]) ?? .quarantined, plaintextSHA256: row["plaintext_sha256"],
            errorCode: row["error_code"], eventsAccepted: row["events_accepted"], eventsRejected: row["events_rejected"],
            receiptName: row["receipt_name"], receiptFileID: row["receipt_file_id"], receiptSequence: row["receipt_sequence"],
            receivedAt: row["received_at"], finished: (row["finished"] as Int) != 0, receiptPlaintextSHA256: row["receipt_plaintext_sha256"])
    }
}
