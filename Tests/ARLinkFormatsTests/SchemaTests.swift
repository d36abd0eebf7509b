import ARLinkCore
@testable import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

/// Validates portfolio lines with Python's `jsonschema` (Draft 2020-12), an independent validator.
@Suite("portfolio.v1 schema (python jsonschema)", .timeLimit(.minutes(10)))
struct SchemaTests {
    static let schema = RepositoryPaths.schemas + "/portfolio.v1.schema.json"

    static let validator = """
        import json, sys
        from jsonschema import Draft202012Validator
        schema = json.load(open(sys.argv[1]))
        Draft202012Validator.check_schema(schema)
        v = Draft202012Validator(schema)
        bad = 0
        count = 0
        for n, line in enumerate(open(sys.argv[2], encoding='utf-8'), 1):
            count += 1
            errors = sorted(v.iter_errors(json.loads(line)), key=lambda e: e.path)
            if errors:
                bad += 1
                print('line %d invalid: %s' % (n, errors[0].message[:200]))
        print('%d lines, %d invalid' % (count, bad))
        sys.exit(1 if bad else 0)
        """

    static func validate(_ path: String) throws -> ProcessResult {
        try ProcessRunner.run("python3", ["-c", validator, schema, path])
    }

    @Test("the committed example is valid")
    func example() throws {
        let result = try Self.validate(RepositoryPaths.schemas + "/examples/portfolio.example.jsonl")
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("5 lines, 0 invalid"))
    }

    @Test("the committed example reads back with the trailer matching")
    func exampleReads() throws {
        let contents = try PortfolioReader.read(path: RepositoryPaths.schemas + "/examples/portfolio.example.jsonl")
        #expect(contents.records.count == 3)
        #expect(contents.header.schema == "portfolio.v1")
    }

    @Test("what PortfolioWriter writes is valid")
    func writerOutput() throws {
        let dir = try TemporaryDirectory("schema")
        defer { dir.remove() }
        let written = try SamplePortfolio.write(dir, .jsonl)
        let result = try Self.validate(written.path)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("5 lines, 0 invalid"))
    }

    @Test("a broken line is refused by the schema", arguments: [
        ("\"amount\":\"1200.00\"", "\"amount\":1200.0"),
        ("\"record_type\":\"place\"", "\"record_type\":\"placed\""),
        ("\"due_date\":\"2025-03-31\"", "\"due_date\":\"31.03.2025\""),
        ("\"recall_reason\":null", "\"recall_reason\":\"disputed\""),
        ("\"account_ref\":\"C-0001\",", "\"account_ref\":\"C-0001\",\"iban\":\"DE00\","),
    ])
    func brokenLine(from: String, to: String) throws {
        let dir = try TemporaryDirectory("schema")
        defer { dir.remove() }
        let lines = try String(contentsOfFile: RepositoryPaths.schemas + "/examples/portfolio.example.jsonl", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let broken = lines[1].replacingOccurrences(of: from, with: to)
        #expect(broken != lines[1])
        let path = try dir.write("broken.jsonl", ([lines[0], broken] + lines.dropFirst(2)).joined(separator: "\n") + "\n")
        let result = try Self.validate(path)
        #expect(result.status == 1)
        #expect(result.stdout.contains("line 2 invalid"))
        #expect(result.stdout.contains("5 lines, 1 invalid"))
    }
}

@Suite("SHA-256", .timeLimit(.minutes(10)))
struct SHA256Tests {
    @Test("FIPS 180 vectors and odd split points", arguments: [0, 1, 55, 56, 63, 64, 65, 1000])
    func vectors(length: Int) throws {
        let data = [UInt8]((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        var whole = SHA256()
        whole.update(data)
        var pieces = SHA256()
        var i = 0
        while i < data.count {
            let n = min(13, data.count - i)
            pieces.update(Array(data[i..<i + n]))
            i += n
        }
        let a = whole.finalizeHex(), b = pieces.finalizeHex()
        #expect(a == b)
        let dir = try TemporaryDirectory("sha")
        defer { dir.remove() }
        let path = try writeBytes(dir, "d.bin", data)
        #expect(try ProcessRunner.run("sha256sum", [path]).stdout.hasPrefix(a))
    }

    @Test func knownAnswers() {
        var empty = SHA256()
        #expect(empty.finalizeHex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var abc = SHA256()
        abc.update(Array("abc".utf8))
        #expect(abc.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
