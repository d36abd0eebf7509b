import ARLinkCore
import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

/// Validates the examples and what arlink writes with Python's `jsonschema` (Draft 2020-12).
@Suite("feedback, erp-update and receipt schemas (python jsonschema)", .timeLimit(.minutes(10)))
struct InboundSchemaTests {
    static func validate(schema: String, file: String) throws -> ProcessResult {
        try JSONLinesSchema.validate(schema: schema, file: file)
    }

    @Test("the examples validate", arguments: [
        ("feedback.v1.schema.json", "feedback.example.jsonl"),
        ("erp-update.v1.schema.json", "erp-update.example.jsonl"),
        ("receipt.v1.schema.json", "receipt.example.jsonl"),
    ])
    func examples(_ c: (String, String)) throws {
        let r = try Self.validate(schema: c.0, file: RepositoryPaths.schemas + "/examples/" + c.1)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }

    @Test("the feedback example reads with arlink's reader and its trailer matches")
    func exampleReads() throws {
        let reader = try FeedbackReader(path: RepositoryPaths.schemas + "/examples/feedback.example.jsonl", displayName: "example")
        var n = 0
        while try reader.next() != nil { n += 1 }
        #expect(n == 9)
        #expect(reader.header.sender == "acme-collect")
    }

    @Test("a broken line is refused by the schema too", arguments: [
        #"{"record_type":"payment","event_id":"P1","account_ref":"C1","amount":12.5,"currency":"EUR","occurred_on":"2026-06-29"}"#,
        #"{"record_type":"bonus","event_id":"P1","account_ref":"C1"}"#,
        #"{"record_type":"risk","event_id":"R1","account_ref":"C1","score":1001,"segment":"a"}"#,
        #"{"record_type":"promise","event_id":"../x","account_ref":"C1","amount":"1.00","currency":"EUR","promised_date":"2026-07-01"}"#,
    ])
    func brokenLines(_ line: String) throws {
        let dir = try TemporaryDirectory("schema")
        defer { dir.remove() }
        let path = try dir.write("bad.jsonl", line + "\n")
        #expect(try Self.validate(schema: "feedback.v1.schema.json", file: path).status != 0)
    }
}
