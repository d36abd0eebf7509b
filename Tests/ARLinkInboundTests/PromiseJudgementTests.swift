import ARLinkCore
import ARLinkFormats
import ARLinkInbound
import ARLinkStore
import ARLinkTestSupport
import Foundation
import Testing

/// A promise is judged against what the debtor paid since it was made, overpayment included:
/// only the allocatable part of a payment reaches the invoices, but all of it was paid.
@Suite("Promises are judged against what was paid, overpayment included", .serialized, .timeLimit(.minutes(10)))
struct PromiseJudgementTests {
    @Test("a promise above the open balance, paid in full before the date, is kept; one cent short is broken; a reversed payment does not count")
    func overpaidPromise() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 3)  // each account owes 150.00 EUR
        let d = f.today
        _ = try f.drop(sequence: 1, previous: nil, [
            try Events.promise("PR-1", f.accountRef(1), "200.00", date: d.adding(days: 3)),
            try Events.promise("PR-2", f.accountRef(2), "200.00", date: d.adding(days: 3)),
            try Events.promise("PR-3", f.accountRef(3), "200.00", date: d.adding(days: 3)),
        ])
        _ = try f.run()
        f.now = f.now.addingTimeInterval(86_400)
        var previous = try f.store().read { db in try InboundLedger.lastApplied(db, partner: f.partner)?.plaintextSHA256 }
        previous = try f.drop(sequence: 2, previous: previous, [
            try Events.payment("P-1", f.accountRef(1), "200.00", on: f.today),
            try Events.payment("P-2", f.accountRef(2), "199.99", on: f.today),
            try Events.payment("P-3", f.accountRef(3), "200.00", on: f.today),
        ])
        let paid = try f.run()
        #expect(paid.partners.first?.processed == [f.name(2)])
        #expect(paid.partners.first?.exceptions.count == 3, "three overpayments: \(paid.partners.first?.exceptions ?? [])")
        f.now = f.now.addingTimeInterval(86_400)
        _ = try f.drop(sequence: 3, previous: previous, [try Events.reversal("R-3", f.accountRef(3), "200.00", of: "P-3", on: f.today)])
        #expect(try f.run().partners.first?.processed == [f.name(3)])
        // The day after the promised date.
        f.now = f.now.addingTimeInterval(3 * 86_400)
        let judged = try f.run()
        #expect(judged.partners.first?.promisesBroken == 2)
        let broken = try f.exportedUpdates().filter { $0["status"] == .string("promise_broken") }
        #expect(broken.count == 2)
        #expect(broken.contains { $0["account_ref"] == .string(f.accountRef(2)) })
        #expect(broken.contains { $0["account_ref"] == .string(f.accountRef(3)) })
        let account2 = try #require(broken.first { $0["account_ref"] == .string(f.accountRef(2)) })
        #expect(account2["open_amount"] == .string("0.01"), "\(account2)")
        let counts = try f.store().read { db in try InboundLedger.promiseCounts(db, partner: f.partner) }
        #expect(counts == ["kept": 1, "broken": 2])
    }
}
