import ARLinkTestSupport
import Foundation
import Testing

/// `arlink layout check` through the built binary: good and bad layout files (each bad one
/// with its specific message and exit 78), the schema's verdict from an independent validator
/// (Python's jsonschema) beside arlink's, and sample files read through a layout (exit 65
/// naming line, record, field and position).
@Suite("arlink layout check", .timeLimit(.minutes(10)))
struct LayoutCheckCommandTests {
    static func run(_ args: [String], cwd: String? = nil) throws -> ProcessResult {
        try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["layout", "check"] + args, currentDirectory: cwd ?? RepositoryPaths.root)
    }

    /// Whether `schemas/layout.v1.schema.json` accepts the YAML file (jsonschema, not arlink).
    static func schemaAccepts(_ path: String) throws -> Bool {
        let r = try ProcessRunner.run("python3", ["-c", """
            import json,sys,yaml,jsonschema
            try:
                jsonschema.validate(yaml.safe_load(open(sys.argv[2])), json.load(open(sys.argv[1])))
            except jsonschema.ValidationError as e:
                print(e.message); sys.exit(1)
            """, RepositoryPaths.root + "/schemas/layout.v1.schema.json", path])
        return r.status == 0
    }

    /// A small fixed-width feedback layout; `records` replaces its record list.
    static func layout(_ records: String) -> String {
        """
        layout: check-test
        version: 1
        format: fixed_width
        currency: EUR
        records:
        \(records)
        """
    }

    static let payment = """
          - name: PAY
            length: 40
            maps_to: payment
            fields:
              - {name: record_type, start: 1, length: 3, type: text, value: PAY}
              - {name: file_number, start: 4, length: 9, type: integer, required: true, domain: file_number}
              - {name: id, start: 13, length: 10, type: text, required: true, domain: payment_id}
              - {name: amount, start: 23, length: 10, type: decimal, places: 2, required: true, domain: amount}
              - {name: paid_on, start: 33, length: 8, type: date, format: CCYYMMDD, required: true, domain: occurred_on}
        """
    static let trailer = """
          - name: TRL
            role: trailer
            length: 30
            fields:
              - {name: record_type, start: 1, length: 3, type: text, value: TRL}
              - {name: records, start: 4, length: 7, type: integer, check: {count: []}}
              - {name: total, start: 11, length: 12, type: decimal, places: 2, check: {sum: [PAY.amount]}}
              - {name: filler, start: 23, length: 8, type: filler}
        """

    @Test("the built-in layouts and the custom test layouts pass, by arlink and by the schema")
    func goodLayouts() throws {
        for builtin in ["latitude-aim", "latitude-aim-pipe"] {
            let r = try Self.run(["--layout", builtin])
            #expect(r.status == 0, "\(builtin): \(r.stdout) \(r.stderr)")
            #expect(r.stdout.contains("(portfolio): ok") && r.stdout.contains("(feedback): ok"), "\(r.stdout)")
        }
        for file in ["layouts/latitude-aim-portfolio.yaml", "layouts/latitude-aim-feedback.yaml",
                     "Tests/ARLinkLayoutsTests/Fixtures/custom/nordinkasso-feedback.yaml", "Tests/ARLinkLayoutsTests/Fixtures/custom/nordinkasso-portfolio.yaml"] {
            let r = try Self.run(["--layout", file])
            #expect(r.status == 0, "\(file): \(r.stdout)")
            #expect(try Self.schemaAccepts(RepositoryPaths.root + "/" + file), "\(file)")
        }
        let dir = try TemporaryDirectory("layout-check")
        defer { dir.remove() }
        try dir.write("good.yaml", Self.layout(Self.payment + "\n" + Self.trailer))
        let r = try Self.run(["--layout", dir.file("good.yaml"), "--log-format", "json"])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("\"exit_status\":0") && r.stdout.contains("\"direction\":\"feedback\""), "\(r.stdout)")
    }

    /// Bad layouts: what the schema says (jsonschema), arlink's message, exit 78.
    static let badLayouts: [(name: String, records: String, schemaAccepts: Bool, message: String)] = [
        ("unknown-key", payment.replacingOccurrences(of: "maps_to: payment", with: "maps_to: payment\n    colour: red") + "\n" + trailer,
         false, "records[0].colour is not a known key"),
        ("overlap", payment.replacingOccurrences(of: "start: 23, length: 10", with: "start: 20, length: 13") + "\n" + trailer,
         true, "field amount at positions 20-32 overlaps another field at position 20"),
        ("gap", payment.replacingOccurrences(of: "start: 13, length: 10", with: "start: 13, length: 8") + "\n" + trailer,
         true, "record PAY: positions 21-22 are covered by no field"),
        ("unknown-domain", payment.replacingOccurrences(of: "domain: payment_id", with: "domain: payment_ident") + "\n" + trailer,
         true, "record PAY field id: domain \"payment_ident\" is not an arlink value for a feedback record"),
        ("no-count", payment + "\n" + trailer.replacingOccurrences(of: "check: {count: []}", with: "domain: created_on"),
         true, "trailer TRL has no field with check: {count: []}"),
        ("mixed-directions", payment + "\n" + trailer + "\n" + """
          - name: ACT
            length: 12
            maps_to: placement
            fields:
              - {name: record_type, start: 1, length: 3, type: text, value: ACT}
              - {name: file_number, start: 4, length: 9, type: integer, domain: file_number}
        """, true, "mix portfolio records"),
        ("bad-status-code", payment + "\n" + trailer + "\n" + """
          - name: STA
            length: 15
            maps_to: status
            fields:
              - {name: record_type, start: 1, length: 3, type: text, value: STA}
              - {name: file_number, start: 4, length: 9, type: integer, domain: file_number}
              - {name: code, start: 13, length: 3, type: code, domain: status, codes: {CON: contacted, WIN: won}}
        """, true, "code \"WIN\" maps to \"won\", which is not a status"),
    ]

    @Test("a bad layout file exits 78 with the specific problem", arguments: 0..<7)
    func badLayout(_ index: Int) throws {
        let bad = Self.badLayouts[index]
        let dir = try TemporaryDirectory("layout-check")
        defer { dir.remove() }
        try dir.write(bad.name + ".yaml", Self.layout(bad.records))
        let path = dir.file(bad.name + ".yaml")
        let r = try Self.run(["--layout", path])
        #expect(r.status == 78, "\(bad.name): \(r.status) \(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains(bad.message), "\(bad.name): \(r.stdout)")
        // The schema's own verdict: structural errors are the schema's, the others semantic rules.
        #expect(try Self.schemaAccepts(path) == bad.schemaAccepts, "\(bad.name)")
    }

    @Test("a sample is read through the layout; a bad one exits 65 naming line, record, field and position")
    func sample() throws {
        let dir = try TemporaryDirectory("layout-check")
        defer { dir.remove() }
        try dir.write("agency.yaml", Self.layout(Self.payment + "\n" + Self.trailer))
        let good = "PAY000000017BK-1      0000120.5020260103\nPAY000000018BK-2      0000010.0020260104\nTRL0000002000000130.50        \n"
        try dir.write("good.txt", good)
        var r = try Self.run(["--layout", dir.file("agency.yaml"), "--sample", dir.file("good.txt"), "--direction", "in"])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("good.txt: 2 records (2 PAY), trailer TRL checks pass; 2 events"), "\(r.stdout)")
        try dir.write("bad-date.txt", good.replacingOccurrences(of: "20260104", with: "20261304"))
        r = try Self.run(["--layout", dir.file("agency.yaml"), "--sample", dir.file("bad-date.txt")])
        #expect(r.status == 65, "\(r.stdout)")
        #expect(r.stdout.contains("bad-date.txt line 2, record PAY, field paid_on (positions 33-40): \"20261304\" is not a date (expected CCYYMMDD)"), "\(r.stdout)")
        try dir.write("bad-total.txt", good.replacingOccurrences(of: "0000130.50", with: "0000130.51"))
        r = try Self.run(["--layout", dir.file("agency.yaml"), "--sample", dir.file("bad-total.txt")])
        #expect(r.status == 65 && r.stdout.contains("[layout.trailer_mismatch]"), "\(r.stdout)")
        // The AIM golden feedback file through the built-in layout, converted to events.
        r = try Self.run(["--layout", "latitude-aim", "--direction", "in", "--sample", "Tests/ARLinkLayoutsTests/Fixtures/aim/feedback-fixed.txt"])
        #expect(r.status == 0 && r.stdout.contains("trailer ATRL checks pass"), "\(r.stdout)")
        // A built-in has two layouts: the sample needs --direction (64); a missing sample is 66.
        r = try Self.run(["--layout", "latitude-aim", "--sample", "Tests/ARLinkLayoutsTests/Fixtures/aim/feedback-fixed.txt"])
        #expect(r.status == 64, "\(r.stdout)")
        r = try Self.run(["--layout", "latitude-aim", "--direction", "in", "--sample", dir.file("missing.txt")])
        #expect(r.status == 66, "\(r.stdout)")
        r = try Self.run(["--layout", dir.file("missing.yaml")])
        #expect(r.status == 78 && r.stdout.contains("cannot be read"), "\(r.stdout)")
    }
}
