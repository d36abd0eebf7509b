import ARLinkCore
import ARLinkFormats
import ARLinkSystem
import Foundation
import Testing

@Suite("ERP update records rendered as bytes (JSON and CSV)", .timeLimit(.minutes(10)))
struct ERPUpdateBytesTests {
    static func update(_ comment: String?, amount: Money?, open: Money? = nil, date: LocalDate? = LocalDate(iso: "2026-11-29"),
                       contact: [String: String]? = nil, score: Int? = nil, invoice: String? = "INV-1") -> ERPUpdate {
        var u = ERPUpdate(updateID: "p-abc-2-1", partner: "acme-collect", sourceEventID: "E\"1", sourceEventType: "payment",
                          sourceFileID: "f-1", accountRef: "C,1", invoiceNumber: invoice, status: .partiallyPaid)
        u.amount = amount
        u.openAmount = open
        u.date = date
        u.comment = comment
        u.contact = contact
        u.riskScore = score
        u.riskSegment = score.map { _ in "high" }
        return u
    }

    static let eur = try! Currency("EUR")
    static let jpy = try! Currency("JPY")

    @Test("JSON parses back (Foundation's parser) to every field, escapes included") func jsonRoundTrip() throws {
        let tricky = "line\nbreak \"quoted\" back\\slash tab\t ctrl\u{01} del\u{7F} ünïcode €"
        let u = Self.update(tricky, amount: Money(minorUnits: -1205, currency: Self.eur), open: Money(minorUnits: 7, currency: Self.eur),
                            contact: ["phone": "+49 30 1", "city": "Köln"], score: 0)
        let text = ERPUpdateJSON.record(u)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["record_type"] as? String == "update")
        #expect(object["update_id"] as? String == "p-abc-2-1")
        #expect(object["source_event_id"] as? String == "E\"1")
        #expect(object["account_ref"] as? String == "C,1")
        #expect(object["amount"] as? String == "-12.05")
        #expect(object["open_amount"] as? String == "0.07")
        #expect(object["currency"] as? String == "EUR")
        #expect(object["date"] as? String == "2026-11-29")
        #expect(object["comment"] as? String == tricky)
        #expect(object["contact"] as? [String: String] == ["phone": "+49 30 1", "city": "Köln"])
        #expect(object["risk_score"] as? Int == 0)
        #expect(object["risk_segment"] as? String == "high")
        #expect(text.contains(#""contact":{"city":"Köln","phone":"+49 30 1"}"#), "contact keys sorted")
    }

    @Test("an update id that needs escaping is escaped in JSON and quoted and guarded in CSV, alone and both at once")
    func trickyUpdateID() throws {
        var u = Self.update(nil, amount: nil)
        u.updateID = "=id,\"1\"\n"
        let text = ERPUpdateJSON.record(u)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["update_id"] as? String == "=id,\"1\"\n")
        #expect(ERPUpdateJSON.csvRow(u).hasPrefix("update,\"'=id,\"\"1\"\"\n\",acme-collect,"))
        let json = ByteBuffer(), csv = ByteBuffer()
        ERPUpdateBytes.appendBoth(u, json: json, csv: csv)
        #expect(String(decoding: json.bytes, as: UTF8.self) == text)
        #expect(String(decoding: csv.bytes, as: UTF8.self) == ERPUpdateJSON.csvRow(u))
    }

    @Test("JSON: absent values left out, invoice_number null, zero-exponent currencies") func jsonOptional() throws {
        let text = ERPUpdateJSON.record(Self.update(nil, amount: Money(minorUnits: 1500, currency: Self.jpy), date: nil, invoice: nil))
        #expect(text == #"{"record_type":"update","update_id":"p-abc-2-1","partner":"acme-collect","source_event_id":"E\"1","source_event_type":"payment","source_file_id":"f-1","account_ref":"C,1","invoice_number":null,"status":"partially_paid","amount":"1500","currency":"JPY"}"#)
    }

    @Test("CSV: quoting, formula guard, empty columns, every column in place") func csv() {
        let u = Self.update("=SUM(A1)", amount: Money(minorUnits: 5, currency: Self.eur), contact: ["email": "a@b", "street": "Main \"1\""], score: 999)
        #expect(ERPUpdateJSON.csvRow(u)
            == #"update,p-abc-2-1,acme-collect,"E""1",payment,f-1,"C,1",INV-1,partially_paid,0.05,,EUR,2026-11-29,'=SUM(A1),"Main ""1""",,,,,a@b,999,high"#)
        let negative = Self.update("-5 is not a formula", amount: Money(minorUnits: -100, currency: Self.eur), date: nil, invoice: nil)
        #expect(ERPUpdateJSON.csvRow(negative)
            == #"update,p-abc-2-1,acme-collect,"E""1",payment,f-1,"C,1",,partially_paid,-1.00,,EUR,,'-5 is not a formula,,,,,,,,"#)
        #expect(ERPUpdateJSON.csvRow(u).split(separator: ",", omittingEmptySubsequences: false).count >= ERPUpdateWriter.csvColumns.count)
    }

    @Test("every status is written as its raw value, plain in both formats")
    func statuses() throws {
        for status in CollectionStatus.allCases {
            let u = ERPUpdate(updateID: "u", partner: "p", sourceEventID: "e", sourceEventType: "status", sourceFileID: nil,
                              accountRef: "a", invoiceNumber: nil, status: status)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(ERPUpdateJSON.record(u).utf8)) as? [String: Any])
            #expect(object["status"] as? String == status.rawValue)
            #expect(ERPUpdateJSON.csvRow(u).split(separator: ",", omittingEmptySubsequences: false)[8] == Substring(status.rawValue))
            let json = ByteBuffer(), csv = ByteBuffer()
            ERPUpdateBytes.appendBoth(u, json: json, csv: csv)
            #expect(String(decoding: json.bytes, as: UTF8.self) == ERPUpdateJSON.record(u))
            #expect(String(decoding: csv.bytes, as: UTF8.self) == ERPUpdateJSON.csvRow(u))
        }
    }

    @Test("dates as bytes match LocalDate.iso over four centuries, a day at a time")
    func everyDate() {
        let bytes = ByteBuffer(capacity: 16)
        for days in Int32(-25_567)...Int32(120_000) {  // 1900-01-01 to 2298
            let date = LocalDate(daysSinceEpoch: days)
            bytes.removeAll()
            ERPUpdateBytes.appendISO(date, to: bytes)
            if String(decoding: bytes.bytes, as: UTF8.self) != date.iso { Issue.record("\(days): \(date.iso)"); return }
        }
    }

    @Test("dates and amounts as bytes match their String forms", arguments: [0, 1, 9, 10, 99, 100, 12345, 1_000_000_007, Int64.max / 1000])
    func numbers(_ minor: Int64) {
        for currency in [Self.eur, Self.jpy, try! Currency("BHD")] {
            for sign: Int64 in [1, -1] {
                let bytes = ByteBuffer(capacity: 4)  // small: growing is exercised too
                ERPUpdateBytes.appendMoney(Money(minorUnits: sign * minor, currency: currency), to: bytes)
                #expect(String(decoding: bytes.bytes, as: UTF8.self) == Money(minorUnits: sign * minor, currency: currency).decimalString)
            }
        }
        let date = LocalDate(daysSinceEpoch: Int32(truncatingIfNeeded: minor % 3_000_000))
        let bytes = ByteBuffer(capacity: 4)
        ERPUpdateBytes.appendISO(date, to: bytes)
        #expect(String(decoding: bytes.bytes, as: UTF8.self) == date.iso)
    }
}
