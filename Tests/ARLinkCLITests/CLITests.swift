import ARLinkTestSupport
import Foundation
import Testing

/// End-to-end tests of the built `arlink` binary: output, files and exit codes.
@Suite("arlink command line", .serialized, .timeLimit(.minutes(10)))
struct CLITests {
    static var arlink: String { RepositoryPaths.arlinkExecutable }

    static func run(_ args: [String], cwd: String? = nil) throws -> ProcessResult {
        try ProcessRunner.run(arlink, args, currentDirectory: cwd ?? RepositoryPaths.root)
    }

    /// Runs the demo into a new folder with a small extract.
    static func demo() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory("cli")
        let result = try run(["demo", "--workdir", dir.file("demo"), "--customers", "300", "--open-items", "3000"])
        #expect(result.status == 0, "demo failed: \(result.stderr)")
        return dir
    }

    @Test("--version and --help work on every command")
    func help() throws {
        #expect(try Self.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
        for command in [["outbound", "run"], ["demo"], ["keys", "check"], ["envelope", "seal"], ["audit", "verify"], ["inbound", "run"], ["privacy", "report"], ["privacy", "subject"], ["privacy", "breach"]] {
            let result = try Self.run(command + ["--help"])
            #expect(result.status == 0, "\(command) --help")
            #expect(result.stdout.contains("USAGE"), "\(command) --help")
        }
    }

    @Test("demo: delivers a sealed portfolio the openssl CLI opens; the repeat places nothing new")
    func demoEndToEnd() throws {
        let dir = try Self.demo()
        defer { dir.remove() }
        let inbox = try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/partner/inbox")).filter { $0.contains("_portfolio_") }
        #expect(inbox.count == 1)
        #expect(inbox.first?.hasPrefix("acme-corp_acme-collect_portfolio_") == true)
        let config = dir.file("demo/arlink.yaml")
        let again = try Self.run(["outbound", "run", "--config", config])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("already delivered"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/partner/inbox")).filter { $0.contains("_portfolio_") }.count == 1)
        // The demo answered as the partner: the feedback was applied and ERP updates exported.
        let exports = try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/erp/import")).filter { $0.hasSuffix(".jsonl") }
        #expect(exports.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/partner/processed")).count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/partner/inbox")).contains { $0.contains("_receipt_") })
        let inboundAgain = try Self.run(["inbound", "run", "--config", config])
        #expect(inboundAgain.status == 0, "\(inboundAgain.stderr)")
        #expect(inboundAgain.stdout.contains("0 file(s) processed"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/erp/import")).filter { $0.hasSuffix(".jsonl") }.count == 1)
        let verify = try Self.run(["audit", "verify", "--config", config])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        // JSON output for machines.
        let json = try Self.run(["outbound", "run", "--config", config, "--log-format", "json", "--dry-run"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["partners"] as? [[String: Any]])?.first?["outcome"] as? String == "already_delivered")
        // A dry run for a later date counts what would be sent, by reason, and writes nothing.
        let later = try Self.run(["outbound", "run", "--config", config, "--log-format", "json", "--dry-run", "--as-of", "2099-01-01"])
        let laterObject = try JSONSerialization.jsonObject(with: Data(later.stdout.utf8)) as? [String: Any]
        let partner = (laterObject?["partners"] as? [[String: Any]])?.first
        #expect(partner?["outcome"] as? String == "dry_run")
        #expect((partner?["invoices_excluded"] as? [String: Int])?["disputed"] ?? 0 > 0)
        // Log lines on stderr are JSON objects too.
        for line in later.stderr.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/partner/inbox")).filter { $0.contains("_portfolio_") }.count == 1)
    }

    @Test("what the partner receives satisfies schemas/portfolio.v1.schema.json (python jsonschema)")
    func portfolioMatchesSchema() throws {
        let dir = try Self.demo()
        defer { dir.remove() }
        let received = try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/partner/received")).filter { $0.hasSuffix(".jsonl") }
        let file = try #require(received.first)
        let script = """
            import json, sys, jsonschema
            v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
            bad = 0
            for n, line in enumerate(open(sys.argv[2]), 1):
                for e in v.iter_errors(json.loads(line)):
                    print(n, e.message); bad += 1
            sys.exit(1 if bad else 0)
            """
        let result = try ProcessRunner.run("python3", ["-c", script, RepositoryPaths.schemas + "/portfolio.v1.schema.json", dir.file("demo/partner/received/" + file)])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test("exit codes: 78 bad configuration, 66 missing extract, 65 bad extract row, 77 loose key permissions")
    func exitCodes() throws {
        let dir = try Self.demo()
        defer { dir.remove() }
        let config = dir.file("demo/arlink.yaml")
        let yaml = try String(contentsOfFile: config, encoding: .utf8)
        let next = ["--as-of", "2099-01-01"]

        try dir.write("demo/arlink.yaml", yaml.replacingOccurrences(of: "min_days_past_due", with: "min_dayz_past_due"))
        var r = try Self.run(["outbound", "run", "--config", config] + next)
        #expect(r.status == 78)
        #expect(r.stderr.contains("did you mean min_days_past_due?"))
        try dir.write("demo/arlink.yaml", yaml)

        try FileManager.default.moveItem(atPath: dir.file("demo/erp/open_items.csv"), toPath: dir.file("demo/erp/moved.csv"))
        r = try Self.run(["outbound", "run", "--config", config] + next)
        #expect(r.status == 66, "\(r.stderr)")
        #expect(r.stderr.contains("open_items.csv"))

        var csv = try String(contentsOfFile: dir.file("demo/erp/moved.csv"), encoding: .utf8)
        try FileManager.default.removeItem(atPath: dir.file("demo/erp/moved.csv"))
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false)
        var fields = lines[5].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[3] = "2025-02-31"
        csv = (lines[0..<5] + [Substring(fields.joined(separator: ","))] + lines[6...]).joined(separator: "\n")
        try dir.write("demo/erp/open_items.csv", csv)
        r = try Self.run(["outbound", "run", "--config", config] + next)
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("line 6"))
        #expect(r.stderr.contains("2025-02-31"))

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir.file("demo/keys/company/signing.key"))
        r = try Self.run(["keys", "check", "--config", config])
        #expect(r.status == 77, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("[FAIL] company signing"))
        let recorded = try ProcessRunner.run("sqlite3", [dir.file("demo/state/arlink.sqlite"),
                                                         "SELECT COUNT(*) FROM audit_entry WHERE action = 'keys.checked' AND entry LIKE '%\"outcome\":\"refused\"%'"])
        #expect(recorded.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }
}

