import ARLinkTestSupport
import Foundation
import Testing

/// `arlink report kpi` and the demo's KPI page, from the built binary, checked against the
/// ledger as the `sqlite3` tool reads it.
@Suite("arlink report kpi", .serialized, .timeLimit(.minutes(10)))
struct KPICommandTests {
    @Test("the demo ends by writing the KPI page; the report's placements agree with the ledger's batch")
    func demoWritesKPIs() throws {
        let dir = try TemporaryDirectory("kpi-cli")
        defer { dir.remove() }
        let demo = try CLITests.run(["demo", "--workdir", dir.file("demo"), "--customers", "300", "--open-items", "3000"])
        try #require(demo.status == 0, "demo failed: \(demo.stderr)")
        let page = dir.file("demo/kpi.html")
        #expect(demo.stdout.contains("KPI report: \(page)"))
        #expect(try String(contentsOfFile: page, encoding: .utf8).contains("<svg"))

        let database = dir.file("demo/state/arlink.sqlite")
        let ledger = try ProcessRunner.run("sqlite3", [database, "SELECT as_of, invoice_count, json_extract(record_counts, '$.place') FROM outbound_batch"])
        let row = ledger.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map(String.init)
        try #require(row.count == 3, "\(ledger.stdout)\(ledger.stderr)")
        let (asOf, invoices, placed) = (row[0], Int(row[1]) ?? -1, Int(row[2]) ?? -1)
        let config = dir.file("demo/arlink.yaml")
        let result = try CLITests.run(["report", "kpi", "--config", config, "--from", asOf, "--to", asOf, "--format", "json"])
        try #require(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let overall = try #require(json["overall"] as? [String: Any])
        let kpis = try #require(overall["kpis"] as? [[String: Any]])
        #expect(Set(kpis.compactMap { $0["currency"] as? String }) == ["EUR", "USD"])
        #expect(kpis.reduce(0) { $0 + ($1["placed_accounts"] as? Int ?? 0) } == placed)
        #expect(kpis.reduce(0) { $0 + ($1["placed_invoices"] as? Int ?? 0) } == invoices)
        #expect(json["extract_facts_since"] as? String == asOf && json["feedback_facts_since"] as? String == asOf)
        let receivables = try #require(overall["receivables"] as? [[String: Any]])
        #expect(receivables.count == 2 && receivables.allSatisfy { ($0["receivables_amount"] as? String)?.isEmpty == false })

        let csv = try CLITests.run(["report", "kpi", "--config", config, "--from", asOf, "--to", asOf, "--format", "csv"])
        #expect(csv.status == 0)
        #expect(csv.stdout.split(separator: "\n").count == 1 + 2 + 2)  // header; acme-collect EUR, USD; all partners EUR, USD
    }

    @Test("usage errors are 64, a state database that does not exist is 66")
    func errors() throws {
        let dir = try TemporaryDirectory("kpi-cli")
        defer { dir.remove() }
        try RepositoryPaths.copyExampleKeys(to: dir.path)
        try dir.write("arlink.yaml", try String(contentsOfFile: RepositoryPaths.root + "/config/demo.yaml", encoding: .utf8))
        let config = dir.file("arlink.yaml")
        let badDate = try CLITests.run(["report", "kpi", "--config", config, "--from", "2026-02-30", "--to", "2026-03-01"])
        #expect(badDate.status == 64 && badDate.stderr.contains("2026-02-30"))
        let reversed = try CLITests.run(["report", "kpi", "--config", config, "--from", "2026-03-02", "--to", "2026-03-01"])
        #expect(reversed.status == 64)
        let missing = try CLITests.run(["report", "kpi", "--config", config, "--from", "2026-03-01", "--to", "2026-03-31"])
        #expect(missing.status == 66 && missing.stderr.contains("does not exist"), "\(missing.stderr)")
    }
}
