import GRDB
import GRDBSQLite

/// Rows inserted many to a statement: `INSERT INTO t (a, b) VALUES (?, ?), (?, ?), ...`.
///
/// Running a one-row INSERT once per row costs SQLite a statement start and end each time,
/// two to three times the B-tree work itself at the 250,000 payments of a large feedback
/// file. Rows are bound straight into a statement of `rowsPerStatement` rows, which runs
/// when full; ``finish()`` runs what is left (a statement sized for it), and must be called.
/// Rows go in exactly in the order they were added.
final class BulkInsert {
    private let database: Database
    private let head: String
    private let tail: String
    private let columns: Int
    private let rowsPerStatement: Int
    private let full: Statement
    /// The values of the rows not yet inserted, row after row.
    private var buffered: [BulkValue] = []
    /// Where their text and blobs are copied for binding.
    private var arena: [UInt8] = []

    /// - Parameters:
    ///   - head: the statement up to `VALUES` (`INSERT INTO t (a, b)`).
    ///   - columns: values per row.
    ///   - tail: what follows the rows (an `ON CONFLICT` clause), if anything.
    init(_ db: Database, head: String, columns: Int, tail: String = "", rowsPerStatement: Int = 64) throws {
        database = db
        self.head = head
        self.tail = tail
        self.columns = columns
        self.rowsPerStatement = max(1, min(rowsPerStatement, 32_000 / max(1, columns)))
        full = try db.cachedStatement(sql: Self.sql(head: head, columns: columns, rows: self.rowsPerStatement, tail: tail))
        buffered.reserveCapacity(self.rowsPerStatement * columns)
    }

    static func sql(head: String, columns: Int, rows: Int, tail: String) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        return head + " VALUES " + Array(repeating: row, count: rows).joined(separator: ", ") + (tail.isEmpty ? "" : " " + tail)
    }

    /// Adds one row (`columns` values, in column order).
    public func add(_ values: BulkValue...) throws {
        precondition(values.count == columns, "BulkInsert: \(values.count) values for \(columns) columns")
        buffered.append(contentsOf: values)
        if buffered.count == rowsPerStatement * columns { try run(full) }
    }

    /// Inserts the rows still pending.
    public func finish() throws {
        guard !buffered.isEmpty else { return }
        try run(try database.cachedStatement(sql: Self.sql(head: head, columns: columns, rows: buffered.count / columns, tail: tail)))
    }

    /// Binds the buffered rows to `statement` and runs it. Text and blobs are copied into one
    /// arena first and bound in place (`SQLITE_STATIC`): no allocation per value.
    private func run(_ statement: Statement) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        var size = 0
        for value in buffered {
            switch value {
            case .text(let s): size += s.utf8.count + 1
            case .blob(let b), .textBytes(let b): size += b.count + 1
            case .int, .null: break
            }
        }
        if arena.count < size { arena = [UInt8](repeating: 0, count: max(size, arena.count * 2)) }
        let code: Int32 = arena.withUnsafeMutableBufferPointer { space in
            var at = 0
            for (index, value) in buffered.enumerated() {
                let parameter = Int32(index + 1)
                switch value {
                case .int(let n): sqlite3_bind_int64(handle, parameter, n)
                case .null: sqlite3_bind_null(handle, parameter)
                case .text(let s):
                    var text = s
                    let count = text.withUTF8 { bytes in
                        if let source = bytes.baseAddress, !bytes.isEmpty { (space.baseAddress! + at).update(from: source, count: bytes.count) }
                        return bytes.count
                    }
                    let start = UnsafeRawPointer(space.baseAddress! + at).assumingMemoryBound(to: CChar.self)
                    _ = sqlite3_bind_text(handle, parameter, start, Int32(count), nil)  // SQLITE_STATIC
                    at += count + 1
                case .textBytes(let bytes):
                    bytes.withUnsafeBufferPointer { source in
                        if let base = source.baseAddress, !source.isEmpty { (space.baseAddress! + at).update(from: base, count: source.count) }
                    }
                    let start = UnsafeRawPointer(space.baseAddress! + at).assumingMemoryBound(to: CChar.self)
                    _ = sqlite3_bind_text(handle, parameter, start, Int32(bytes.count), nil)  // SQLITE_STATIC
                    at += bytes.count + 1
                case .blob(let bytes):
                    bytes.withUnsafeBufferPointer { source in
                        if let base = source.baseAddress, !source.isEmpty { (space.baseAddress! + at).update(from: base, count: source.count) }
                    }
                    _ = sqlite3_bind_blob(handle, parameter, space.baseAddress! + at, Int32(bytes.count), nil)  // SQLITE_STATIC
                    at += bytes.count + 1
                }
            }
            let code = sqlite3_step(handle)
            sqlite3_reset(handle)
            // SQLITE_STATIC bindings point into the arena: cleared before it can change.
            sqlite3_clear_bindings(handle)
            return code
        }
        buffered.removeAll(keepingCapacity: true)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(database.sqliteConnection)),
                                sql: statement.sql)
        }
    }
}
