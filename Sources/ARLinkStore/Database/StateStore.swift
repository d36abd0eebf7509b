import ARLinkCore
import Foundation
public import GRDB

/// arlink's state: placement ledger, processed files and events, sequence numbers, the ERP
/// update outbox and the audit tables, in one SQLite database file (the embedded backend).
///
/// Opened as a GRDB `DatabasePool`: one writer and concurrent readers in WAL mode, with
/// `synchronous=FULL`, so a committed transaction survives a crash or power loss and a read
/// on another thread sees what was committed before the writer's open transaction. Every
/// state change and the audit entries describing it are written in one transaction through
/// ``write(_:)``; the repositories take the ``StoreTransaction`` it hands over.
///
/// The path `:memory:` opens a private in-memory database on one connection (a GRDB
/// `DatabaseQueue`), for a run context that has no state yet: there a read waits for a write.
public final class StateStore: Sendable {
    let pool: any DatabaseWriter
    public let path: String

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    /// - Throws: ``StoreError`` with code `.open` when the file cannot be opened or migrated,
    ///   `.storage` (exit 75) when the disk is full or failing.
    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // Statement journals (one per upsert inside a large transaction) in memory, not
            // in a temporary file.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // A new database gets 16 KiB pages, for the large batches arlink writes (an
            // existing one keeps its size: the pragma only acts before the first table).
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA page_size = 16384") }
        }
        config.busyMode = .timeout(10)
        do {
            let pool: any DatabaseWriter = path == ":memory:"
                ? try DatabaseQueue(configuration: config) : try DatabasePool(path: path, configuration: config)
            try StoreMigrations.migrator().migrate(pool)
            self.pool = pool
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
            try pool.backup(to: target)
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
    public func write<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        do {
            return try pool.write { db in try body(StoreTransaction(db)) }
        } catch let error as DatabaseError where Self.isStorageFault(error) {
            throw Self.storageFault(error, path: path)
        }
    }

    /// Runs `body` with read access to one consistent snapshot: what was committed when it
    /// started. Safe from any thread, also while another thread is inside ``write(_:)`` (it
    /// then sees nothing of that open transaction).
    public func read<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        do {
            return try pool.read { db in try body(StoreTransaction(db)) }
        } catch let error as DatabaseError where Self.isStorageFault(error) {
            throw Self.storageFault(error, path: path)
        }
    }

    /// Closes the connections; the store is unusable afterwards.
    public func close() throws { try pool.close() }

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
}

extension StateStore {
    /// The GRDB pool, for tests of the SQLite layout (they inspect and damage tables).
    @_spi(SQLiteLayout) public var sqlite: any DatabaseWriter { pool }
}
