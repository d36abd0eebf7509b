import ARLinkCore
@testable import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

@Suite("CSV reader (RFC 4180)", .timeLimit(.minutes(10)))
struct CSVReaderTests {
    /// Reads every record of `text` with the given chunk size into arrays of strings, with lines.
    static func records(_ text: [UInt8], chunk: Int, delimiter: UInt8 = UInt8(ascii: ",")) throws -> [(line: Int, fields: [String])] {
        let dir = try TemporaryDirectory("csv")
        defer { dir.remove() }
        let path = try writeBytes(dir, "in.csv", text)
        let reader = try CSVReader(path: path, options: CSVOptions(delimiter: delimiter, chunkSize: chunk, maxRecordBytes: 4096))
        var out: [(Int, [String])] = []
        while try reader.nextRecord() {
            var fields: [String] = []
            for i in 0..<reader.fieldCount { fields.append(try reader.string(i, column: "c", trim: false)) }
            out.append((reader.line, fields))
        }
        return out
    }

    static let tricky: [UInt8] = Array((
        "\u{FEFF}id,text,amount\r\n"
            + "1,plain,10.00\r\n"
            + "2,\"quoted, with comma\",20.00\n"
            + "3,\"multi\nline\r\nfield\",30.00\r\n"
            + "4,\"say \"\"hi\"\"\",40.00\n"
            + "\n"
            + "5,,\"\"\n"
            + "6,\"\",x\r"
            + "7,last,70.00"
    ).utf8)

    @Test("quoted fields, doubled quotes, embedded line breaks, CRLF/LF/CR, BOM, blank lines", arguments: [1, 2, 3, 5, 7, 11, 16, 64, 1 << 20])
    func edgeCases(chunk: Int) throws {
        let rows = try Self.records(Self.tricky, chunk: chunk)
        #expect(rows.map(\.fields) == [
            ["id", "text", "amount"],
            ["1", "plain", "10.00"],
            ["2", "quoted, with comma", "20.00"],
            ["3", "multi\nline\r\nfield", "30.00"],
            ["4", "say \"hi\"", "40.00"],
            ["5", "", ""],
            ["6", "", "x"],
            ["7", "last", "70.00"],
        ])
        // Physical lines: the multi-line record starts on line 4 and spans 3 lines; a blank line is skipped.
        #expect(rows.map(\.line) == [1, 2, 3, 4, 7, 9, 10, 11])
    }

    @Test("semicolon and tab delimiters", arguments: [UInt8(ascii: ";"), 9])
    func otherDelimiters(delimiter: UInt8) throws {
        let d = String(UnicodeScalar(delimiter))
        let text = "a\(d)b\(d)c\n1\(d)\"x\(d)y\"\(d)3\n"
        let rows = try Self.records(Array(text.utf8), chunk: 4, delimiter: delimiter)
        #expect(rows.map(\.fields) == [["a", "b", "c"], ["1", "x\(d)y", "3"]])
    }

    @Test("a record longer than the cap is refused, straddling chunks or not", arguments: [7, 1 << 20])
    func lineTooLong(chunk: Int) throws {
        let dir = try TemporaryDirectory("csv")
        defer { dir.remove() }
        let path = try dir.write("long.csv", "a,b\n1," + String(repeating: "x", count: 5000) + "\n2,y\n")
        let reader = try CSVReader(path: path, options: CSVOptions(chunkSize: chunk, maxRecordBytes: 1024))
        #expect(try reader.nextRecord())
        let error = formatError { _ = try reader.nextRecord() }
        #expect(error?.code == .lineTooLong)
        #expect(error?.message.contains("long.csv line 2") == true)
        #expect(error?.message.contains("1024 bytes") == true)
    }

    @Test("more fields than the cap")
    func tooManyFields() throws {
        let dir = try TemporaryDirectory("csv")
        defer { dir.remove() }
        let path = try dir.write("wide.csv", String(repeating: "x,", count: 20) + "x\n")
        let reader = try CSVReader(path: path, options: CSVOptions(maxFields: 8))
        let error = formatError { _ = try reader.nextRecord() }
        #expect(error?.code == .tooManyFields)
        #expect(error?.message.contains("more than 8 fields") == true)
    }

    @Test("text after a closing quote is refused")
    func badQuote() throws {
        let error = formatError { _ = try Self.records(Array("a,b\n\"x\"y,1\n".utf8), chunk: 1 << 20) }
        #expect(error?.code == .badQuote)
        #expect(error?.message.contains("in.csv line 2") == true)
    }

    @Test("a missing file is unreadable and exits 66")
    func missingFile() {
        let error = formatError { _ = try CSVReader(path: "/nonexistent/folder/open_items.csv") }
        #expect(error?.code == .unreadable)
        #expect(error?.exitStatus == .noInput)
        #expect(error?.message.contains("open_items.csv does not exist") == true)
    }

    @Test("invalid UTF-8 in a kept field names line and column, not the value")
    func notUTF8() throws {
        let dir = try TemporaryDirectory("csv")
        defer { dir.remove() }
        let path = try writeBytes(dir, "latin1.csv", Array("name\n".utf8) + [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x0A])
        let reader = try CSVReader(path: path)
        _ = try reader.readHeader()
        #expect(try reader.nextRecord())
        let error = formatError { _ = try reader.string(0, column: "name") }
        #expect(error?.code == .notUTF8)
        #expect(error?.message.hasPrefix("latin1.csv line 2, column \"name\": the value is not valid UTF-8") == true)
    }
}

