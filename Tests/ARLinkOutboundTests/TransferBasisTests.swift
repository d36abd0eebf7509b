import ARLinkConfig
import ARLinkCore
import ARLinkJobs
import ARLinkOutbound
import ARLinkTestSupport
import Foundation
import Testing

@Suite("Outbound: transfer basis, consent and erasure (real SQLite, real envelope)", .timeLimit(.minutes(10)))
struct TransferBasisTests {
    static func sql(_ f: OutboundFixture, _ query: String) throws -> [String] {
        let r = try ProcessRunner.run("sqlite3", [f.dir.file("state/arlink.sqlite"), query])
        try #require(r.status == 0, "\(r.stderr)")
        return r.stdout.split(separator: "\n").map(String.init)
    }

    static func edit(_ f: OutboundFixture, _ old: String, _ new: String) throws {
        let yaml = try String(contentsOfFile: f.configPath, encoding: .utf8)
        try #require(yaml.contains(old), "the demo configuration holds \(old)")
        try f.dir.write("arlink.yaml", yaml.replacingOccurrences(of: old, with: new))
    }

    /// Runs and expects a refusal for `reason`: exit 78, nothing delivered, a transfer.refused entry.
    static func expectRefusal(_ f: OutboundFixture, reason: String) throws {
        do {
            _ = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf))
            Issue.record("the run must be refused")
        } catch let error as ConfigError {
            #expect(error.code == .transferRefused)
            #expect(error.exitStatus == .config)
            #expect(error.message.contains("acme-collect"))
        }
        #expect(try f.inbox().isEmpty)
        #expect(try sql(f, "SELECT count(*) FROM outbound_batch") == ["0"])
        let entries = try sql(f, "SELECT entry FROM audit_entry WHERE action = 'transfer.refused'")
        #expect(entries.count == 1)
        #expect(entries.first?.contains("\"reason\":\"\(reason)\"") == true, "\(entries)")
        #expect(entries.first?.contains("\"error_code\":\"config.transfer_refused\"") == true)
    }

    @Test("a cross-border partner without a transfer basis gets nothing (78, audited)")
    func noBasis() throws {
        let f = try OutboundFixture()
        defer { f.dir.remove() }
        try Self.edit(f, "    transfer_basis: contract\n", "")
        try Self.expectRefusal(f, reason: "no_transfer_basis")
    }

    @Test("a partner whose agreement expired gets nothing (78, audited)")
    func expired() throws {
        let f = try OutboundFixture()
        defer { f.dir.remove() }
        try Self.edit(f, "valid_until: \"2036-11-26\"", "valid_until: \"2025-06-30\"")
        try Self.expectRefusal(f, reason: "agreement_expired")
    }

    @Test("a delivery's audit entries record the basis, the agreement hash, the countries and the debtor fields")
    func deliveryRecordsBasis() throws {
        let f = try OutboundFixture()
        defer { f.dir.remove() }
        _ = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf))
        let delivered = try Self.sql(f, "SELECT entry FROM audit_entry WHERE action = 'batch.delivered'")
        #expect(delivered.count == 1)
        for part in ["\"transfer_basis\":\"contract\"", "\"agreement_sha256\":\"120555c20f7268fa4b22e86fc7fd6f4472fd017439368dfbcfb788240e0408a2\"",
                     "\"agreement_ref\":\"DEMO-SCC-2025-001\"", "\"partner_country\":\"SG\"", "\"company_country\":\"DE\""] {
            #expect(delivered.first?.contains(part) == true, "\(part)")
        }
        let built = try Self.sql(f, "SELECT entry FROM audit_entry WHERE action = 'batch.built'")
        #expect(built.first?.contains("\"debtor_fields\":\"name+tax_id:last4+email+phone+street+postal_code+city+country+language\"") == true)
    }

    /// Adds a `transfer_consent` column to the fixture's customer master: yes for ids ending in an even digit.
    static func addConsentColumn(_ f: OutboundFixture) throws -> Set<String> {
        let path = f.dir.file("erp/customers.csv")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var consented: Set<String> = []
        var out: [String] = []
        for (i, line) in lines.enumerated() where !line.isEmpty {
            if i == 0 { out.append(line + ",transfer_consent"); continue }
            let id = String(line.prefix { $0 != "," })
            let yes = id.last.map { "02468".contains($0) } ?? false
            if yes { consented.insert(id) }
            out.append(line + (yes ? ",yes" : ","))
        }
        try (out.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return consented
    }

    @Test("a consent-only partner receives exactly the placed accounts whose extract row carries the consent flag")
    func consentOnly() throws {
        let baseline = try OutboundFixture()
        defer { baseline.dir.remove() }
        _ = try OutboundJob(context: try baseline.context()).run(.init(asOf: baseline.asOf))
        let everyone = Set(try Self.sql(baseline, "SELECT account_ref FROM placement WHERE status = 'active'"))
        #expect(everyone.count > 20)

        let f = try OutboundFixture()
        defer { f.dir.remove() }
        let consented = try Self.addConsentColumn(f)
        try Self.edit(f, "    transfer_basis: contract\n", "    transfer_basis: consent\n")
        let report = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf))
        let expected = everyone.intersection(consented)
        #expect(!expected.isEmpty && expected.count < everyone.count)
        #expect(Set(try Self.sql(f, "SELECT account_ref FROM placement WHERE status = 'active'")) == expected)
        let p = try #require(report.partners.first)
        #expect(p.placed == expected.count)
        #expect((p.accountExclusions[.noTransferConsent] ?? 0) >= everyone.count - expected.count)
        // What the partner can read: only consented debtors.
        let lines = try f.openWithOpenSSL(try #require(try f.inbox().first))
        let placedRefs = lines.filter { $0.contains("\"record_type\":\"place\"") }.compactMap { line -> String? in
            guard let r = line.range(of: "\"account_ref\":\"") else { return nil }
            return String(line[r.upperBound...].prefix { $0 != "\"" })
        }
        #expect(Set(placedRefs) == expected)
        #expect(try Self.sql(f, "SELECT entry FROM audit_entry WHERE action = 'batch.delivered'").first?.contains("\"transfer_basis\":\"consent\"") == true)
    }

    @Test("an erasure request recalls the account (erasure_request) in the next portfolio and it is never placed again")
    func erasureRecall() throws {
        let f = try OutboundFixture()
        defer { f.dir.remove() }
        _ = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf))
        let ref = try #require(try Self.sql(f, "SELECT account_ref FROM placement WHERE status = 'active' ORDER BY account_ref LIMIT 1").first)
        let config = try ArlinkConfiguration.load(path: f.configPath)
        let erasure = try DataSubject(config: config, accountRef: ref).erase(context: try f.context())
        #expect(erasure.newlyRequested)
        #expect(erasure.partnersToRecall == ["acme-collect"])
        #expect(erasure.sealedCopiesKept.count == 1)
        let entry = try #require(try Self.sql(f, "SELECT entry FROM audit_entry WHERE action = 'privacy.erasure_requested'").first)
        #expect(entry.contains("\"account_sha256\":\"\(SHA256.hex(SHA256.hash(Array(ref.utf8))))\""))
        #expect(!entry.contains(ref), "the audit entry names the account by its hash only")

        let next = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf.adding(days: 1)))
        #expect(next.partners.first?.recalled == 1)
        #expect(next.partners.first?.placed == 0)
        #expect(try Self.sql(f, "SELECT status || ' ' || recall_reason FROM placement WHERE account_ref = '\(ref)'") == ["recalled erasure_request"])
        let names = try f.inbox().filter { $0.contains("_000002.") }
        let lines = try f.openWithOpenSSL(try #require(names.first))
        let recall = try #require(lines.first { $0.contains("\"account_ref\":\"\(ref)\"") })
        #expect(recall.contains("\"record_type\":\"recall\"") && recall.contains("\"recall_reason\":\"erasure_request\"") && recall.contains("\"debtor\":null"))

        let third = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf.adding(days: 2)))
        #expect(third.partners.first?.placed == 0)
        #expect(third.partners.first?.accountExclusions[.erasureRequested] == 1)
        #expect(try Self.sql(f, "SELECT count(*) FROM placement_event WHERE account_ref = '\(ref)' AND action = 'place'") == ["1"])
    }
}
