import ARLinkTestSupport
import Foundation
import Testing

/// `arlink privacy` on the demo's data, checked against the ledger with sqlite3.
@Suite("arlink privacy on the demo's data", .serialized, .timeLimit(.minutes(10)))
struct PrivacyCommandTests {
    static func arlink(_ args: [String]) throws -> ProcessResult {
        try ProcessRunner.run(RepositoryPaths.arlinkExecutable, args, currentDirectory: RepositoryPaths.root)
    }

    static func demo() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory("privacy")
        let result = try arlink(["demo", "--workdir", dir.file("d"), "--customers", "300", "--open-items", "3000"])
        try #require(result.status == 0, "demo failed: \(result.stderr)")
        return dir
    }

    static func sql(_ dir: TemporaryDirectory, _ query: String) throws -> [String] {
        let r = try ProcessRunner.run("sqlite3", [dir.file("d/state/arlink.sqlite"), query])
        try #require(r.status == 0, "\(r.stderr)")
        return r.stdout.split(separator: "\n").map(String.init)
    }

    static func int(_ dir: TemporaryDirectory, _ query: String) throws -> Int {
        Int(try sql(dir, query).first ?? "") ?? -1
    }

    /// The demo's customer master values that are personal data (name, tax id, email, phone, street), at least 6 characters.
    static func personalValues(_ dir: TemporaryDirectory) throws -> [String] {
        try ProcessRunner.run("python3", ["-c", """
            import csv, sys
            for row in csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')):
                for column in ('name', 'tax_id', 'email', 'phone', 'street'):
                    if len(row[column]) >= 6: print(row[column])
            """, dir.file("d/erp/customers.csv")]).stdout.split(separator: "\n").map(String.init)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("report, subject and breach match the ledger and hold no personal data")
    func reportsMatchLedger() throws {
        let dir = try Self.demo()
        defer { dir.remove() }
        let config = dir.file("d/arlink.yaml")
        let day = try #require(try Self.sql(dir, "SELECT substr(delivered_at, 1, 10) FROM outbound_batch").first)
        // Expectations from the ledger tables.
        let debtors = try Self.int(dir, "SELECT count(DISTINCT account_ref) FROM placement_event WHERE action IN ('place', 'update')")
        let placed = try Self.int(dir, "SELECT count(*) FROM placement_event WHERE action = 'place'")
        let riskAccepted = try Self.int(dir, "SELECT sum(accepted) FROM inbound_file_count WHERE type = 'risk'")
        let paymentAccepted = try Self.int(dir, "SELECT sum(accepted) FROM inbound_file_count WHERE type = 'payment'")
        #expect(debtors > 50 && placed == debtors && riskAccepted > 0)

        let report = try Self.arlink(["privacy", "report", "--config", config, "--from", day, "--to", day, "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")
        let r = try Self.json(report.stdout)
        let transfers = try #require(r["transfers"] as? [[String: Any]])
        #expect(transfers.count == 1)
        let t = try #require(transfers.first)
        #expect(t["partner"] as? String == "acme-collect")
        #expect(t["country"] as? String == "SG")
        #expect(t["transfer_basis"] as? String == "contract")
        #expect(t["agreement_sha256"] as? String == "120555c20f7268fa4b22e86fc7fd6f4472fd017439368dfbcfb788240e0408a2")
        #expect(t["debtors"] as? Int == debtors)
        #expect(t["placed"] as? Int == placed)
        #expect(t["files"] as? Int == 1)
        #expect(t["debtor_fields"] as? [String] == ["name", "tax_id:last4", "email", "phone", "street", "postal_code", "city", "country", "language"])
        let returned = try #require(r["returned"] as? [[String: Any]])
        #expect(returned.first { $0["event_type"] as? String == "risk" }?["accepted"] as? Int == riskAccepted)
        #expect(returned.first { $0["event_type"] as? String == "payment" }?["accepted"] as? Int == paymentAccepted)
        // A period before the demo: nothing.
        let before = try Self.arlink(["privacy", "report", "--config", config, "--from", "2020-01-01", "--to", "2020-01-31", "--format", "json"])
        #expect((try Self.json(before.stdout)["transfers"] as? [Any])?.isEmpty == true)

        // Breach list: every account placed, for a window around the delivery; none for a window before it.
        let breach = try Self.arlink(["privacy", "breach", "--config", config, "--from", day + "T00:00:00Z", "--to", day + "T23:59:59Z"])
        #expect(breach.status == 0, "\(breach.stderr)")
        let rows = breach.stdout.split(separator: "\r\n").dropFirst()
        #expect(rows.count == debtors)
        let refs = Set(rows.map { $0.split(separator: ",")[2] }.map(String.init))
        #expect(refs == Set(try Self.sql(dir, "SELECT account_ref FROM placement_event WHERE action = 'place'")))
        let early = try Self.arlink(["privacy", "breach", "--config", config, "--from", "2020-01-01", "--to", "2020-01-02T00:00:00Z"])
        #expect(early.stdout.split(separator: "\r\n").count == 1)
        let bad = try Self.arlink(["privacy", "breach", "--config", config, "--from", "yesterday", "--to", day])
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("--from"))

        // Subject: what was sent about one account, and what came back.
        let ref = try #require(try Self.sql(dir, "SELECT account_ref FROM inbound_payment ORDER BY account_ref LIMIT 1").first)
        let subject = try Self.arlink(["privacy", "subject", "--config", config, "--account", ref])
        #expect(subject.status == 0, "\(subject.stderr)")
        let s = try Self.json(subject.stdout)
        let sent = try #require(s["sent"] as? [[String: Any]])
        #expect(sent.count == (try Self.int(dir, "SELECT count(*) FROM placement_event WHERE account_ref = '\(ref)'")))
        #expect(sent.first?["transfer_basis"] as? String == "contract")
        let received = try #require(s["received"] as? [[String: Any]])
        #expect(received.filter { $0["event_type"] as? String == "payment" }.count
                == (try Self.int(dir, "SELECT count(*) FROM inbound_payment WHERE account_ref = '\(ref)'")))
        #expect((s["sealed_copies_kept"] as? [String])?.count == 1)

        // Nothing printed is personal data.
        let values = try Self.personalValues(dir)
        #expect(values.count > 500)
        var outputs = [report.stdout, breach.stdout, subject.stdout]
        for format in ["csv", "html"] {
            outputs.append(try Self.arlink(["privacy", "report", "--config", config, "--from", day, "--to", day, "--format", format]).stdout)
        }
        let all = outputs.joined(separator: "\n")
        #expect(all.contains(ref))
        let leaked = values.filter { all.contains($0) }
        #expect(leaked.isEmpty, "personal data in a privacy report: \(leaked.count) values")
    }

    @Test("--erase leaves no personal data of the debtor in our work files, keeps the sealed copies, and recalls the account in the next portfolio")
    func erase() throws {
        let dir = try Self.demo()
        defer { dir.remove() }
        let config = dir.file("d/arlink.yaml")
        let imports = dir.file("d/erp/import")
        let updateFiles = try FileManager.default.contentsOfDirectory(atPath: imports).filter { $0.hasPrefix("arlink_erp_updates_") }
        // An account with a contact update (new contact data from the partner) and a risk score.
        let jsonl = try #require(updateFiles.first { $0.hasSuffix(".jsonl") })
        let lines = try String(contentsOfFile: imports + "/" + jsonl, encoding: .utf8).split(separator: "\n")
        let contactLine = try #require(lines.first { $0.contains("\"source_event_type\":\"contact_update\"") })
        let object = try Self.json(String(contactLine))
        let ref = try #require(object["account_ref"] as? String)
        let contact = try #require(object["contact"] as? [String: String])
        // Values that identify this debtor (a city or country code may be another debtor's too).
        let contactValues = contact.filter { ["street", "phone", "email"].contains($0.key) }.map(\.value).filter { $0.count >= 5 }
        try #require(!contactValues.isEmpty)
        // The debtor's own master data, as the partner received it.
        let master = try ProcessRunner.run("python3", ["-c", """
            import csv, sys
            for row in csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')):
                if row['customer_id'] == sys.argv[2]:
                    for column in ('name', 'email', 'phone', 'street'):
                        if len(row[column]) >= 5: print(row[column])
            """, dir.file("d/erp/customers.csv"), ref]).stdout.split(separator: "\n").map(String.init)
        let needles = contactValues + master
        func scanWorkFiles() throws -> [String] {
            var hits: [String] = []
            for folder in [imports, dir.file("d/state/work")] {
                guard let walker = FileManager.default.enumerator(atPath: folder) else { continue }
                for case let name as String in walker where !name.hasSuffix(".p7m") {
                    guard let data = FileManager.default.contents(atPath: folder + "/" + name) else { continue }
                    let text = String(decoding: data, as: UTF8.self)
                    for needle in needles where text.contains(needle) { hits.append(name + ": " + String(needle.prefix(3)) + "...") }
                }
            }
            return hits
        }
        #expect(!(try scanWorkFiles()).isEmpty, "before erasure the ERP update files hold the partner's contact data")
        let sealedBefore = try Self.sql(dir, "SELECT sealed_sha256 FROM outbound_batch")

        let erased = try Self.arlink(["privacy", "subject", "--config", config, "--account", ref, "--erase"])
        #expect(erased.status == 0, "\(erased.stderr)")
        let e = try #require(try Self.json(erased.stdout)["erasure"] as? [String: Any])
        #expect(e["partners_to_recall"] as? [String] == ["acme-collect"])
        #expect((e["files_scrubbed"] as? [String])?.count == updateFiles.count)
        #expect((e["sealed_copies_kept"] as? [String])?.count == 1)
        let left = try scanWorkFiles()
        #expect(left.isEmpty, "personal data left in work files: \(left)")
        // The update lines themselves stay (ids, statuses), without the personal values.
        let after = try String(contentsOfFile: imports + "/" + jsonl, encoding: .utf8)
        #expect(after.split(separator: "\n").count == lines.count)
        #expect(after.contains(ref))
        // Sealed archives are kept unchanged; the ledger keeps ids and amounts.
        #expect(try Self.sql(dir, "SELECT sealed_sha256 FROM outbound_batch") == sealedBefore)
        #expect(try Self.int(dir, "SELECT count(*) FROM placement WHERE account_ref = '\(ref)'") == 1)
        #expect(try Self.sql(dir, "SELECT account_ref FROM privacy_erasure") == [ref])
        #expect(try Self.arlink(["audit", "verify", "--config", config]).status == 0)

        // The next portfolio recalls it with erasure_request.
        let tomorrow = try #require(try Self.sql(dir, "SELECT date(as_of, '+1 day') FROM outbound_batch").first)
        let run = try Self.arlink(["outbound", "run", "--config", config, "--as-of", tomorrow])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Self.sql(dir, "SELECT action || ' ' || recall_reason FROM placement_event WHERE account_ref = '\(ref)' AND action = 'recall'")
                == ["recall erasure_request"])
        let subject = try Self.json(try Self.arlink(["privacy", "subject", "--config", config, "--account", ref]).stdout)
        #expect((subject["placements"] as? [[String: Any]])?.first?["recall_reason"] as? String == "erasure_request")
        #expect(subject["erasure_requested_at"] is String)

        // A breach window after both deliveries: the partner still holds every active placement, not the erased one.
        let breach = try Self.json(try Self.arlink(["privacy", "breach", "--config", config, "--from", "2099-01-01", "--to", "2099-01-02",
                                                    "--format", "json"]).stdout)
        let exposures = try #require(breach["exposures"] as? [[String: Any]])
        #expect(exposures.count == (try Self.int(dir, "SELECT count(*) FROM placement WHERE status = 'active'")))
        #expect(!exposures.contains { $0["account_ref"] as? String == ref })
        #expect(exposures.allSatisfy { $0["sent_in_window"] as? Bool == false })
        // The report counts both files, the updates and the one recall.
        let day = try #require(try Self.sql(dir, "SELECT substr(max(delivered_at), 1, 10) FROM outbound_batch").first)
        let first = try #require(try Self.sql(dir, "SELECT substr(min(delivered_at), 1, 10) FROM outbound_batch").first)
        let report = try Self.json(try Self.arlink(["privacy", "report", "--config", config, "--from", first, "--to", day]).stdout)
        let t = try #require((report["transfers"] as? [[String: Any]])?.first)
        #expect(t["files"] as? Int == 2)
        #expect(t["recalled"] as? Int == 1)
        #expect(t["updated"] as? Int == (try Self.int(dir, "SELECT count(*) FROM placement_event WHERE action = 'update'")))
    }
}
