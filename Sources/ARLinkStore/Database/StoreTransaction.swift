public import GRDB

/// One transaction (from ``StateStore/write(_:)``) or one consistent read (from
/// ``StateStore/read(_:)``) on the state store, handed to the repositories
/// (``PlacementLedger``, ``InboundLedger``, ``AuditRecords``, ``KPIFacts``, ``PrivacyLedger``).
///
/// Everything a job does through one transaction commits together or not at all. The value
/// is only valid inside the closure that received it: repositories use it, nobody keeps it.
/// The SQL behind it is the SQLite implementation's business (GRDB); no caller sees it.
public struct StoreTransaction {
    /// The SQLite connection, inside GRDB's transaction or read.
    let db: Database

    init(_ db: Database) { self.db = db }
}

extension StoreTransaction {
    /// The connection, for tests of the SQLite layout (they inspect and damage tables).
    @_spi(SQLiteLayout) public var sqlite: Database { db }
}
