import GRDB

/// One prepared statement (an INSERT, an UPDATE) run row after row, bound column by column
/// through ``SQLiteCalls``.
///
/// For the hundreds of thousands of rows an inbound file can write in its transaction,
/// GRDB's `StatementArguments` (an array of `DatabaseValue` per row) cost several times
/// the insert itself. Text is bound as transient (SQLite copies it).
struct BulkStatement {
    private let calls: SQLiteCalls

    /// Prepares (and caches) `sql` in `db`.
    init(_ db: Database, sql: String) throws {
        calls = SQLiteCalls(try db.cachedStatement(sql: sql), in: db)
    }

    /// Binds the values of one row (1-based columns in order) and runs the statement.
    /// - Throws: `DatabaseError` from SQLite (a constraint, a full disk).
    public func insert(_ values: BulkValue...) throws {
        calls.reset()
        for (index, value) in values.enumerated() { calls.bind(value, at: Int32(index + 1)) }
        let code = calls.step()
        calls.reset()
        guard code == SQLiteCalls.done else { throw calls.failure(code) }
    }
}

/// One column value for ``BulkStatement`` and ``BulkInsert``.
enum BulkValue {
    case int(Int64)
    case text(String)
    case blob([UInt8])
    /// Text given as its UTF-8 bytes.
    case textBytes([UInt8])
    case null

    /// Text, or NULL when nil.
    public static func optional(_ s: String?) -> BulkValue { s.map { .text($0) } ?? .null }
}
