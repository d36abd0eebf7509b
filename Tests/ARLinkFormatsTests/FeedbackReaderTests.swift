import ARLinkCore
import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

@Suite("feedback.v1 reader: schema, trailer, caps", .timeLimit(.minutes(10)))
struct FeedbackReaderTests {
    let header = FileHeader(schema: "feedback.v1", fileID: "f-1", kind: "feedback", direction: "inbound", batchID: "b", sequence: 1,
                            sender: "acme-collect", recipient: "acme-corp", recipientKeySHA256: String(repeating: "a", count: 64),
                            createdAt: "2026-06-30T10:00:00Z", previousFileSHA256: nil)

    func write(_ lines: [String], trailer: String? = nil) throws -> (TemporaryDirectory, String) {
        let dir = try TemporaryDirectory("reader")
        let path = try dir.write("f.jsonl", ([FeedbackJSON.header(header)] + lines + (trailer.map { [$0] } ?? [])).joined(separator: "\n") + "\n")
        return (dir, path)
    }

    func readAll(_ path: String, cap: Int = FeedbackReader.defaultMaxLineBytes, format: FeedbackFormat = .jsonl) throws -> [FeedbackEvent] {
        let reader = try FeedbackReader(path: path, displayName: "f.jsonl", format: format, maxLineBytes: cap)
        var out: [FeedbackEvent] = []
        while let e = try reader.next() { out.append(e) }
        return out
    }

    static let payment = #"{"record_type":"payment","event_id":"P1","account_ref":"C1","amount":"12.50","currency":"EUR","occurred_on":"2026-06-29"}"#
    static let goodTrailer = #"{"record_type":"trailer","counts":{"payment":1},"totals":{"EUR":"12.50"}}"#

    @Test("a written file reads back event for event")
    func roundTrip() throws {
        let dir = try TemporaryDirectory("reader")
        defer { dir.remove() }
        var pay = FeedbackEvent(type: .payment, eventID: "P1", accountRef: "C\"1\\")
        pay.amount = Money(minorUnits: 1250, currency: try Currency("EUR"))
        pay.occurredOn = LocalDate(iso: "2026-06-29")
        var contact = FeedbackEvent(type: .contactUpdate, eventID: "C1", accountRef: "C2")
        contact.contact = ["city": "Zürich", "phone": "+41 44 000"]
        var ack = FeedbackEvent(type: .acknowledgement, eventID: "A1", accountRef: "")
        ack.acknowledgedBatchID = "B1"
        ack.acknowledgedTotals = ControlTotals(counts: ["place": 2], totals: [try Currency("IDR"): Money(minorUnits: 1_250_000, currency: try Currency("IDR"))])
        let path = dir.file("f.jsonl")
        let w = try FeedbackWriter(path: path, header: header)
        for e in [pay, contact, ack] { try w.write(e) }
        try w.finish()
        let reader = try FeedbackReader(path: path, displayName: "f")
        #expect(reader.header == header)
        var events: [FeedbackEvent] = []
        while let e = try reader.next() { events.append(e) }
        #expect(events == [pay, contact, ack])
        #expect(reader.totals.counts == ["payment": 1, "contact_update": 1, "acknowledgement": 1])
    }

