import ARLinkCore
import ARLinkFormats
import ARLinkInbound
import ARLinkStore
import ARLinkTestSupport
import Foundation
import Testing

@Suite("Risk scores need a DPIA (UU PDP Art. 34)", .timeLimit(.minutes(10)))
struct ScoringDPIATests {
    /// The demo configuration without its `dpia` block.
    static func withoutDPIA(_ f: InboundFixture) throws {
        let yaml = try String(contentsOfFile: f.configPath, encoding: .utf8)
        let stripped = yaml.replacingOccurrences(of: #"    dpia:\n      id: [^\n]*\n      date: [^\n]*\n"#, with: "", options: .regularExpression)
        #expect(stripped != yaml, "the demo configuration names a DPIA")
        try f.dir.write("arlink.yaml", stripped)
    }

    @Test("without a DPIA every risk event is rejected with scoring_without_dpia and none reaches the ERP; other events still apply")
    func rejectedWithoutDPIA() throws {
        let f = try InboundFixture()
        try Self.withoutDPIA(f)
        try f.seedPlacements(accounts: 3)
        _ = try f.drop(sequence: 1, previous: nil, [
            Events.risk("R-1", f.accountRef(1), score: 40),
            Events.risk("R-2", f.accountRef(2), score: 90),
            try Events.payment("P-1", f.accountRef(3), "10.00", on: f.today),
        ])
        let p = try #require(try f.run().partners.first)
        #expect(p.processed == [f.name(1)])
        #expect(p.eventsAccepted == 1)
        #expect(p.eventsRejected == [.scoringWithoutDPIA: 2], "\(p.eventsRejected)")
        let exported = try f.exportedUpdates()
        #expect(Set(exported.compactMap { $0["source_event_id"] }) == [.string("P-1")])
        #expect(!exported.contains { $0["risk_score"] != nil })
        let csv = try f.files(f.updatesFolder).filter { $0.hasSuffix(".csv") }
            .map { try String(contentsOfFile: f.updatesFolder + "/" + $0, encoding: .utf8) }.joined()
        #expect(!csv.contains("R-1") && !csv.contains("R-2"))
        let receipt = try f.openReceipt(try #require(f.files(f.inbox).first))
        #expect(receipt.contains { $0.contains("R-1") && $0.contains("scoring_without_dpia") })
    }

    @Test("with the DPIA the same risk events are accepted and exported")
    func acceptedWithDPIA() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        _ = try f.drop(sequence: 1, previous: nil, [Events.risk("R-1", f.accountRef(1), score: 40), Events.risk("R-2", f.accountRef(2), score: 90)])
        let p = try #require(try f.run().partners.first)
        #expect(p.eventsAccepted == 2)
        #expect(p.eventsRejected.isEmpty)
        #expect(Set(try f.exportedUpdates().compactMap { $0["source_event_id"] }) == [.string("R-1"), .string("R-2")])
    }
}
