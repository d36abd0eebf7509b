import ARLinkCore
@testable import ARLinkLayouts
import ARLinkTestSupport
import Foundation
import Testing

/// The fixed-width byte path: encodings at field level, positions in characters for UTF-8,
/// and agreement with the String-based codec (`FieldCodec`, `LayoutWriter.line`) it replaced
/// on the hot path.
@Suite("Fixed-width layouts on bytes")
struct FixedWidthBytesTests {
    static func layout(_ encoding: String) throws -> Layout {
        try Layout(yaml: """
            layout: bytes-test
            version: 1
            format: fixed_width
            encoding: \(encoding)
            currency: EUR
            records:
              - name: ACK
                length: 40
                maps_to: acknowledgement
                fields:
                  - {name: record_type, start: 1, length: 3, type: text, value: ACK}
                  - {name: file_number, start: 4, length: 6, type: integer, domain: file_number}
                  - {name: who, start: 10, length: 10, type: text}
                  - {name: amount, start: 20, length: 9, type: decimal, places: 2, domain: original_balance}
                  - {name: on, start: 29, length: 8, type: date, format: CCYYMMDD, "null": "19000101", domain: occurred_on}
                  - {name: filler, start: 37, length: 4, type: filler}
            """, source: "test")
    }

    static func record(_ who: String) -> OutRecord {
        OutRecord(type: "ACK", values: ["file_number": .integer(42), "who": .text(who), "amount": .amount(-1234),
                                        "on": .date(LocalDate(iso: "2026-01-31")!)], context: "t")
    }

    @Test("Latin-1: one byte per character, read back the same")
    func latin1() throws {
        let layout = try Self.layout("latin1")
        let bytes = try LayoutWriter(layout: layout).render([Self.record("Müller")], fileValues: [:])
        #expect(bytes.count == 41)
        #expect(bytes[10] == 0xFC)  // ü in ISO 8859-1
        #expect(Array(bytes[19..<28]) == Array("-00012.34".utf8))
        let file = try LayoutReader(layout: layout).read(bytes, name: "f")
        #expect(file.records.first?["who"] == .text("Müller"))
        #expect(file.records.first?["amount"] == .amount(-1234))
        #expect(file.records.first?["on"] == .date(LocalDate(iso: "2026-01-31")!))
    }

    @Test("UTF-8: positions count characters; a line with multi-byte text keeps its fields in place")
    func utf8() throws {
        let layout = try Self.layout("utf8")
        for who in ["Müller", "Zoë e\u{301}", "東京"] {
            let bytes = try LayoutWriter(layout: layout).render([Self.record(who)], fileValues: [:])
            #expect(bytes.count == 41 + who.utf8.count - who.unicodeScalars.count, "\(who)")
            let file = try LayoutReader(layout: layout).read(bytes, name: "f")
            let r = try #require(file.records.first)
            #expect(r["who"] == .text(who))
            #expect(r["file_number"] == .integer(42))
            #expect(r["amount"] == .amount(-1234))
            #expect(r["on"] == .date(LocalDate(iso: "2026-01-31")!))
        }
        // Eleven characters do not fit ten, whatever their bytes.
        #expect(throws: LayoutError(.cannotRender, "")) { try LayoutWriter(layout: layout).render([Self.record("ÄÄÄÄÄÄÄÄÄÄÄ")], fileValues: [:]) }
    }

    @Test("ASCII: a character outside ASCII is refused when written, naming the field")
    func ascii() throws {
        let layout = try Self.layout("ascii")
        do {
            _ = try LayoutWriter(layout: layout).render([Self.record("Müller")], fileValues: [:])
            Issue.record("written")
        } catch let error as LayoutError {
            #expect(error.message == "t, record ACK: field who holds a character the layout's ascii encoding cannot carry (U+FC)")
        }
    }

