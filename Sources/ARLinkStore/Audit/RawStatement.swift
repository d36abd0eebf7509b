import GRDB
import GRDBSQLite

/// A prepared SQLite statement driven through the C API, for the audit log's scan of every
/// entry (verification, proofs, exports), where GRDB's row objects cost more than SQLite itself.
///
/// Prepared on the connection of a `Database` that the caller holds inside a GRDB
/// transaction or read; finalized in `deinit`. Never escapes that closure.
final class RawStatement {
    private let statement: OpaquePointer
    private let connection: OpaquePointer
    private let sql: String

    /// `SQLITE_TRANSIENT`: SQLite copies bound bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else { throw StoreError(.corrupt, "the database connection is closed") }
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(connection, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw StoreError(.corrupt, "cannot prepare \(sql): \(String(cString: sqlite3_errmsg(connection)))")
        }
        self.statement = statement
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(statement) }

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(statement, index, value)
    }

    func bindText(_ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_text(statement, index, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
    }

    func bindText(_ index: Int32, _ text: String?) {
        guard var text else {
            sqlite3_bind_null(statement, index)
            return
        }
        text.withUTF8 { bindText(index, UnsafeRawBufferPointer($0)) }
    }

    func bindBlob(_ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_blob(statement, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
    }

    /// Runs a statement that returns no rows, then resets it for the next bindings.
    func execute() throws {
        let code = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard code == SQLITE_DONE else { throw failure(code) }
    }

    /// Steps to the next row; `false` at the end, and from then on (stepping a finished
    /// statement again would restart the query).
    func next() throws -> Bool {
        guard !finished else { return false }
        let code = sqlite3_step(statement)
        if code == SQLITE_ROW { return true }
        finished = true
        if code == SQLITE_DONE { return false }
        throw failure(code)
    }

    private var finished = false

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    /// The bytes of a text or blob column, valid until the next step.
    func bytes(_ column: Int32) -> UnsafeRawBufferPointer {
        let pointer = sqlite3_column_blob(statement, column)
        let count = Int(sqlite3_column_bytes(statement, column))
        return UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : count)
    }

    private func failure(_ code: Int32) -> StoreError {
        StoreError(.corrupt, "SQLite error \(code) running \(sql): \(String(cString: sqlite3_errmsg(connection)))")
    }
}