@Suite("CLI: itemization and flag columns", .timeLimit(.minutes(10)))
struct ItemizationCLITests {
    /// Sets columns of the demo's customer master (the sample extract already has them; a column
    /// it lacks is added): `value(line)` gives each data row's cells. Python's csv module rewrites
    /// the file, so quoted names stay intact.
    static func addColumns(_ dir: TemporaryDirectory, header: String, value: (Int) -> String) throws {
        let path = dir.file("demo/erp/customers.csv")
        let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count - 1
        let cells = (0..<rows).map { value($0 + 2) }.joined(separator: "\n")
        let r = try ProcessRunner.run("python3", ["-c", """
            import csv, sys
            path, names = sys.argv[1], sys.argv[2].split(',')
            values = [line.split(',') for line in sys.stdin.read().split('\\n')]
            with open(path, newline='', encoding='utf-8') as f:
                rows = list(csv.reader(f))
            for name in names:
                if name not in rows[0]:
                    rows[0].append(name)
                    for row in rows[1:]: row.append('')
            for row, cells in zip(rows[1:], values):
                for name, cell in zip(names, cells): row[rows[0].index(name)] = cell
            with open(path, 'w', newline='', encoding='utf-8') as f:
                csv.writer(f, lineterminator='\\n').writerows(rows)
            """, path, header], stdin: Data(cells.utf8))
        try #require(r.status == 0, "\(r.stderr)")
    }

    @Test("a bad itemization type or a negative bankruptcy chapter stops the run with exit 65, naming file, line and column", arguments: [
        ("itemization_date,itemization_type,itemization_currency,itemization_amount,itemization_creditor_name,itemization_creditor_account",
         "2026-01-31,last_statement,EUR,10.00,Old Name,OLD-1", "2026-01-31,write_off,EUR,10.00,Old Name,OLD-1",
         "column \"itemization_type\": \"write_off\" is not an itemization type"),
        ("itemization_date,itemization_type,itemization_currency,itemization_amount,itemization_creditor_name,itemization_creditor_account",
         "2026-01-31,charge_off,EUR,10.00,Old Name,OLD-1", "31.01.2026,charge_off,EUR,10.00,Old Name,OLD-1",
         "column \"itemization_date\": \"31.01.2026\" is not a date"),
        ("bankruptcy_chapter,communication_restriction", "13,PRIVATE-NOTE", "-7,PRIVATE-NOTE",
         "column \"bankruptcy_chapter\": \"-7\" is not a bankruptcy chapter"),
    ])
    func badValue(header: String, good: String, bad: String, message: String) throws {
        let dir = try CLITests.demo()
        defer { dir.remove() }
        try Self.addColumns(dir, header: header) { $0 == 7 ? bad : good }
        let r = try CLITests.run(["outbound", "run", "--config", dir.file("demo/arlink.yaml"), "--as-of", "2099-01-01"])
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("customers.csv line 7, \(message)"), "\(r.stderr)")
        #expect(!r.stderr.contains("PRIVATE-NOTE") && !r.stdout.contains("PRIVATE-NOTE"))
    }
}

