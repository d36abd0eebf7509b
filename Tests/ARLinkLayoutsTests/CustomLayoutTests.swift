import ARLinkCore
@testable import ARLinkLayouts
import Foundation
import Testing

/// An invented agency layout (Fixtures/custom): onboarding a partner with a layout file and
/// no code, both directions.
@Suite("a custom layout file end to end", .timeLimit(.minutes(10)))
struct CustomLayoutTests {
    static func layout(_ direction: LayoutDirection) throws -> Layout {
        guard case .layout(let l) = try BuiltinLayouts.resolve("custom/nordinkasso-\(direction.rawValue).yaml", direction: direction, baseDirectory: LayoutFixtures.folder) else {
            throw LayoutError(.badLayout, "not a layout")
        }
        return l
    }

    static func eur(_ text: String) -> Money { try! Money(decimal: text, currency: try! Currency("EUR")) }

    @Test("a portfolio written through the custom layout, exactly, and read back")
    func portfolio() throws {
        let layout = try Self.layout(.portfolio)
        var numbers = FileNumberTable()
        let records = [
            PortfolioRecord(action: .place, accountRef: "K-1", debtor: DebtorData(fields: [.name: "Anna \"AJ\" Jensen", .street: "Ring 2; Hof"]), invoices: [],
                            balances: [Self.eur("1234.56")], aging: [], oldestDueDate: LayoutFixtures.date("2025-10-01"), daysPastDue: 0),
            PortfolioRecord(action: .recall, accountRef: "K-2", debtor: nil, invoices: [], balances: [], aging: [], oldestDueDate: nil, daysPastDue: 0, recallReason: .disputed),
        ]
        _ = numbers.assign("K-1"); _ = numbers.assign("K-2")
        let bytes = try PortfolioLayout(layout: layout).render(records, fileNumbers: numbers, context: LayoutFixtures.context)
        let expected = """
            H;ACME01;01.12.2025
            N;0000001;K-1;123456;01.10.2025;
            D;0000001;K-1;name;"Anna ""AJ"" Jensen"
            D;0000001;K-1;street;"Ring 2; Hof"
            R;0000002;K-2;02
            T;000002;123456

            """
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
        let file = try LayoutReader(layout: layout).read(bytes, name: "n.csv")
        #expect(file.header?["sender"] == .text("ACME01"))
        #expect(try PortfolioLayout(layout: layout).read(file) == records.map { $0.projected() })
    }

    @Test("the custom feedback file gives every kind of event")
    func feedback() throws {
        let layout = try Self.layout(.feedback)
        let numbers = FileNumberTable([("K-1", 11), ("K-2", 12)])
        let file = try LayoutReader(layout: layout).read(try LayoutFixtures.bytes("custom/nordinkasso-feedback.txt"), name: "nk.csv")
        let records = try FeedbackLayout(layout: layout).records(file, fileNumbers: numbers)
        let events = records.compactMap { if case .event(let e, _, _) = $0 { e } else { nil } }
        #expect(events.map(\.type) == [.payment, .promise, .dispute, .status, .contactUpdate, .risk])
        #expect(events[0].amount == Self.eur("120.50") && events[0].accountRef == "K-1" && events[0].eventID == "BK-1")
        #expect(events[1].promisedDate == LayoutFixtures.date("2026-01-31") && events[1].instalments == 2 && events[1].amount == Self.eur("500.00"))
        #expect(events[2].disputeReason == "quality" && events[2].invoiceNumber == "INV;7" && events[2].amount == Self.eur("99.99") && events[2].accountRef == "K-2")
        #expect(events[3].status == .legal)
        #expect(events[4].contact == ["street": "Hauptstr. 1", "city": "Köln"])
        #expect(events[5].riskScore == 640 && events[5].riskSegment == "B")
    }

    @Test("a layout file with a mistake is refused with the key and the fix", arguments: [
        ("type: integer, length: 7, required: true, domain: file_number}", "type: integr, length: 7, required: true, domain: file_number}",
         "records[1].fields[1].type \"integr\" is not a field type (expected text, integer, decimal, date, code or filler)"),
        ("check: {sum: [N.claim_cents]}", "check: {sum: [N.claim]}",
         "record T field sum_cents sums \"N.claim\", which is no field (expected RECORD.field)"),
        ("    maps_to: recall\n", "    maps_to: recal\n",
         "records[3].maps_to \"recal\" is not a domain record"),
        ("currency: EUR", "currency: EURO", "currency \"EURO\" is not an ISO 4217 code"),
        ("quote: '\"'", "quote: '\"'\ncolour: blue", "colour is not a known key (check its spelling in docs/layouts.md)"),
    ])
    func badLayoutFile(from: String, to: String, message: String) throws {
        let text = try String(contentsOfFile: LayoutFixtures.folder + "/custom/nordinkasso-portfolio.yaml", encoding: .utf8)
        let broken = text.replacingOccurrences(of: from, with: to)
        #expect(broken != text)
        do {
            _ = try Layout(yaml: broken, source: "nk.yaml")
            Issue.record("accepted")
        } catch let e as LayoutError {
            #expect(e.code == .badLayout)
            #expect(e.message.hasPrefix("nk.yaml: " + message), "\(e.message)")
            #expect(e.exitStatus == .config)
        }
    }

    @Test("fixed-width fields that overlap or overrun are refused")
    func overlap() throws {
        let yaml = """
            layout: t
            version: 1
            format: fixed_width
            currency: USD
            records:
              - name: X
                maps_to: ignore
                length: 10
                fields:
                  - {name: a, start: 1, length: 6, type: text}
                  - {name: b, start: 6, length: 5, type: text}
            """
        #expect(throws: LayoutError(.badLayout, "")) { try Layout(yaml: yaml, source: "t.yaml") }
        do { _ = try Layout(yaml: yaml, source: "t.yaml") } catch let e as LayoutError {
            #expect(e.message == "t.yaml: records[0]: field b at positions 6-10 overlaps another field at position 6")
        }
    }
}
