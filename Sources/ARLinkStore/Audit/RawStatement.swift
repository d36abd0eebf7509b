import GRDB

/// A statement stepped row by row through ``SQLiteCalls``, for the audit log's scan of every
/// entry (verification, proofs, exports), where GRDB's row objects cost more than SQLite itself.
///
/// Prepared on the connection of a `Database` that the caller holds inside a GRDB
/// transaction or read; finalized by GRDB with it. Never escapes that closure.
final class RawStatement {
    private let calls: SQLiteCalls
    private let sql: String
    private var finished = false

    init(_ db: Database, sql: String) throws {
        do {
            calls = SQLiteCalls(try db.makeStatement(sql: sql), in: db)
        } catch {
            throw StoreError(.corrupt, "cannot prepare \(sql): \(error)")
        }
        self.sql = sql
    }

    /// Steps to the next row; `false` at the end, and from then on (stepping a finished
    /// statement again would restart the query).
    func next() throws -> Bool {
        guard !finished else { return false }
        let code = calls.step()
        if code == SQLiteCalls.row { return true }
        finished = true
        if code == SQLiteCalls.done { return false }
        throw StoreError(.corrupt, "SQLite error \(code) running \(sql): \(calls.failure(code).message ?? "")")
    }

    func int64(_ column: Int32) -> Int64 { calls.int64(column) }

    func isNull(_ column: Int32) -> Bool { calls.isNull(column) }

    /// The byte length of a text or blob column of the current row.
    func byteCount(_ column: Int32) -> Int { calls.byteCount(column) }

    /// Appends the bytes of a text or blob column of the current row to `output`.
    func appendBytes(_ column: Int32, to output: inout [UInt8]) { calls.appendBytes(column, to: &output) }
}
