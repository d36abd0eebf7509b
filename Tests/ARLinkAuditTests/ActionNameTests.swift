import ARLinkAudit
import ARLinkTestSupport
import Foundation
import Testing

/// The action names the code writes, the one list (``AuditAction``) and the table in
/// docs/audit-log.md are the same set: nothing written goes undocumented, nothing documented is
/// never written.
@Suite("Audit action names", .timeLimit(.minutes(10)))
struct ActionNameTests {
    /// Every `action: "x.y"` literal in Sources (the benchmark's synthetic entries aside).
    static func writtenNames() throws -> Set<String> {
        let sources = RepositoryPaths.root + "/Sources"
        guard let walker = FileManager.default.enumerator(atPath: sources) else { return [] }
        let pattern = try Regex(#"action: "([a-z0-9_]+\.[a-z0-9_.]+)""#)
        var names: Set<String> = []
        for case let path as String in walker where path.hasSuffix(".swift") && !path.hasPrefix("arlink-bench/") {
            let text = try String(contentsOfFile: sources + "/" + path, encoding: .utf8)
            for match in text.matches(of: pattern) {
                if let name = match.output[1].substring { names.insert(String(name)) }
            }
        }
        return names
    }

    /// The names in the first column of the *Actions* table.
    static func documentedNames() throws -> Set<String> {
        let doc = try String(contentsOfFile: RepositoryPaths.root + "/docs/audit-log.md", encoding: .utf8)
        guard let start = doc.range(of: "## Actions\n") else { return [] }
        let section = doc[start.upperBound...].prefix { _ in true }
        let end = section.range(of: "\n## ")?.lowerBound ?? section.endIndex
        let pattern = try Regex(#"^\| `([a-z0-9_.]+)` \|"#).anchorsMatchLineEndings()
        return Set(section[..<end].matches(of: pattern).compactMap { $0.output[1].substring.map(String.init) })
    }

    @Test("every name the code writes is in the list and the docs, and every listed name is written")
    func oneList() throws {
        let written = try Self.writtenNames()
        let listed = Set(AuditAction.meanings.keys)
        let documented = try Self.documentedNames()
        #expect(written.count >= 15, "the scan found \(written.sorted())")
        #expect(written.subtracting(listed).isEmpty, "written but not listed: \(written.subtracting(listed).sorted())")
        #expect(listed.subtracting(written).isEmpty, "listed but never written: \(listed.subtracting(written).sorted())")
        #expect(documented == listed, "docs differ: missing \(listed.subtracting(documented).sorted()), extra \(documented.subtracting(listed).sorted())")
    }
}
