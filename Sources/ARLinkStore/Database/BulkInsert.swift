import GRDB

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

    /// Binds the buffered rows to `statement` and runs it (text and blobs copied into one
    /// arena and bound in place: no allocation per value).
    private func run(_ statement: Statement) throws {
        let calls = SQLiteCalls(statement, in: database)
        let code = calls.run(buffered, arena: &arena)
        buffered.removeAll(keepingCapacity: true)
        guard code == SQLiteCalls.done else { throw calls.failure(code) }
    }
}
