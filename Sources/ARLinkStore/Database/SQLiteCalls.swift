import GRDB
import GRDBSQLite

/// The one place in ARLinkStore that calls the SQLite C API directly; everything else goes
/// through GRDB. Binds, steps and reads a statement that GRDB prepared and owns (finalized
/// with it), where GRDB's per-row values cost more than SQLite itself: the bulk inserts of
/// an inbound file and the audit log's scan of every entry.
///
/// Used only inside the caller's GRDB transaction or read, on that connection's thread; it
/// never outlives the ``Statement`` it was made from (it holds it).
@safe struct SQLiteCalls {
    private let statement: Statement
    private let database: Database

    init(_ statement: Statement, in database: Database) {
        self.statement = statement
        self.database = database
    }

    /// `SQLITE_TRANSIENT`: SQLite copies bound bytes before the call returns.
    private static var transient: sqlite3_destructor_type { unsafe unsafeBitCast(-1, to: sqlite3_destructor_type.self) }

    // MARK: - Binding (1-based parameters)

    /// Binds `value` to parameter `index`; text and blobs are copied by SQLite.
    func bind(_ value: BulkValue, at index: Int32) {
        let handle = unsafe statement.sqliteStatement
        switch value {
        case .int(let n): _ = unsafe sqlite3_bind_int64(handle, index, n)
        case .null: _ = unsafe sqlite3_bind_null(handle, index)
        case .text(let text): _ = unsafe sqlite3_bind_text(handle, index, text, Int32(text.utf8.count), Self.transient)
        case .blob(let bytes): _ = unsafe sqlite3_bind_blob(handle, index, bytes, Int32(bytes.count), Self.transient)
        case .textBytes(let bytes):
            unsafe bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress, raw.count > 0 {
                    _ = unsafe sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(raw.count), Self.transient)
                } else {
                    _ = unsafe sqlite3_bind_text(handle, index, "", 0, Self.transient)
                }
            }
        }
    }

    /// Binds `values` to parameters 1... in order, runs the statement once and clears it.
    ///
    /// Text and blobs are first copied into `arena` (grown as needed) and bound in place
    /// (`SQLITE_STATIC`): no allocation per value. The bindings are cleared before the arena
    /// can change.
    /// - Returns: the result code of `sqlite3_step`.
    func run(_ values: [BulkValue], arena: inout [UInt8]) -> Int32 {
        let handle = unsafe statement.sqliteStatement
        _ = unsafe sqlite3_reset(handle)
        var size = 0
        for value in values {
            switch value {
            case .text(let s): size += s.utf8.count + 1
            case .blob(let b), .textBytes(let b): size += b.count + 1
            case .int, .null: break
            }
        }
        if arena.count < size { arena = [UInt8](repeating: 0, count: max(size, arena.count * 2)) }
        return unsafe arena.withUnsafeMutableBytes { space in
            var at = 0
            for (index, value) in values.enumerated() {
                let parameter = Int32(index + 1)
                switch value {
                case .int(let n): _ = unsafe sqlite3_bind_int64(handle, parameter, n)
                case .null: _ = unsafe sqlite3_bind_null(handle, parameter)
                case .text(let text):
                    let count = text.utf8.count
                    unsafe space[at..<(at + count)].copyBytes(from: text.utf8)
                    _ = unsafe sqlite3_bind_text(handle, parameter, (space.baseAddress! + at).assumingMemoryBound(to: CChar.self), Int32(count), nil)
                    at += count + 1
                case .textBytes(let bytes):
                    unsafe space[at..<(at + bytes.count)].copyBytes(from: bytes)
                    _ = unsafe sqlite3_bind_text(handle, parameter, (space.baseAddress! + at).assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
                    at += bytes.count + 1
                case .blob(let bytes):
                    unsafe space[at..<(at + bytes.count)].copyBytes(from: bytes)
                    _ = unsafe sqlite3_bind_blob(handle, parameter, space.baseAddress! + at, Int32(bytes.count), nil)
                    at += bytes.count + 1
                }
            }
            let code = unsafe sqlite3_step(handle)
            _ = unsafe sqlite3_reset(handle)
            _ = unsafe sqlite3_clear_bindings(handle)
            return code
        }
    }

    // MARK: - Stepping

    /// Result codes of ``step()`` and ``run(_:arena:)``: another row, or the statement finished.
    static let row = SQLITE_ROW
    static let done = SQLITE_DONE

    /// Resets the statement for new bindings or a new run.
    func reset() { _ = unsafe sqlite3_reset(statement.sqliteStatement) }

    /// Runs the statement one step: `SQLITE_ROW`, `SQLITE_DONE` or an error code.
    func step() -> Int32 { unsafe sqlite3_step(statement.sqliteStatement) }

    /// The error `code` of a step, as GRDB reports it (with SQLite's message and the statement).
    func failure(_ code: Int32) -> DatabaseError {
        let message = unsafe database.sqliteConnection.flatMap { unsafe sqlite3_errmsg($0) }.map { unsafe String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }

    // MARK: - Columns (0-based) of the current row

    func int64(_ column: Int32) -> Int64 { unsafe sqlite3_column_int64(statement.sqliteStatement, column) }

    func isNull(_ column: Int32) -> Bool { unsafe sqlite3_column_type(statement.sqliteStatement, column) == SQLITE_NULL }

    /// The byte length of a text or blob column.
    func byteCount(_ column: Int32) -> Int {
        let handle = unsafe statement.sqliteStatement
        return unsafe sqlite3_column_blob(handle, column) == nil ? 0 : Int(unsafe sqlite3_column_bytes(handle, column))
    }

    /// Appends the bytes of a text or blob column to `output`.
    func appendBytes(_ column: Int32, to output: inout [UInt8]) {
        let handle = unsafe statement.sqliteStatement
        guard let pointer = unsafe sqlite3_column_blob(handle, column) else { return }
        let count = Int(unsafe sqlite3_column_bytes(handle, column))
        unsafe output.append(contentsOf: UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