    @Test("refusals, each with its own code", arguments: [
        ("missing trailer", FeedbackError.Code.missingTrailer),
        ("count mismatch", .trailerMismatch),
        ("total mismatch", .trailerMismatch),
        ("invalid JSON", .badJSON),
        ("unknown event type", .unknownEventType),
        ("unknown field", .badRecord),
        ("float amount", .badRecord),
        ("bad date", .badRecord),
        ("after trailer", .afterTrailer),
        ("second header", .badRecord),
        ("duplicate key", .badJSON),
    ])
    func refusals(_ c: (String, FeedbackError.Code)) throws {
        var lines = [Self.payment]
        var trailer: String? = Self.goodTrailer
        switch c.0 {
        case "missing trailer": trailer = nil
        case "count mismatch": trailer = #"{"record_type":"trailer","counts":{"payment":2},"totals":{"EUR":"12.50"}}"#
        case "total mismatch": trailer = #"{"record_type":"trailer","counts":{"payment":1},"totals":{"EUR":"12.51"}}"#
        case "invalid JSON": lines.append(#"{"record_type":"risk","event_id":"R1","#)
        case "unknown event type": lines.append(#"{"record_type":"bonus","event_id":"X1","account_ref":"C1"}"#)
        case "unknown field": lines = [#"{"record_type":"payment","event_id":"P1","account_ref":"C1","amount":"12.50","currency":"EUR","occurred_on":"2026-06-29","iban":"x"}"#]
        case "float amount": lines = [#"{"record_type":"payment","event_id":"P1","account_ref":"C1","amount":12.5,"currency":"EUR","occurred_on":"2026-06-29"}"#]
        case "bad date": lines = [#"{"record_type":"payment","event_id":"P1","account_ref":"C1","amount":"12.50","currency":"EUR","occurred_on":"2026-02-30"}"#]
        case "after trailer": trailer = Self.goodTrailer + "\n" + Self.payment
        case "second header": lines.append(FeedbackJSON.header(header))
        default: lines.append(#"{"record_type":"risk","record_type":"risk","event_id":"R1","account_ref":"C1","score":1,"segment":"a"}"#)
        }
        let (dir, path) = try write(lines, trailer: trailer)
        defer { dir.remove() }
        #expect(throws: FeedbackError(c.1, "")) { try readAll(path) }
    }

    @Test("a line over the cap is refused without reading it whole")
    func lineCap() throws {
        let (dir, path) = try write([#"{"record_type":"risk","event_id":"R1","account_ref":""# + String(repeating: "x", count: 5000) + #""}"#], trailer: Self.goodTrailer)
        defer { dir.remove() }
        #expect(throws: FeedbackError(.lineTooLong, "")) { try readAll(path, cap: 1024) }
    }

    @Test("an empty file and a file without a header are refused")
    func emptyAndHeaderless() throws {
        let dir = try TemporaryDirectory("reader")
        defer { dir.remove() }
        let empty = try dir.write("e.jsonl", "")
        #expect(throws: FeedbackError(.empty, "")) { try FeedbackReader(path: empty, displayName: "e") }
        let headerless = try dir.write("h.jsonl", Self.payment + "\n")
        #expect(throws: FeedbackError(.missingHeader, "")) { try FeedbackReader(path: headerless, displayName: "h") }
        let wrongSchema = try dir.write("w.jsonl", FeedbackJSON.header(FileHeader(schema: "portfolio.v1", fileID: "f", kind: "feedback", direction: "inbound", batchID: "b", sequence: 1, sender: "a", recipient: "b", recipientKeySHA256: String(repeating: "a", count: 64), createdAt: "2026-06-30T10:00:00Z", previousFileSHA256: nil)) + "\n")
        #expect(throws: FeedbackError(.badHeader, "")) { try FeedbackReader(path: wrongSchema, displayName: "w") }
    }

    @Test("the CSV flavour reads back event for event, and is checked by the same rules")
    func csvRoundTrip() throws {
        let dir = try TemporaryDirectory("reader")
        defer { dir.remove() }
        var pay = FeedbackEvent(type: .payment, eventID: "P1", accountRef: "C,\"1")
        pay.amount = Money(minorUnits: 1250, currency: try Currency("EUR"))
        pay.occurredOn = LocalDate(iso: "2026-06-29")
        pay.comment = "line one, with comma"
        var contact = FeedbackEvent(type: .contactUpdate, eventID: "C1", accountRef: "C2")
        contact.contact = ["city": "Zürich", "phone": "+41 44 000"]
        var promise = FeedbackEvent(type: .promise, eventID: "PR1", accountRef: "C2")
        promise.amount = Money(minorUnits: 500, currency: try Currency("EUR"))
        promise.promisedDate = LocalDate(iso: "2026-07-15")
        promise.instalments = 3
        var ack = FeedbackEvent(type: .acknowledgement, eventID: "A1", accountRef: "")
        ack.acknowledgedBatchID = "B1"
        ack.acknowledgedTotals = ControlTotals(counts: ["place": 2], totals: [try Currency("EUR"): Money(minorUnits: 30000, currency: try Currency("EUR"))])
        let path = dir.file("f.csv")
        let w = try FeedbackWriter(path: path, header: header, format: .csv)
        for e in [pay, contact, promise, ack] { try w.write(e) }
        try w.finish()
        let reader = try FeedbackReader(path: path, displayName: "f.csv", format: .csv)
        #expect(reader.header == header)
        var events: [FeedbackEvent] = []
        while let e = try reader.next() { events.append(e) }
        #expect(events == [pay, contact, promise, ack])
        // A wrong trailer and an unknown record type are refused with the JSON Lines codes.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let badTrailer = try dir.write("t.csv", text.replacingOccurrences(of: "trailer,acknowledgement=1;contact_update=1;payment=1;promise=1", with: "trailer,acknowledgement=1;contact_update=1;payment=2;promise=1"))
        #expect(throws: FeedbackError(.trailerMismatch, "")) { try readAll(badTrailer, format: .csv) }
        let unknown = try dir.write("u.csv", text.replacingOccurrences(of: "\nrisk", with: "\nbonus").replacingOccurrences(of: "\ncontact_update,", with: "\nbonus,"))
        #expect(throws: FeedbackError(.unknownEventType, "")) { try readAll(unknown, format: .csv) }
        #expect(FeedbackFormat.of(fileName: "a_b_feedback_20260630_000001.csv.p7m") == .csv)
        #expect(FeedbackFormat.of(fileName: "a_b_feedback_20260630_000001.jsonl.p7m") == .jsonl)
    }
}
