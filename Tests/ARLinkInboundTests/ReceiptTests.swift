import ARLinkCore
import ARLinkFormats
import ARLinkInbound
import ARLinkStore
import ARLinkTestSupport
import Foundation
import Testing

/// Receipts: one for every applied file and every quarantined file whose signature verified,
/// chained by `previous_file_sha256` as portfolios are.
@Suite("Receipts: every verified file gets one, and they are chained", .serialized, .timeLimit(.minutes(10)))
struct ReceiptTests {
    /// Opens a delivered receipt with the openssl CLI: its lines and the SHA-256 of its plaintext.
    func open(_ f: InboundFixture, _ name: String) throws -> (lines: [String], sha256: String) {
        let lines = try f.openReceipt(name)
        return (lines, try f.sha256(f.dir.file("receipt.txt")))
    }

    func header(_ lines: [String]) throws -> LineJSON { try LineJSON.parse(try #require(lines.first)) }

    @Test("a verified file quarantined because its header cannot be read gets a receipt naming the error")
    func unreadableHeader() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        let plain = f.dir.file("bad-header.jsonl")
        try """
            {"record_type":"header","schema":"feedback.v1"}
            {"record_type":"trailer","counts":{},"totals":{}}

            """.write(toFile: plain, atomically: true, encoding: .utf8)
        try f.seal(plain, as: f.name(1))
        let report = try f.run()
        let code = try #require(report.partners.first?.quarantined.first?.code)
        #expect(code.hasPrefix("feedback."), "\(code)")
        let receipts = f.files(f.inbox)
        #expect(receipts.count == 1, "the signature verified: a receipt is due")
        let lines = try open(f, try #require(receipts.first)).lines
        let file = try LineJSON.parse(lines[1])
        #expect(file["outcome"] == .string("quarantined"))
        #expect(file["error_code"] == .string(code))
    }

    @Test("a file quarantined for a header problem (wrong sender) gets a receipt")
    func headerProblem() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        let plain = try f.plaintext(try f.header(sequence: 1, previous: nil, sender: "someone-else"), [Events.risk("R1", f.accountRef(1), score: 1)])
        try f.seal(plain.path, as: f.name(1))
        let report = try f.run()
        #expect(report.partners.first?.quarantined.map(\.code) == ["inbound.wrong_sender"])
        #expect(f.files(f.inbox).count == 1)
    }

    @Test("receipts carry the SHA-256 of the previous receipt's plaintext (null only for the first)")
    func chained() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        var previous = try f.drop(sequence: 1, previous: nil, [Events.risk("R1", f.accountRef(1), score: 1)])
        _ = try f.run()
        previous = try f.drop(sequence: 2, previous: previous, [Events.risk("R2", f.accountRef(1), score: 2)])
        _ = try f.run()
        // A quarantined file (missing trailer) whose signature verified: the third receipt.
        let bad = try f.plaintext(try f.header(sequence: 3, previous: previous), [Events.risk("R3", f.accountRef(1), score: 3)], omitTrailer: true)
        try f.seal(bad.path, as: f.name(3))
        _ = try f.run()
        let names = f.files(f.inbox)
        try #require(names.count == 3, "\(names)")
        let receipts = try names.map { try open(f, $0) }
        let sequences = try receipts.map { try header($0.lines)["sequence"] }
        #expect(sequences == [.number("1"), .number("2"), .number("3")])
        #expect(try header(receipts[0].lines)["previous_file_sha256"] == .null)
        #expect(try header(receipts[1].lines)["previous_file_sha256"] == .string(receipts[0].sha256))
        #expect(try header(receipts[2].lines)["previous_file_sha256"] == .string(receipts[1].sha256))
    }
}
