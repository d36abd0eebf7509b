import ARLinkTestSupport
import Foundation
import Testing

/// The built binary placing from exports shaped like what ERPNext and Odoo write (hand-written
/// fixtures in Tests/ARLinkFormatsTests/Fixtures), configured with nothing but the preset and
/// the file paths.
@Suite("arlink outbound run over real ERP export shapes", .serialized, .timeLimit(.minutes(10)))
struct ERPExportTests {
    static let fixtures = RepositoryPaths.root + "/Tests/ARLinkFormatsTests/Fixtures"
    static let asOf = ["--as-of", "2025-09-30"]

    /// A folder with the example keys and the demo configuration whose `erp` section is `erp`.
    static func folder(erp: String) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory("erp-export")
        try RepositoryPaths.copyExampleKeys(to: dir.path)
        let demo = try String(contentsOfFile: RepositoryPaths.root + "/config/demo.yaml", encoding: .utf8)
        let start = try #require(demo.range(of: "\nerp:\n"))
        let end = try #require(demo.range(of: "\npartners:\n"))
        try dir.write("arlink.yaml", String(demo[..<start.lowerBound]) + "\n" + erp + String(demo[end.lowerBound...]))
        for folder in ["partner/inbox", "partner/outbox", "partner/processed", "erp/import"] {
            try FileManager.default.createDirectory(atPath: dir.file(folder), withIntermediateDirectories: true)
        }
        // The state database is created on purpose, as an operator would.
        let initialized = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["init", "--config", dir.file("arlink.yaml")], currentDirectory: dir.path)
        try #require(initialized.status == 0, "\(initialized.stderr)")
        return dir
    }

    static func run(_ dir: TemporaryDirectory, _ args: [String]) throws -> ProcessResult {
        try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["outbound", "run", "--config", dir.file("arlink.yaml")] + args,
                              currentDirectory: dir.path)
    }

    static func sql(_ dir: TemporaryDirectory, _ query: String) throws -> String {
        try ProcessRunner.run("sqlite3", [dir.file("state/arlink.sqlite"), query]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func portfolios(_ dir: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.file("partner/inbox")).filter { $0.contains("_portfolio_") }.sorted()
    }

    /// Opens a delivered portfolio with the openssl CLI and the partner's keys.
    static func open(_ dir: TemporaryDirectory, _ name: String) throws -> String {
        let keys = dir.file("keys")
        let d = try ProcessRunner.run("openssl", ["cms", "-decrypt", "-binary", "-inform", "DER", "-in", dir.file("partner/inbox/" + name),
                                                  "-out", dir.file("signed.der"), "-recip", keys + "/partner/encryption.crt",
                                                  "-inkey", keys + "/partner/encryption.key"])
        #expect(d.status == 0, "\(d.stderr)")
        let v = try ProcessRunner.run("openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", dir.file("signed.der"),
                                                  "-out", dir.file("plain.jsonl"), "-CAfile", keys + "/ca/company-ca.crt", "-purpose", "any"])
        #expect(v.status == 0, "\(v.stderr)")
        return try String(contentsOfFile: dir.file("plain.jsonl"), encoding: .utf8)
    }

    @Test("ERPNext: the AR report and the Customer export place with preset and paths only; a header-only report is refused")
    func erpnext() throws {
        let dir = try Self.folder(erp: """
            erp:
              preset: erpnext
              open_items: \(Self.fixtures)/erpnext/accounts_receivable.csv
              customers: \(Self.fixtures)/erpnext/customers.csv
              updates:
                folder: erp/import

            """)
        defer { dir.remove() }
        let r = try Self.run(dir, Self.asOf)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("summary rows skipped: 1"), "\(r.stdout)")
        #expect(r.stdout.contains("accounts: 2 place, 0 update, 0 recall"), "\(r.stdout)")
        // CUST-00002 is in ERPNext's "Intercompany" group; the configuration says "intercompany".
        #expect(r.stdout.contains("excluded_group 1"), "\(r.stdout)")
        #expect(try Self.sql(dir, "SELECT group_concat(account_ref, ',') FROM (SELECT account_ref FROM placement ORDER BY account_ref)")
                == "CUST-00001,CUST-00003")
        let placed = try Self.open(dir, try #require(try Self.portfolios(dir).first))
        #expect(placed.contains("\"amount\":\"45871000.00\""))
        #expect(placed.contains("\"currency\":\"IDR\",\"amount\":\"1000000.00\""))

        // What a failed export job leaves: the header alone. Refused, nothing recalled or sent.
        let header = try #require(try String(contentsOfFile: Self.fixtures + "/erpnext/accounts_receivable.csv", encoding: .utf8)
            .components(separatedBy: "\r\n").first)
        let yaml = try String(contentsOfFile: dir.file("arlink.yaml"), encoding: .utf8)
        try dir.write("empty.csv", header + "\r\n")
        try dir.write("arlink.yaml", yaml.replacingOccurrences(of: Self.fixtures + "/erpnext/accounts_receivable.csv", with: dir.file("empty.csv")))
        let empty = try Self.run(dir, ["--as-of", "2025-10-01"])
        #expect(empty.status == 65, "\(empty.stdout)\(empty.stderr)")
        #expect(empty.stderr.contains("empty.csv: the open items have no usable row (only a header)"), "\(empty.stderr)")
        #expect(try Self.portfolios(dir).count == 1)
        #expect(try Self.sql(dir, "SELECT COUNT(*) FROM placement WHERE status = 'active'") == "2")

        // Only one of the two accounts left: a 50% recall, refused; the override sends it as closed_in_erp.
        let fixture = try String(contentsOfFile: Self.fixtures + "/erpnext/accounts_receivable.csv", encoding: .utf8)
        try dir.write("partial.csv", fixture.components(separatedBy: "\r\n").filter { !$0.contains("CUST-00003") }.joined(separator: "\r\n"))
        try dir.write("arlink.yaml", yaml.replacingOccurrences(of: Self.fixtures + "/erpnext/accounts_receivable.csv", with: dir.file("partial.csv")))
        let refused = try Self.run(dir, ["--as-of", "2025-10-02"])
        #expect(refused.status == 65, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("would recall 1 of 2 placed accounts"), "\(refused.stderr)")
        #expect(refused.stderr.contains("top reasons: closed_in_erp 1"), "\(refused.stderr)")
        #expect(try Self.portfolios(dir).count == 1)
        let allowed = try Self.run(dir, ["--as-of", "2025-10-02", "--allow-mass-recall"])
        #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
        #expect(allowed.stdout.contains("0 place, 0 update, 1 recall"), "\(allowed.stdout)")
        #expect(try Self.sql(dir, "SELECT recall_reason FROM placement WHERE account_ref = 'CUST-00003'") == "closed_in_erp")
        #expect(try Self.sql(dir, "SELECT COUNT(*) FROM audit_entry WHERE action IN ('extract.refused', 'recall.mass_refused', 'recall.mass_allowed')") == "3")
        let verify = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["audit", "verify", "--config", dir.file("arlink.yaml")])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test("Odoo: the account.move export alone places with preset and path only")
    func odoo() throws {
        let dir = try Self.folder(erp: """
            erp:
              preset: odoo
              open_items: \(Self.fixtures)/odoo/account_move.csv
              updates:
                folder: erp/import

            """)
        defer { dir.remove() }
        let r = try Self.run(dir, Self.asOf)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("rows skipped as not posted customer invoices: 3"), "\(r.stdout)")
        #expect(r.stdout.contains("accounts: 1 place, 0 update, 0 recall"), "\(r.stdout)")
        #expect(try Self.sql(dir, "SELECT account_ref FROM placement") == "base.res_partner_12")
        let placed = try Self.open(dir, try #require(try Self.portfolios(dir).first))
        // 1437.50 + 480.00 open, less the 100.00 refund.
        #expect(placed.contains("\"balances\":[{\"currency\":\"USD\",\"amount\":\"1817.50\"}]"), "\(placed)")
        #expect(placed.contains("\"name\":\"Azure Interior\""))
        #expect(placed.contains("RINV/2025/00003"))
        #expect(!placed.contains("BILL/2025/00011"))
    }
}
