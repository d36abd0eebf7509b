@testable import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

@Suite("Many rows to a statement", .timeLimit(.minutes(10)))
struct BulkInsertTests {
    static func store() throws -> (TemporaryDirectory, DatabaseQueue) {
        let dir = try TemporaryDirectory("bulk")
        let queue = try DatabaseQueue(path: dir.file("t.sqlite"))
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT, data BLOB)")
        }
        return (dir, queue)
    }

    @Test("every row goes in, in order, whatever the remainder", arguments: [0, 1, 63, 64, 65, 1_000])
    func rows(_ count: Int) throws {
        let (dir, queue) = try Self.store()
        defer { dir.remove() }
        try queue.write { db in
            let insert = try BulkInsert(db, head: "INSERT INTO t (k, name, note, data)", columns: 4)
            for n in 0..<count {
                try insert.add(.int(Int64(n)), .text("row \(n) ü"), n % 3 == 0 ? .null : .text(""), .blob([UInt8(n & 0xFF), 0]))
            }
            try insert.finish()
        }
        let rows = try queue.read { db in try Row.fetchAll(db, sql: "SELECT k, name, note, data FROM t ORDER BY rowid") }
        #expect(rows.count == count)
        for (n, row) in rows.enumerated() {
            #expect(row[0] as Int64 == Int64(n))
            #expect(row[1] as String == "row \(n) ü")
            #expect((row[2] as String?) == (n % 3 == 0 ? nil : ""))
            #expect(row[3] as Data == Data([UInt8(n & 0xFF), 0]))
        }
    }

    @Test("an ON CONFLICT tail applies to every row")
    func upsert() throws {
        let (dir, queue) = try Self.store()
        defer { dir.remove() }
        try queue.write { db in
            for round in 0..<2 {
                let insert = try BulkInsert(db, head: "INSERT INTO t (k, name)", columns: 2,
                                            tail: "ON CONFLICT (k) DO UPDATE SET name = excluded.name", rowsPerStatement: 7)
                for n in 0..<30 { try insert.add(.int(Int64(n)), .text("round \(round)")) }
                try insert.finish()
            }
        }
        #expect(try queue.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT name FROM t") } == ["round 1"])
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") } == 30)
    }

    @Test("a constraint failure throws, and the failing statement leaves none of its rows")
    func failure() throws {
        let (dir, queue) = try Self.store()
        defer { dir.remove() }
        try queue.write { db in
            let insert = try BulkInsert(db, head: "INSERT INTO t (k, name)", columns: 2, rowsPerStatement: 4)
            for n in 0..<4 { try insert.add(.int(Int64(n)), .text("first")) }  // runs: 4 rows in
            try insert.add(.int(10), .text("second"))
            try insert.add(.int(2), .text("clash"))  // same key as a row already in
            let error = #expect(throws: DatabaseError.self) { try insert.finish() }
            #expect(error?.resultCode == .SQLITE_CONSTRAINT)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") == 4, "row 10 went out with the failing statement")
        }
    }
}
