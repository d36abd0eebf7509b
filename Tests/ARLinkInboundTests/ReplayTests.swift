import ARLinkCore
import ARLinkInbound
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// A replay is the same bytes as an applied file. A file that was only quarantined may be
/// received again and is then processed afresh.
@Suite("Replays: the same bytes as an applied file; a quarantined file may come again", .serialized, .timeLimit(.minutes(10)))
struct ReplayTests {
    @Test("a file quarantined because our clock was 10 minutes behind is applied when the same bytes come again")
    func quarantinedThenResent() throws {
        let realNow = Date()
        let f = try InboundFixture(now: realNow.addingTimeInterval(-600))
        try f.seedPlacements(accounts: 2)
        let plain = try f.plaintext(try f.header(sequence: 1, previous: nil, createdAt: realNow),
                                    [Events.payment("P1", f.accountRef(1), "25.00", on: f.today.adding(days: -1))])
        try f.seal(plain.path, as: f.name(1))
        let sent = try Data(contentsOf: URL(fileURLWithPath: f.outbox + "/" + f.name(1)))

        let first = try f.run()
        #expect(first.partners.first?.quarantined.map(\.code) == ["inbound.created_in_future"])
        #expect(first.exitStatus == .dataError)

        // The clock is fixed; the partner sends the very same bytes again.
        f.now = realNow
        try sent.write(to: URL(fileURLWithPath: f.outbox + "/" + f.name(1)))
        let second = try f.run()
        #expect(second.partners.first?.duplicates.isEmpty == true, "a quarantined file is not a replay")
        #expect(second.partners.first?.processed == [f.name(1)], "\(second.partners)")
        #expect(second.exitStatus == .success)
        let states = try f.store().read { db in
            try String.fetchAll(db.sqlite, sql: "SELECT state FROM inbound_file ORDER BY received_at, state")
        }
        #expect(states.sorted() == ["applied", "quarantined"])
        let again = try f.store().read { db in
            try Int.fetchOne(db.sqlite, sql: "SELECT COUNT(*) FROM audit_entry WHERE entry LIKE '%\"file.received\"%' AND entry LIKE '%\"received_again\"%'")
        }
        #expect(again == 1, "the second reception is audited as such")

        // The same bytes a third time: now they were applied, so they are a replay.
        try sent.write(to: URL(fileURLWithPath: f.outbox + "/" + f.name(1)))
        let third = try f.run()
        #expect(third.partners.first?.duplicates == [f.name(1)])
        #expect(third.partners.first?.processed.isEmpty == true)
        let payments = try f.store().read { db in try Int.fetchOne(db.sqlite, sql: "SELECT COUNT(*) FROM inbound_payment") }
        #expect(payments == 1, "the payment is applied once")
    }
}
