import ARLinkCore
@testable import ARLinkLayouts
import ARLinkTestSupport
import Foundation
import Testing

/// The layout files against `schemas/layout.v1.schema.json` (Python's jsonschema, an
/// independent validator) and the built-ins embedded in the module against layouts/.
@Suite("layout files and schema", .timeLimit(.minutes(10)))
struct LayoutFileTests {
    static let validator = """
        import json, sys, yaml
        from jsonschema import Draft202012Validator
        schema = json.load(open(sys.argv[1]))
        Draft202012Validator.check_schema(schema)
        v = Draft202012Validator(schema)
        bad = 0
        for path in sys.argv[2:]:
            errors = sorted(v.iter_errors(yaml.safe_load(open(path, encoding='utf-8'))), key=lambda e: list(e.path))
            for e in errors[:3]:
                print('%s: %s: %s' % (path.split('/')[-1], '/'.join(map(str, e.path)), e.message[:160]))
            bad += 1 if errors else 0
        print('%d files, %d invalid' % (len(sys.argv) - 2, bad))
        sys.exit(1 if bad else 0)
        """

    static var files: [String] {
        [
            RepositoryPaths.root + "/layouts/latitude-aim-portfolio.yaml",
            RepositoryPaths.root + "/layouts/latitude-aim-feedback.yaml",
            LayoutFixtures.folder + "/custom/nordinkasso-portfolio.yaml",
            LayoutFixtures.folder + "/custom/nordinkasso-feedback.yaml",
        ]
    }

    @Test("the built-in and the custom layout files are valid")
    func valid() throws {
        let result = try ProcessRunner.run("python3", ["-c", Self.validator, RepositoryPaths.schemas + "/layout.v1.schema.json"] + Self.files)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("4 files, 0 invalid"))
    }

    @Test("the schema refuses a broken layout file", arguments: [
        ("type: decimal", "type: money", "is not one of"),
        ("    length: 126\n", "\n", "'length' is a required property"),
        ("currency: USD", "currency: usd", "does not match"),
    ])
    func refused(from: String, to: String, expected: String) throws {
        let dir = try TemporaryDirectory("layout-schema")
        defer { dir.remove() }
        let text = try String(contentsOfFile: Self.files[1], encoding: .utf8)
        let broken = text.replacingOccurrences(of: from, with: to)
        #expect(broken != text)
        let path = try dir.write("broken.yaml", broken)
        let result = try ProcessRunner.run("python3", ["-c", Self.validator, RepositoryPaths.schemas + "/layout.v1.schema.json", path])
        #expect(result.status == 1)
        #expect(result.stdout.contains(expected), "\(result.stdout)")
        // arlink's own loader refuses the same file.
        #expect(throws: LayoutError.self) { try Layout(yaml: broken, source: "broken.yaml") }
    }

    @Test("the embedded built-ins are the files under layouts/")
    func embedded() throws {
        for name in ["latitude-aim-portfolio.yaml", "latitude-aim-feedback.yaml"] {
            let onDisk = try String(contentsOfFile: RepositoryPaths.root + "/layouts/" + name, encoding: .utf8)
            #expect(BuiltinLayouts.files[name].map { $0 + "\n" } == onDisk, "run scripts/embed-layouts.py after editing layouts/\(name)")
        }
    }

    @Test("format names resolve", arguments: BuiltinLayouts.names)
    func names(name: String) throws {
        for direction in [LayoutDirection.portfolio, .feedback] {
            let format = try BuiltinLayouts.resolve(name, direction: direction, baseDirectory: "/")
            switch name {
            case "arlink-jsonl": #expect(format == .arlinkJSONL)
            case "arlink-csv": #expect(format == .arlinkCSV)
            default:
                guard case .layout(let l) = format else { Issue.record("not a layout"); continue }
                #expect(l.name.hasPrefix("latitude-aim-\(direction.rawValue)"))
                #expect(l.isFixedWidth == !name.hasSuffix("-pipe"))
            }
        }
    }

    @Test("an unknown format name is refused with the choices")
    func unknownName() {
        do {
            _ = try BuiltinLayouts.resolve("latitude", direction: .portfolio, baseDirectory: "/")
            Issue.record("accepted")
        } catch let e as LayoutError {
            #expect(e.message == "\"latitude\" is not a format (expected a built-in one, arlink-jsonl, arlink-csv, latitude-aim, latitude-aim-pipe, or a layout file path ending in .yaml)")
        } catch { Issue.record("\(error)") }
    }
}