@Suite("Shipped files", .timeLimit(.minutes(10)))
struct ShippedFileTests {
    @Test("config/demo.yaml is exactly what arlink demo writes")
    func demoConfigMatches() throws {
        let dir = try TemporaryDirectory("democfg")
        defer { dir.remove() }
        let result = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["demo", "--workdir", dir.file("d"), "--customers", "20", "--open-items", "100"],
                                           currentDirectory: RepositoryPaths.root)
        #expect(result.status == 0, "\(result.stderr)")
        let written = try String(contentsOfFile: dir.file("d/arlink.yaml"), encoding: .utf8)
        let shipped = try String(contentsOfFile: RepositoryPaths.root + "/config/demo.yaml", encoding: .utf8)
        #expect(written.trimmingCharacters(in: .whitespacesAndNewlines) == shipped.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

@Suite("Audit log of a demo run", .timeLimit(.minutes(10)))
struct DemoAuditTests {
    @Test("no audit entry holds a debtor's name, tax id, phone number or email")
    func noPersonalData() throws {
        let dir = try TemporaryDirectory("audit-pii")
        defer { dir.remove() }
        let result = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["demo", "--workdir", dir.file("d"), "--customers", "300", "--open-items", "3000"],
                                           currentDirectory: RepositoryPaths.root)
        try #require(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("audit log intact"))
        let entries = try ProcessRunner.run("sqlite3", [dir.file("d/state/arlink.sqlite"), "SELECT entry FROM audit_entry"]).stdout
        #expect(entries.split(separator: "\n").count >= 4, "expected the demo's steps in the audit log")
        // Personal values from the customer master (name, tax_id, email, phone), parsed with Python's csv module.
        let values = try ProcessRunner.run("python3", ["-c", """
            import csv, sys
            for row in csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')):
                for column in ('name', 'tax_id', 'email', 'phone'):
                    if len(row[column]) >= 6: print(row[column])
            """, dir.file("d/erp/customers.csv")]).stdout.split(separator: "\n").map(String.init)
        #expect(values.count > 500)
        let leaked = values.filter { entries.contains($0) }
        #expect(leaked.isEmpty, "personal data in the audit log: \(leaked.prefix(3).count) values")
        // The check can fail: the customer master's own text contains them.
        let master = try String(contentsOfFile: dir.file("d/erp/customers.csv"), encoding: .utf8)
        #expect(values.filter { !$0.contains("\"") }.prefix(50).allSatisfy { master.contains($0) })
    }

