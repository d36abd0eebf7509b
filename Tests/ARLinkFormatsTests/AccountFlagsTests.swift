import ARLinkCore
@testable import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

/// The optional flag columns (communication restrictions, dispute, bankruptcy, deceased,
/// attorney): read from the extract, written to and read back from both portfolio flavours,
/// valid against portfolio.v1, and bad values refused with file, line and column.
@Suite("Account flags: extract columns to portfolio", .timeLimit(.minutes(10)))
struct AccountFlagsTests {
    static let header = "communication_restricted,communication_restriction,disputed_debt,bankruptcy_chapter,deceased,attorney_represented"
    static let items = ItemizationTests.items

    static func customers(_ c1: String, _ c2: String = ",,,,,") -> String {
        "customer_id,name,\(header)\nC1,Alpha GmbH,\(c1)\nC2,Beta SA,\(c2)\n"
    }

    @Test("the columns are read; no flag set means none; restriction text implies the flag")
    func read() throws {
        let dir = try TemporaryDirectory("flags")
        defer { dir.remove() }
        let e = try readGeneric(dir, items: Self.items, customers: Self.customers("0,\"no calls before 9am, email only\",yes,13,0,1", "0,,0,,0,0"))
        let f = try #require(e.customers["C1"]?.flags)
        #expect(f.communicationRestricted && f.communicationRestriction == "no calls before 9am, email only")
        #expect(f.disputed && f.bankruptcyChapter == 13 && !f.deceased && f.attorneyRepresented)
        #expect(e.customers["C2"]?.flags == nil)
        let without = try readGeneric(dir, items: Self.items, customers: standardCustomers)
        #expect(without.customers.values.allSatisfy { $0.flags == nil })
    }

    @Test("bad values are refused with file, line and column; the restriction text is never quoted", arguments: [
        ("0,,0,-7,0,0", "customers.csv line 2, column \"bankruptcy_chapter\": \"-7\" is not a bankruptcy chapter"),
        ("0,,0,seven,0,0", "customers.csv line 2, column \"bankruptcy_chapter\": \"seven\" is not a bankruptcy chapter"),
        ("0,,maybe,,0,0", "customers.csv line 2, column \"disputed_debt\": \"maybe\" is not a yes/no value"),
    ])
    func badValues(row: String, message: String) throws {
        let dir = try TemporaryDirectory("flags")
        defer { dir.remove() }
        let error = formatError { _ = try readGeneric(dir, items: Self.items, customers: Self.customers(row)) }
        #expect(error?.message.contains(message) == true, "message was: \(error?.message ?? "-")")
        #expect(error?.exitStatus == .dataError)
    }

    static func record(text: String? = "call only after 6pm") throws -> PortfolioRecord {
        var r = try ItemizationTests.record()
        r.flags = AccountFlags(communicationRestriction: text, bankruptcyChapter: 7, deceased: true)
        return r
    }

    @Test("the flags reach the portfolio and read back", arguments: [PortfolioFormat.jsonl, .csv])
    func roundTrip(format: PortfolioFormat) throws {
        let dir = try TemporaryDirectory("flags")
        defer { dir.remove() }
        let path = dir.file("p.\(format.fileExtension)")
        let writer = try PortfolioWriter(path: path, format: format, header: try SamplePortfolio.header())
        let records = try SamplePortfolio.records() + [try Self.record(), try Self.record(text: nil)]
        for r in records { try writer.write(r) }
        _ = try writer.finish()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        if format == .jsonl {
            #expect(text.contains(#""flags":{"communication_restricted":true,"communication_restriction":"call only after 6pm","disputed":false,"bankruptcy_chapter":7,"deceased":true,"attorney_represented":false}"#))
            #expect(text.components(separatedBy: "\"flags\"").count == 3)
        } else {
            #expect(text.contains("F,true,call only after 6pm,false,7,true,false\n"))
        }
        #expect(try PortfolioReader.read(path: path).records == records)

        if format == .jsonl {
            let result = try SchemaTests.validate(path)
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            let broken = try dir.write("b.jsonl", text.replacingOccurrences(of: "\"bankruptcy_chapter\":7", with: "\"bankruptcy_chapter\":-7"))
            #expect(try SchemaTests.validate(broken).status == 1)
            let error = formatError { _ = try PortfolioReader.read(path: broken) }
            #expect(error?.message.contains("b.jsonl line 5, flags, field \"bankruptcy_chapter\"") == true, "\(error?.message ?? "-")")
            let big = try dir.write("c.jsonl", text.replacingOccurrences(of: "\"bankruptcy_chapter\":7", with: "\"bankruptcy_chapter\":100"))
            #expect(formatError { _ = try PortfolioReader.read(path: big) }?.message.contains("from 1 to 99") == true)
        } else {
            let big = try dir.write("c.csv", text.replacingOccurrences(of: ",7,true,", with: ",100,true,"))
            let message = formatError { _ = try PortfolioReader.read(path: big) }?.message ?? "-"
            #expect(message.contains("c.csv line 2") && message.contains(", column \"bankruptcy_chapter\": \"100\" is not a chapter from 1 to 99"), "\(message)")
        }
    }

    @Test("the restriction text is kept only when the partner's minimisation allows it; the flag always goes")
    func minimisation() throws {
        let flags = AccountFlags(communicationRestriction: "no calls", disputed: true)
        let strict = DataMinimisation(allowed: [.name]).apply(to: flags)
        #expect(strict.communicationRestricted && strict.communicationRestriction == nil && strict.disputed)
        #expect(DataMinimisation(allowed: [.name], allowsRestrictionText: true).apply(to: flags) == flags)
        #expect(DataMinimisation(allowed: [.name], allowsRestrictionText: true).fieldList == "name+communication_restriction")
    }
}
