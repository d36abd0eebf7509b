import ARLinkAudit
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// The privacy check: run the demo, then scan every audit entry for the debtors'
/// names, tax ids, phone numbers and emails from the demo's ERP extract.
@Suite("No personal data in the audit log of a demo run",
       .enabled(if: FileManager.default.isExecutableFile(atPath: RepositoryPaths.arlinkExecutable),
                "needs the arlink executable next to the test bundle (build the whole package)"), .timeLimit(.minutes(10)))
struct AuditPersonalDataTests {
    /// Splits one RFC 4180 line (quoted fields, doubled quotes); enough for the demo extract.
    static func fields(_ line: Substring) -> [String] {
        var out: [String] = [], field = "", quoted = false
        var chars = line.makeIterator()
        var pending: Character?
        while let c = pending ?? chars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                out.append(field)
                field = ""
            } else { field.append(c) }
        }
        out.append(field)
        return out
    }

    @Test("every entry of a demo run is free of debtor names, tax ids, phone numbers and emails")
    func demoRunHasNoPersonalData() throws {
        let directory = try TemporaryDirectory("audit-pii")
        defer { directory.remove() }
        let workdir = directory.file("demo")
        let demo = try AuditTestTool.run(RepositoryPaths.arlinkExecutable, ["demo", "--workdir", workdir, "--keys", RepositoryPaths.exampleKeys,
                                                                            "--customers", "60", "--open-items", "500"])
        try #require(demo.status == 0, "arlink demo failed: \(demo.stderr)")

        let csv = try String(contentsOfFile: workdir + "/erp/customers.csv", encoding: .utf8)
        let lines = csv.split(whereSeparator: \.isNewline)
        let header = Self.fields(try #require(lines.first))
        let wanted = ["name", "tax_id", "email", "phone"]
        let columns = wanted.compactMap { header.firstIndex(of: $0) }
        try #require(columns.count == wanted.count, "customers.csv lacks one of \(wanted): \(header)")
        var personal: Set<String> = []
        for line in lines.dropFirst() {
            let row = Self.fields(line)
            for column in columns where column < row.count {
                let value = row[column].trimmingCharacters(in: .whitespaces)
                if value.count >= 5 { personal.insert(value) }
                let digits = value.filter(\.isNumber)
                if header[column] == "phone", digits.count >= 8 { personal.insert(digits) }
            }
        }
        try #require(personal.count > 100, "the demo extract should hold many personal values, found \(personal.count)")

        let store = try StateStore(path: workdir + "/state/arlink.sqlite")
        let entries = try store.read { try String.fetchAll($0.sqlite, sql: "SELECT entry FROM audit_entry ORDER BY leaf_index") }
        try #require(entries.count >= 4, "the demo run should have written audit entries")
        var leaks: [String] = []
        for (index, entry) in entries.enumerated() {
            let lowered = entry.lowercased()
            for value in personal where lowered.contains(value.lowercased()) {
                leaks.append("entry \(index) contains a value of the customer master (\(value.count) characters)")
            }
        }
        #expect(leaks.isEmpty, "\(leaks.prefix(5))")
    }
}
