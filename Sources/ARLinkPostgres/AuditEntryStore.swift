public import ARLinkStore
import Foundation
import PostgresNIO

/// One audit entry as stored: its leaf index, canonical bytes, leaf hash and lookup columns.
public struct AuditEntryRow: Sendable, Equatable {
    public let index: Int64
    /// The entry's canonical UTF-8 bytes (the Merkle leaf input).
    public let entry: [UInt8]
    public let leafHash: [UInt8]
    public let recordedAt: String
    public let action: String
    public let fileID: String?

    public init(index: Int64, entry: [UInt8], leafHash: [UInt8], recordedAt: String, action: String, fileID: String?) {
        self.index = index
        self.entry = entry
        self.leafHash = leafHash
        self.recordedAt = recordedAt
        self.action = action
        self.fileID = fileID
    }
}

/// The audit log's entries behind one interface, implemented for SQLite (``SQLiteAuditEntryStore``,
/// over ``ARLinkStore/AuditRecords``) and PostgreSQL (``PostgresAuditEntryStore``): append a batch
/// in one transaction, read a range, the head of the log. The first repository with both faces;
/// the others follow the same shape (docs/postgresql.md).
public protocol AuditEntryStore {
    /// Appends `rows` in one transaction: all of them or none.
    func append(_ rows: [AuditEntryRow]) throws
    /// The entries with `start <= index < end`, in index order: index, canonical text, leaf hash.
    func entries(from start: Int64, below end: Int64) throws -> [(index: Int64, entry: String, leafHash: [UInt8])]
    /// How many entries the log holds (the next index), and the newest one's index and leaf hash.
    func head() throws -> (count: UInt64, newest: (index: Int64, leafHash: [UInt8])?)
}

/// ``AuditEntryStore`` on the SQLite state store.
public struct SQLiteAuditEntryStore: AuditEntryStore {
    public let store: StateStore

    public init(_ store: StateStore) { self.store = store }

    public func append(_ rows: [AuditEntryRow]) throws {
        try store.write { tx in
            let appender = try AuditRecords.appender(tx)
            for row in rows {
                try appender.append(index: row.index, entry: row.entry, leafHash: row.leafHash, recordedAt: row.recordedAt,
                                    action: row.action, fileID: row.fileID)
            }
        }
    }

    public func entries(from start: Int64, below end: Int64) throws -> [(index: Int64, entry: String, leafHash: [UInt8])] {
        try store.read { tx in
            var result: [(index: Int64, entry: String, leafHash: [UInt8])] = []
            try AuditRecords.forEachEntry(tx, from: start) { index, entry, leafHash in
                if index < end { result.append((index, entry, leafHash)) }
            }
            return result
        }
    }

    public func head() throws -> (count: UInt64, newest: (index: Int64, leafHash: [UInt8])?) {
        try store.read { tx in (try AuditRecords.entryCount(tx), try AuditRecords.newestLeaf(tx)) }
    }
}

/// ``AuditEntryStore`` on PostgreSQL. With an `epoch`, every append is fenced
/// (``BlockingPostgresConnection/fenced(epoch:)``): an instance that is no longer the leader
/// appends nothing.
public struct PostgresAuditEntryStore: AuditEntryStore {
    public let connection: BlockingPostgresConnection
    public let epoch: Int64?

    public init(_ connection: BlockingPostgresConnection, epoch: Int64? = nil) {
        self.connection = connection
        self.epoch = epoch
    }

    public func append(_ rows: [AuditEntryRow]) throws {
        try connection.transaction {
            if let epoch { try connection.fenced(epoch: epoch) }
            for row in rows {
                let entry = String(decoding: row.entry, as: UTF8.self)
                let hash = ByteBuffer(bytes: row.leafHash)
                try connection.query("""
                    INSERT INTO audit_entry (leaf_index, entry, leaf_hash, recorded_at, action, file_id)
                    VALUES (\(row.index), \(entry), \(hash), \(row.recordedAt), \(row.action), \(row.fileID))
                    """, what: "appending audit entry \(row.index)")
            }
        }
    }

    public func entries(from start: Int64, below end: Int64) throws -> [(index: Int64, entry: String, leafHash: [UInt8])] {
        try connection.query("""
            SELECT leaf_index, entry, leaf_hash FROM audit_entry WHERE leaf_index >= \(start) AND leaf_index < \(end) ORDER BY leaf_index
            """, what: "reading audit entries \(start)..<\(end)").map { row in
            let (index, entry, hash) = try row.decode((Int64, String, ByteBuffer).self)
            return (index, entry, Array(hash.readableBytesView))
        }
    }

    public func head() throws -> (count: UInt64, newest: (index: Int64, leafHash: [UInt8])?) {
        let rows = try connection.query("SELECT leaf_index, leaf_hash FROM audit_entry ORDER BY leaf_index DESC LIMIT 1",
                                        what: "reading the audit log's head")
        guard let row = rows.first else { return (0, nil) }
        let (index, hash) = try row.decode((Int64, ByteBuffer).self)
        return (UInt64(index + 1), (index, Array(hash.readableBytesView)))
    }
}