    @Test("the byte writer writes what the String renderer does (random AIM portfolios)", arguments: [1, 2, 3] as [UInt64])
    func writerAgrees(seed: UInt64) throws {
        let layout = try #require(try BuiltinLayouts.layout(named: "latitude-aim", direction: .portfolio))
        var random = SplitMix(seed: seed)
        let writer = LayoutWriter(layout: layout)
        for _ in 0..<200 {
            let n = Int64(random.next() % 999_999_999)
            let amount = Int64(random.next() % 10_000_000_000) - (random.next() % 4 == 0 ? 5_000_000_000 : 0)
            let day = LocalDate(daysSinceEpoch: Int32(random.next() % 40_000))
            let name = String((0..<Int(random.next() % 30)).map { _ in Character(Unicode.Scalar(UInt8(0x20 + random.next() % 0xDF))) })
                .replacingOccurrences(of: "\u{7F}", with: "x")
            let records = [
                OutRecord(type: "CACT", values: ["file_number": .integer(n), "account": .text("A-\(n)"), "principal": .amount(amount),
                                                 "last_paid": random.next() % 2 == 0 ? .null : .date(day), "userdate1": .date(day)], context: "r"),
                OutRecord(type: "CMIS", values: ["file_number": .integer(n), "account": .text("A-\(n)"), "title": .text("name"),
                                                 "misc_data": .text(name)], context: "r"),
            ]
            var expected: [UInt8] = []
            for r in records {
                for s in (try writer.line(r) + layout.lineEnding).unicodeScalars { expected.append(UInt8(s.value)) }
            }
            let rendered = try writer.render(records, fileValues: ["agency_id": .text("AGY"), "agency_name": .text("Agency"), "created_on": .date(day)])
            #expect(Array(rendered.prefix(expected.count)) == expected)
        }
    }

    @Test("the byte reader decodes what the String codec does (random field text)", arguments: [7, 8] as [UInt64])
    func readerAgrees(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        let alphabet = Array("0123456789 .-+/ aZ".utf8)
        let fields: [FieldLayout] = [
            FieldLayout(name: "i", start: 1, length: 12, column: nil, type: .integer(pad: "0"), required: false),
            FieldLayout(name: "d", start: 1, length: 12, column: nil, type: .decimal(places: 2, implied: false, pad: "0"), required: false),
            FieldLayout(name: "d0", start: 1, length: 12, column: nil, type: .decimal(places: 0, implied: false, pad: "0"), required: true),
            FieldLayout(name: "m", start: 1, length: 12, column: nil, type: .decimal(places: 2, implied: true, pad: "0"), required: false),
            FieldLayout(name: "t", start: 1, length: 12, column: nil, type: .date(format: "CCYYMMDD", null: "19000101"), required: false),
            FieldLayout(name: "u", start: 1, length: 12, column: nil, type: .date(format: "DD.MM.YYYY", null: nil), required: false),
        ]
        let place = LayoutPlace(file: "f", line: 1, recordType: "R", field: "x", position: "positions 1-12")
        var agreed = 0
        for _ in 0..<20_000 {
            var bytes = (0..<Int(random.next() % 13)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            if random.next() % 3 == 0 { bytes = Array(String(Int64(bitPattern: random.next()) % 10_000_000_000).utf8) }
            if random.next() % 4 == 0 { bytes = Array("2026\(random.next() % 2 == 0 ? "02" : "13")\(10 + random.next() % 25)".utf8) }
            let field = fields[Int(random.next() % UInt64(fields.count))]
            let text = String(decoding: bytes, as: UTF8.self)
            let viaString = Result { try FieldCodec.decode(text, field: field, place: place) }
            let viaBytes = Result { try FieldBytes.decode(bytes, from: 0, to: bytes.count, field: field, encoding: .ascii) { place } }
            switch (viaString, viaBytes) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(field.name) \"\(text)\""); agreed += 1
            case (.failure(let a as LayoutError), .failure(let b as LayoutError)): #expect(a.message == b.message, "\(field.name) \"\(text)\"")
            default: Issue.record("\(field.name) \"\(text)\": \(viaString) vs \(viaBytes)")
            }
        }
        #expect(agreed > 2_000)
    }
}
