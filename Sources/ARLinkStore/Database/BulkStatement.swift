import GRDB
import GRDBSQLite

/// One prepared statement (an INSERT, an UPDATE) run row after row, bound column by column
/// through the SQLite C API.
///
/// For the hundreds of thousands of rows an inbound file can write in its transaction,
/// GRDB's `StatementArguments` (an array of `DatabaseValue` per row) cost several times
/// the insert itself. Text is bound as transient (SQLite copies it).
struct BulkStatement {
    let statement: Statement
    let database: Database

    /// Prepares (and caches) `sql` in `db`.
    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        database = db
    }

    /// Binds the values of one row (1-based columns in order) and runs the statement.
    /// - Throws: `DatabaseError` from SQLite (a constraint, a full disk).
    public func insert(_ values: BulkValue...) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        for (index, value) in values.enumerated() { value.bind(handle, Int32(index + 1)) }
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(database.sqliteConnection)),
                                sql: statement.sql)
        }
    }

    /// SQLITE_TRANSIENT: SQLite copies the bytes before `bind` returns.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// One column value for ``BulkStatement``.
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

extension BulkValue {
    /// Binds the value to parameter `index` (1-based) of `handle`; text and blobs are copied by SQLite.
    func bind(_ handle: OpaquePointer?, _ index: Int32) {
        switch self {
        case .int(let n): sqlite3_bind_int64(handle, index, n)
        case .text(let s):
            var text = s
            text.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    if let base = chars.baseAddress, chars.count > 0 {
                        _ = sqlite3_bind_text(handle, index, base, Int32(chars.count), BulkStatement.transient)
                    } else {
                        _ = sqlite3_bind_text(handle, index, "", 0, BulkStatement.transient)
                    }
                }
            }
        case .null: sqlite3_bind_null(handle, index)
        case .textBytes(let bytes):
            bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress, raw.count > 0 {
                    _ = sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(raw.count), BulkStatement.transient)
                } else {
                    _ = sqlite3_bind_text(handle, index, "", 0, BulkStatement.transient)
                }
            }
        case .blob(let bytes):
            bytes.withUnsafeBytes { raw in
                _ = sqlite3_bind_blob(handle, index, raw.baseAddress, Int32(raw.count), BulkStatement.transient)
            }
        }
    }
}