    @Test("audit report's daily volumes match the ledger and the inbound files; a log that is not intact gives a banner and exit 65")
    func reportVolumes() throws {
        let dir = try TemporaryDirectory("audit-report")
        defer { dir.remove() }
        let demo = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["demo", "--workdir", dir.file("d"), "--customers", "300", "--open-items", "3000"],
                                         currentDirectory: RepositoryPaths.root)
        try #require(demo.status == 0, "\(demo.stderr)")
        let database = dir.file("d/state/arlink.sqlite"), config = dir.file("d/arlink.yaml")
        func sql(_ query: String) throws -> Int {
            Int(try ProcessRunner.run("sqlite3", [database, query]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        // The figures from the state tables, not from the audit log.
        let outboundFiles = try sql("SELECT count(*) FROM outbound_batch WHERE state IN ('delivered', 'acknowledged')")
        let outboundRecords = try sql("SELECT sum(value) FROM outbound_batch, json_each(outbound_batch.record_counts) WHERE state IN ('delivered', 'acknowledged')")
        let inboundFiles = try sql("SELECT count(DISTINCT sha256) FROM inbound_file")
        let inboundRecords = try sql("SELECT sum(events_accepted + events_rejected) FROM inbound_file WHERE state = 'applied'")
        #expect(outboundFiles == 1 && outboundRecords > 100 && inboundFiles == 1 && inboundRecords > 100)

        let day = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        let report = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["audit", "report", "--config", config, "--from", day, "--to", day, "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let volumes = try #require(json["daily_volumes"] as? [[String: Any]])
        #expect(volumes.count == 1)
        #expect(volumes.first?["outbound_files"] as? Int == outboundFiles)
        #expect(volumes.first?["outbound_records"] as? Int == outboundRecords)
        #expect(volumes.first?["inbound_files"] as? Int == inboundFiles)
        #expect(volumes.first?["inbound_records"] as? Int == inboundRecords)

        // Tamper with one entry: the report is still written, with a banner, and exits 65.
        let edit = try ProcessRunner.run("sqlite3", [database, "DROP TRIGGER audit_entry_no_update; UPDATE audit_entry SET entry = replace(entry, '\"outcome\":\"ok\"', '\"outcome\":\"no\"') WHERE leaf_index = 1;"])
        #expect(edit.status == 0, "\(edit.stderr)")
        let html = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["audit", "report", "--config", config, "--from", day, "--to", day, "--format", "html"])
        #expect(html.status == 65, "\(html.stderr)")
        #expect(html.stdout.contains("THE AUDIT LOG IS NOT INTACT"))
        // Against another copy of the checkpoints (an empty one here), the report says so too.
        try dir.write("empty.log", "")
        let copy = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["audit", "report", "--config", config, "--from", day, "--to", day, "--format", "csv",
                                                                           "--checkpoints", dir.file("empty.log")])
        #expect(copy.status != 0)
        #expect(copy.stdout.contains("not_intact"))
    }

    @Test("a failed delivery, a partner failure and a run refused by the lock are recorded and signed")
    func failuresAreRecorded() throws {
        let dir = try TemporaryDirectory("audit-failures")
        defer { dir.remove() }
        let demo = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["demo", "--workdir", dir.file("d"), "--customers", "300", "--open-items", "3000"],
                                         currentDirectory: RepositoryPaths.root)
        try #require(demo.status == 0, "\(demo.stderr)")
        let database = dir.file("d/state/arlink.sqlite"), config = dir.file("d/arlink.yaml")
        func entries(_ action: String) throws -> [String] {
            try ProcessRunner.run("sqlite3", [database, "SELECT entry FROM audit_entry WHERE action = '\(action)'"]).stdout
                .split(separator: "\n").map(String.init)
        }
        // The partner's inbox is gone: the next day's delivery fails.
        try FileManager.default.removeItem(atPath: dir.file("d/partner/inbox"))
        let next = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400)).prefix(10)
        let outbound = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["outbound", "run", "--config", config, "--as-of", String(next)])
        #expect(outbound.status != 0)
        let failed = try entries("batch.delivery_failed")
        #expect(failed.count == 1, "\(outbound.stderr)")
        #expect(failed.first?.contains("\"error_code\":\"transport.") == true, "\(failed)")
        #expect(failed.first?.contains("\"batch_id\":") == true)
        // Signed: verification has nothing uncovered to warn about.
        let verify = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["audit", "verify", "--config", config])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(!verify.stdout.contains("not yet covered"), "\(verify.stdout)")

        // The partner's outbox is gone: that partner's part stops, recorded with its code.
        try FileManager.default.removeItem(atPath: dir.file("d/partner/outbox"))
        let inbound = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["inbound", "run", "--config", config])
        #expect(inbound.status != 0)
        let partnerFailed = try entries("partner.failed")
        #expect(partnerFailed.count == 1, "\(inbound.stderr)")
        #expect(partnerFailed.first?.contains("\"partner\":\"acme-collect\"") == true, "\(partnerFailed)")

        // Another process holds the lock (python's flock, released when its stdin closes): this
        // run stops with 75, and says so in the log.
        let holder = Process(), holderIn = Pipe(), holderOut = Pipe()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", "import fcntl, sys\nf = open(sys.argv[1], 'a')\nfcntl.flock(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\nsys.stdin.read()",
                            database + ".lock"]
        holder.standardInput = holderIn
        holder.standardOutput = holderOut
        try holder.run()
        defer { try? holderIn.fileHandleForWriting.close(); holder.waitUntilExit() }
        let ready = holderOut.fileHandleForReading.availableData
        #expect(String(decoding: ready, as: UTF8.self).hasPrefix("locked"))
        let busy = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["inbound", "run", "--config", config])
        #expect(busy.status == 75, "\(busy.stderr)")
        let refused = try entries("run.refused")
        #expect(refused.count == 1)
        #expect(refused.first?.contains("\"error_code\":\"job.busy\"") == true)
    }
}
