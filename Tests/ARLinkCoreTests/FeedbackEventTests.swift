@testable import ARLinkCore
import Testing

@Suite("Feedback events: the boxed fields behave like plain ones", .timeLimit(.minutes(10)))
struct FeedbackEventTests {
    static func dispute() -> FeedbackEvent {
        var event = FeedbackEvent(type: .dispute, eventID: "D1", accountRef: "C1")
        event.disputeReason = "quality"
        event.comment = "broken on arrival"
        return event
    }

    @Test("a copy changed afterwards leaves the original as it was (copy on write)")
    func copyOnWrite() {
        let original = Self.dispute()
        var copy = original
        copy.comment = "changed"
        copy.contact = ["city": "Köln"]
        #expect(original.comment == "broken on arrival")
        #expect(original.contact == nil)
        #expect(copy.comment == "changed")
        #expect(copy.contact == ["city": "Köln"])
        #expect(copy.disputeReason == "quality")
        #expect(original != copy)
    }

    @Test("equality and hashing follow the field values, whether the fields were ever set or set back to nil")
    func equality() {
        var a = FeedbackEvent(type: .payment, eventID: "P1", accountRef: "C1")
        let b = a
        a.comment = "temporary"
        a.reversesEventID = "P0"
        #expect(a != b)
        a.comment = nil
        a.reversesEventID = nil
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)

        var c = Self.dispute()
        var d = FeedbackEvent(type: .dispute, eventID: "D1", accountRef: "C1")
        d.comment = "broken on arrival"
        d.disputeReason = "quality"
        #expect(c == d)
        #expect(c.hashValue == d.hashValue)
        c.instalments = 3
        #expect(c != d)
        #expect(c.instalments == 3)
    }

    @Test("every boxed field keeps what was set")
    func everyField() throws {
        var event = FeedbackEvent(type: .acknowledgement, eventID: "A1", accountRef: "")
        let eur = try Currency("EUR")
        let totals = ControlTotals(counts: ["account": 2], totals: [eur: Money(minorUnits: 500, currency: eur)])
        event.reversesEventID = "P9"
        event.instalments = 4
        event.disputeReason = "amount"
        event.contact = ["email": "a@b.example"]
        event.acknowledgedBatchID = "batch-7"
        event.acknowledgedTotals = totals
        event.comment = "note"
        #expect(event.reversesEventID == "P9")
        #expect(event.instalments == 4)
        #expect(event.disputeReason == "amount")
        #expect(event.contact == ["email": "a@b.example"])
        #expect(event.acknowledgedBatchID == "batch-7")
        #expect(event.acknowledgedTotals == totals)
        #expect(event.comment == "note")
    }
}

@Suite("Decimal digits written into bytes", .timeLimit(.minutes(10)))
struct DecimalDigitsTests {
    @Test("every value comes out as its decimal text, where it was asked", arguments: [UInt64(0), 7, 10, 99, 100, 12_345, 1_000_000_007, .max])
    func digits(_ value: UInt64) {
        var bytes = [UInt8](repeating: UInt8(ascii: "#"), count: 24)
        let end = bytes.withUnsafeMutableBufferPointer { DecimalDigits.write(value, into: $0, at: 2) }
        let text = String(value)
        #expect(end == 2 + text.utf8.count)
        #expect(Array(bytes[2..<end]) == Array(text.utf8))
        #expect(bytes[0..<2] == [35, 35] && bytes[end...].allSatisfy { $0 == 35 }, "nothing written outside")
    }
}
