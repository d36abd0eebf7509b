import ARLinkCore
import ARLinkFormats
import ARLinkInbound
import ARLinkStore
import ARLinkTestSupport
import Foundation
import Testing

/// Fields that are well-formed but impossible: a feedback header claiming the other direction,
/// payments dated after the file was made or long before the account was placed.
@Suite("Field checks: header direction and payment dates", .serialized, .timeLimit(.minutes(10)))
struct FieldCheckTests {
    @Test("a feedback header with direction outbound is quarantined")
    func outboundDirection() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        var header = try f.header(sequence: 1, previous: nil)
        header.direction = "outbound"
        let plain = try f.plaintext(header, [Events.risk("R1", f.accountRef(1), score: 2)])
        try f.seal(plain.path, as: f.name(1))
        let report = try f.run()
        #expect(report.partners.first?.quarantined.map(\.code) == ["inbound.wrong_direction"])
        #expect(report.partners.first?.processed.isEmpty == true)
        #expect(report.exitStatus == .dataError)
    }

    @Test("payments dated after the file was created, or before the placement by more than the margin, are rejected and never exported")
    func paymentDates() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 6)  // placed as of today
        let d = f.today
        _ = try f.drop(sequence: 1, previous: nil, [
            try Events.payment("P-2099", f.accountRef(1), "10.00", on: try #require(LocalDate(iso: "2099-01-01"))),
            try Events.payment("P-TOMORROW", f.accountRef(2), "10.00", on: d.adding(days: 1)),
            try Events.payment("P-TODAY", f.accountRef(3), "10.00", on: d),
            try Events.payment("P-MARGIN", f.accountRef(4), "10.00", on: d.adding(days: -30)),
            try Events.payment("P-TOO-EARLY", f.accountRef(5), "10.00", on: d.adding(days: -31)),
        ])
        let report = try f.run()
        let p = try #require(report.partners.first)
        #expect(p.processed == [f.name(1)])
        #expect(p.eventsAccepted == 2)
        #expect(p.eventsRejected == [.paymentAfterFileCreation: 2, .paymentBeforePlacement: 1], "\(p.eventsRejected)")
        let exported = try f.exportedUpdates()
        #expect(!exported.contains { $0["date"] == .string("2099-01-01") }, "a payment dated 2099 never reaches the ERP")
        #expect(Set(exported.compactMap { $0["source_event_id"] }) == [.string("P-TODAY"), .string("P-MARGIN")])
        let paid = try f.store().read { db in try InboundLedger.accountPaid(db, partner: f.partner, accountRef: f.accountRef(1), currency: "EUR") }
        #expect(paid == 0)
        // The receipt lists the rejections with their reasons.
        let receipt = try f.openReceipt(try #require(f.files(f.inbox).first))
        #expect(receipt.contains { $0.contains("P-2099") && $0.contains("payment_after_file_creation") })
        #expect(receipt.contains { $0.contains("P-TOO-EARLY") && $0.contains("payment_before_placement") })
    }

    @Test("the margin before the placement is configurable per partner")
    func configurableMargin() throws {
        let f = try InboundFixture(partnerExtra: ["payment_date_margin_days: 0"])
        try f.seedPlacements(accounts: 2)
        _ = try f.drop(sequence: 1, previous: nil, [
            try Events.payment("P-DAY-BEFORE", f.accountRef(1), "10.00", on: f.today.adding(days: -1)),
            try Events.payment("P-SAME-DAY", f.accountRef(2), "10.00", on: f.today),
        ])
        let p = try #require(try f.run().partners.first)
        #expect(p.eventsRejected == [.paymentBeforePlacement: 1])
        #expect(p.eventsAccepted == 1)
    }
}
