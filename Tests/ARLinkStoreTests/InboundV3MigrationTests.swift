import ARLinkCore
@_spi(SQLiteLayout) @testable import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// `inbound-v3` rebuilds `inbound_file` with a reception counter and adds payment excess: a
/// database written before it keeps every file and payment.
@Suite("Migration inbound-v3 on an older database", .timeLimit(.minutes(10)))
struct InboundV3MigrationTests {
    @Test("files and payments of a database migrated up to ledger-v2 survive; a quarantined file can then be received again")
    func upgrade() throws {
        let dir = try TemporaryDirectory("migration")
        defer { dir.remove() }
        let queue = try DatabaseQueue(path: dir.file("old.sqlite"))
        try StoreMigrations.migrator().migrate(queue, upTo: "ledger-v2")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO inbound_file (partner, sha256, file_name, file_id, sequence, state, error_code, received_at, finished)
                VALUES ('p', 'aa', 'f1', 'id-1', 1, 'quarantined', 'inbound.created_in_future', '2026-12-01T00:00:00Z', 1),
                       ('p', 'bb', 'f2', 'id-2', 1, 'applied', NULL, '2026-12-02T00:00:00Z', 1);
                INSERT INTO inbound_payment (partner, event_id, account_ref, allocations) VALUES ('p', 'P1', 'C1', 'I1\tEUR\t100');
                """)
        }
        try StoreMigrations.migrator().migrate(queue)
        try queue.write { db in
            #expect(try InboundLedger.files(StoreTransaction(db), partner: "p").map(\.fileName) == ["f1", "f2"])
            #expect(try InboundLedger.file(StoreTransaction(db), partner: "p", sha256: "bb")?.state == .applied)
            #expect(try InboundLedger.payment(StoreTransaction(db), partner: "p", eventID: "P1")?.accountRef == "C1")
            // The quarantined bytes come again and are applied: a second row, the latest one wins.
            try InboundLedger.insert(StoreTransaction(db), InboundFileRecord(
                partner: "p", sha256: "aa", fileName: "f1", fileID: "id-1", sequence: 2, state: .applied, plaintextSHA256: nil, errorCode: nil,
                eventsAccepted: 1, eventsRejected: 0, receiptName: nil, receiptFileID: nil, receiptSequence: nil,
                receivedAt: "2026-12-03T00:00:00Z", finished: false))
            #expect(try InboundLedger.file(StoreTransaction(db), partner: "p", sha256: "aa")?.state == .applied)
            #expect(try Int.fetchOne(db, sql: "SELECT MAX(attempt) FROM inbound_file WHERE sha256 = 'aa'") == 2)
        }
    }
}