@Suite("Byte-keyed tables", .timeLimit(.minutes(10)))
struct ByteKeyTableTests {
    static func withKey<R>(_ key: String, _ body: (Span<UInt8>) -> R) -> R {
        let bytes = Array(key.utf8)
        return body(bytes.span)
    }

    @Test("short and long keys, growth, absent keys, repeats")
    func table() {
        var table = ByteKeyTable(expected: 4)
        let keys = (0..<5_000).map { i in String(repeating: "k", count: i % 40) + "\(i)" }
        for (i, key) in keys.enumerated() {
            #expect(Self.withKey(key) { table.insert($0, value: Int32(i)) } == nil)
        }
        #expect(table.count == keys.count)
        var wrong = 0
        for (i, key) in keys.enumerated() where Self.withKey(key, { table.find($0) }) != Int32(i) { wrong += 1 }
        #expect(wrong == 0)
        #expect(Self.withKey("k7") { table.insert($0, value: 99) } == nil)
        #expect(Self.withKey("0") { table.insert($0, value: 99) } == 0)
        #expect(Self.withKey("k1") { table.insert($0, value: 99) } == 1)
        #expect(Self.withKey(String(repeating: "k", count: 39) + "39") { table.find($0) } == 39)
        #expect(Self.withKey("nope") { table.find($0) } == nil)
        #expect(Self.withKey(String(repeating: "k", count: 39) + "39x") { table.find($0) } == nil)
        #expect(Self.withKey("") { table.find($0) } == nil)
    }

    @Test("duplicate finder: repeats with their first line, across appended parts")
    func duplicates() {
        var first = DuplicateFinder(expected: 4)
        var second = DuplicateFinder(expected: 4)
        for (line, key) in [(2, "A"), (3, "B-long-invoice-number-0001"), (4, "C")] { Self.withKey(key) { first.add($0, line: line) } }
        for (line, key) in [(5, "B-long-invoice-number-0001"), (6, "D"), (7, "A"), (8, "A")] { Self.withKey(key) { second.add($0, line: line) } }
        first.append(second)
        let keys: [Int: String] = [2: "A", 3: "B-long-invoice-number-0001", 4: "C", 5: "B-long-invoice-number-0001", 6: "D", 7: "A", 8: "A"]
        var asked: Set<Int> = []
        let found = first.duplicates { lines in
            asked = lines
            return keys.filter { lines.contains($0.key) }.mapValues { Array($0.utf8) }
        }
        // Only the lines whose hash repeats are read again.
        #expect(asked == [2, 3, 5, 7, 8])
        #expect(found.map(\.line) == [5, 7, 8])
        #expect(found.map(\.firstLine) == [3, 2, 2])
        #expect(found.map { String(decoding: $0.key, as: UTF8.self) } == ["B-long-invoice-number-0001", "A", "A"])
    }
}
