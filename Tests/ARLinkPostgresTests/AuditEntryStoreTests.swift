import ARLinkCore
import ARLinkPostgres
import ARLinkStore
import ARLinkTestSupport
import Foundation
import PostgresNIO
import Testing

extension PostgresSuites {
    /// One suite, run against both backends (the backend is the test's argument).
    @Suite("Audit entries on SQLite and on PostgreSQL: one suite, both backends", .serialized, .timeLimit(.minutes(10)))
    struct AuditEntryStoreTests {
        enum Backend: String, CaseIterable, CustomTestStringConvertible {
            case sqlite, postgresql
            var testDescription: String { rawValue }
        }

        /// Runs `body` with a fresh, migrated store of `backend`, and something to stop it.
        static func withStore(_ backend: Backend, _ body: (any AuditEntryStore, _ server: PostgresTestServer?) throws -> Void) throws {
            switch backend {
            case .sqlite:
                let dir = try TemporaryDirectory("audit-store")
                defer { dir.remove() }
                let store = try StateStore(path: dir.file("state.sqlite"))
                defer { try? store.close() }
                try body(SQLiteAuditEntryStore(store), nil)
            case .postgresql:
                try TestCluster.withServer { server in
                    let connection = try TestCluster.admin(server)
                    defer { connection.close() }
                    try PostgresMigrator.migrate(connection)
                    try body(PostgresAuditEntryStore(connection), server)
                }
            }
        }

        /// `count` entries from `start`, with varied bytes (non-ASCII text, every byte value in hashes).
        static func rows(from start: Int64, count: Int, seed: UInt64) -> [AuditEntryRow] {
            var random = SplitMix(seed: seed)
            return (start..<start + Int64(count)).map { index in
                let hash = (0..<32).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                let text = #"{"v":1,"seq":\#(index),"note":"Zahlung über €\#(random.next() % 1000)"}"#
                return AuditEntryRow(index: index, entry: Array(text.utf8), leafHash: hash, recordedAt: "2026-12-0\(1 + index % 9)T10:00:00Z",
                                     action: index % 3 == 0 ? "batch.sealed" : "inbound.applied", fileID: index % 2 == 0 ? "F\(index)" : nil)
            }
        }

        @Test("append, read ranges and the head agree with what was appended", arguments: Backend.allCases)
        func appendAndRead(backend: Backend) throws {
            try Self.withStore(backend) { store, _ in
                #expect(try store.head().count == 0)
                #expect(try store.head().newest == nil)
                let first = Self.rows(from: 0, count: 120, seed: 7)
                try store.append(first)
                let second = Self.rows(from: 120, count: 30, seed: 8)
                try store.append(second)
                let all = first + second
                let head = try store.head()
                #expect(head.count == 150)
                #expect(head.newest?.index == 149)
                #expect(head.newest?.leafHash == all[149].leafHash)
                for (start, end) in [(0, 150), (10, 11), (100, 135), (149, 1_000), (150, 160), (5, 5)] as [(Int64, Int64)] {
                    let read = try store.entries(from: start, below: end)
                    let expected = all.filter { $0.index >= start && $0.index < end }
                    #expect(read.map(\.index) == expected.map(\.index), "\(start)..<\(end)")
                    #expect(read.map(\.entry) == expected.map { String(decoding: $0.entry, as: UTF8.self) })
                    #expect(read.map(\.leafHash) == expected.map(\.leafHash))
                }
            }
        }

        @Test("a batch with one bad row (an index already taken) appends nothing", arguments: Backend.allCases)
        func batchIsAtomic(backend: Backend) throws {
            try Self.withStore(backend) { store, _ in
                try store.append(Self.rows(from: 0, count: 10, seed: 1))
                var batch = Self.rows(from: 10, count: 5, seed: 2)
                batch.append(Self.rows(from: 3, count: 1, seed: 3)[0])
                #expect(throws: (any Error).self) { try store.append(batch) }
                #expect(try store.head().count == 10)
                #expect(try store.entries(from: 10, below: 20).isEmpty)
            }
        }

        @Test("PostgreSQL only: an append fenced with an epoch that is no longer the leader's lands nothing")
        func fencedAppend() throws {
            try TestCluster.withServer { server in
                let connection = try TestCluster.admin(server)
                defer { connection.close() }
                try PostgresMigrator.migrate(connection)
                try server.psql("UPDATE arlink_leader SET epoch = 5, holder = 'b'")
                try PostgresAuditEntryStore(connection, epoch: 5).append(Self.rows(from: 0, count: 2, seed: 4))
                let error = try #require(throws: PostgresStoreError.self) {
                    try PostgresAuditEntryStore(connection, epoch: 4).append(Self.rows(from: 2, count: 2, seed: 5))
                }
                #expect(error.code == .fenced)
                #expect(try server.psql("SELECT count(*) FROM audit_entry") == "2")
            }
        }
    }
}
