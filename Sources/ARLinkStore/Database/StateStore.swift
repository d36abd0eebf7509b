public import GRDB
import ARLinkCore
import Foundation

/// arlink's SQLite state: placement ledger, processed files and events, sequence numbers
/// and the audit tables, in one database file.
///
/// Opened in WAL mode with `synchronous=FULL`, so a committed transaction survives a crash
/// or power loss. Every state change and the audit entries describing it are written in one
/// transaction through ``write(_:)``.
public final class StateStore: Sendable {
    /// The underlying GRDB queue. Jobs use ``read(_:)`` and ``write(_:)``; the queue is exposed
    /// for modules (audit, inbound) that register their own tables.
    public let queue: DatabaseQueue
    public let path: String

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    /// - Throws: ``StoreError`` with code `.open` when the file cannot be opened or migrated.
    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // Statement journals (one per upsert inside a large transaction) in memory, not in a
            // temporary file: a batch of 92,000 accounts wrote 250,000 pages to one otherwise.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        config.busyMode = .timeout(10)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            try queue.writeWithoutTransaction { db in
                // A new database gets 16 KiB pages (an existing one keeps its size: the pragma
                // only acts before the first table). arlink writes in large batches (a million
                // event keys, 250,000 payments, a portfolio's placements in one transaction):
                // the inbound benchmark's payments, key blobs and checkpoint took 0.03 s less.
                try db.execute(sql: "PRAGMA page_size = 16384")
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            }
            try StoreMigrations.migrator().migrate(queue)
            self.queue = queue
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where Self.isStorageFault(error) {
            throw Self.storageFault(error, path: path)
        } catch {
            throw StoreError(.open, "cannot open state database \(path): \(error)", underlying: error)
        }
    }

    /// Copies the whole database, as of one consistent moment, into a new database at `path`
    /// (SQLite's online backup), for a dry run to work on.
    /// - Throws: ``StoreError`` `.open` when the copy cannot be created, `.storage` (exit 75)
    ///   when the disk is full or failing.
    public func copy(to path: String) throws {
        do {
            let target = try DatabaseQueue(path: path)
            try queue.backup(to: target)
            try target.close()
        } catch let error as DatabaseError where Self.isStorageFault(error) {
            throw Self.storageFault(error, path: path)
        } catch {
            throw StoreError(.open, "cannot copy the state database to \(path): \(error)", underlying: error)
        }
    }

    /// Runs `body` in one write transaction; everything it writes commits together or not at all.
    /// - Throws: what `body` throws; ``StoreError`` `.storage` (exit 75) when the disk is full
    ///   or failing (the transaction is rolled back).
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.write(body)
        } catch let error as DatabaseError where Self.isStorageFault(error) {
            throw Self.storageFault(error, path: path)
        }
    }

    /// SQLite could not write or read its files: the disk is full or failing.
    static func isStorageFault(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_FULL || error.resultCode == .SQLITE_IOERR
    }

    /// The error for a full or failing disk under the database (no SQL, no arguments).
    static func storageFault(_ error: DatabaseError, path: String) -> StoreError {
        let what = error.resultCode == .SQLITE_FULL
            ? "the disk is full (SQLITE_FULL); temporary failure: free space, the next run finishes"
            : "an input/output error (SQLITE_IOERR); temporary failure: check the disk, the next run finishes"
        return StoreError(.storage, "cannot write the state database \(path): \(what)", underlying: error)
    }

    /// Stops checkpointing at commit on the store's connection: the caller copies the log into
    /// the database file itself with ``checkpointSeparately()`` (on another thread, while it goes
    /// on) and calls ``resumeCheckpoints()`` when done. By default SQLite checkpoints on the
    /// committing connection right after a commit whose log passed 1,000 pages: after an inbound
    /// file's transaction (31 MB of log per million events) that copy and its fsync held the
    /// job up for 0.06 s before it could export the file's updates.
    public func deferCheckpoints() throws {
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
    }

    /// Checkpointing at commit again (SQLite's default: when the log passed 1,000 pages).
    public func resumeCheckpoints() throws {
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 1000") }
    }

    /// Copies the log into the database file on a connection of its own (a passive checkpoint:
    /// it never blocks the store's own writes), so that it can run on another thread while the
    /// store's connection goes on. A failure only leaves the log longer: what it holds was
    /// fsynced at commit.
    public func checkpointSeparately() throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        try connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        try connection.close()
    }

    /// A read-only connection of its own, for a lookup on another thread while the store's
    /// connection is in a write transaction: it sees what was committed before that
    /// transaction, nothing of it (WAL).
    public func readOnlyConnection() throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Runs `body` with read access.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.read(body)
        } catch let error as DatabaseError where Self.isStorageFault(error) {
            throw Self.storageFault(error, path: path)
        }
    }
}
