import ARLinkConfig
import ARLinkCore
import ARLinkJobs
import ARLinkOutbound
import ARLinkTestSupport
import Foundation
import Testing

@Suite("Outbound: itemization and require_itemization (real SQLite, real envelope)", .timeLimit(.minutes(10)))
struct ItemizationOutboundTests {
    /// The fixtures here add their own itemization and flag columns to the sample extract.
    static func fixture() throws -> OutboundFixture { try OutboundFixture(accountColumns: false) }

    /// Adds itemization columns to the fixture's customer master: filled for ids ending in an
    /// even digit, empty otherwise.
    static func addItemization(_ f: OutboundFixture) throws -> Set<String> {
        let path = f.dir.file("erp/customers.csv")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var itemized: Set<String> = []
        var out: [String] = []
        for (i, line) in lines.enumerated() where !line.isEmpty {
            if i == 0 {
                out.append(line + ",itemization_date,itemization_type,itemization_currency,itemization_amount,itemization_fees,itemization_creditor_name,itemization_creditor_account")
                continue
            }
            let id = String(line.prefix { $0 != "," })
            let yes = id.last.map { "02468".contains($0) } ?? false
            if yes { itemized.insert(id) }
            out.append(line + (yes ? ",2026-01-31,last_statement,EUR,1234.56,12.5,Acme Old Name GmbH,SECRET-ACCT-\(id)" : ",,,,,,,"))
        }
        try (out.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return itemized
    }

    @Test("require_itemization places exactly the accounts with an itemization, counts the rest as missing_itemization, and the itemization reaches the partner")
    func requireItemization() throws {
        let baseline = try OutboundFixture()
        defer { baseline.dir.remove() }
        _ = try OutboundJob(context: try baseline.context()).run(.init(asOf: baseline.asOf))
        let everyone = Set(try TransferBasisTests.sql(baseline, "SELECT account_ref FROM placement WHERE status = 'active'"))

        let f = try Self.fixture()
        defer { f.dir.remove() }
        let itemized = try Self.addItemization(f)
        try TransferBasisTests.edit(f, "    transfer_basis: contract\n", "    transfer_basis: contract\n    require_itemization: true\n")
        let report = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf))
        let expected = everyone.intersection(itemized)
        #expect(!expected.isEmpty && expected.count < everyone.count)
        #expect(Set(try TransferBasisTests.sql(f, "SELECT account_ref FROM placement WHERE status = 'active'")) == expected)
        let p = try #require(report.partners.first)
        #expect(p.placed == expected.count)
        #expect((p.accountExclusions[.missingItemization] ?? 0) >= everyone.count - expected.count)

        let lines = try f.openWithOpenSSL(try #require(try f.inbox().first))
        let places = lines.filter { $0.contains("\"record_type\":\"place\"") }
        #expect(places.count == expected.count)
        #expect(places.allSatisfy {
            $0.contains(#""itemization":{"date":"2026-01-31","type":"last_statement","currency":"EUR","amount":"1234.56","interest":"0.00","fees":"12.50","payments":"0.00","credits":"0.00","creditor_name":"Acme Old Name GmbH","creditor_account":"SECRET-ACCT-"#)
        })
        // The creditor's account numbers stay out of the audit log.
        let audit = try TransferBasisTests.sql(f, "SELECT entry FROM audit_entry")
        #expect(!audit.isEmpty && !audit.contains { $0.contains("SECRET-ACCT") })
    }

    @Test("without require_itemization every account is placed and only itemized ones carry the member")
    func optional() throws {
        let f = try Self.fixture()
        defer { f.dir.remove() }
        let itemized = try Self.addItemization(f)
        let report = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf))
        let p = try #require(report.partners.first)
        #expect(p.accountExclusions[.missingItemization] == nil)
        let lines = try f.openWithOpenSSL(try #require(try f.inbox().first))
        let places = lines.filter { $0.contains("\"record_type\":\"place\"") }
        let withItem = places.filter { $0.contains("\"itemization\":") }
        #expect(places.count == p.placed && !withItem.isEmpty && withItem.count < places.count)
        #expect(withItem.allSatisfy { line in itemized.contains { line.contains("\"account_ref\":\"\($0)\"") } })
    }

    /// Adds a communication restriction to the customers whose id ends in 1: its text names the id.
    static func addRestriction(_ f: OutboundFixture) throws -> Set<String> {
        let path = f.dir.file("erp/customers.csv")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var restricted: Set<String> = []
        var out: [String] = []
        for (i, line) in lines.enumerated() where !line.isEmpty {
            if i == 0 { out.append(line + ",communication_restriction,bankruptcy_chapter"); continue }
            let id = String(line.prefix { $0 != "," })
            let yes = id.hasSuffix("1")
            if yes { restricted.insert(id) }
            out.append(line + (yes ? ",\"PRIVATE-NOTE \(id), email only\",7" : ",,"))
        }
        try (out.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return restricted
    }

    @Test("the restriction's free text reaches only a partner whose debtor_fields allow it, and never the audit log", arguments: [false, true])
    func restrictionText(allowed: Bool) throws {
        let f = try Self.fixture()
        defer { f.dir.remove() }
        let restricted = try Self.addRestriction(f)
        if allowed {
            try TransferBasisTests.edit(f, "country, language]", "country, language, communication_restriction]")
        }
        let report = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf))
        #expect(try #require(report.partners.first).placed > 0)
        let lines = try f.openWithOpenSSL(try #require(try f.inbox().first))
        let flagged = lines.filter { $0.contains("\"flags\":") }
        #expect(!flagged.isEmpty)
        #expect(flagged.allSatisfy { line in restricted.contains { line.contains("\"account_ref\":\"\($0)\"") } })
        #expect(flagged.allSatisfy { $0.contains("\"communication_restricted\":true") && $0.contains("\"bankruptcy_chapter\":7") })
        #expect(flagged.allSatisfy { $0.contains("PRIVATE-NOTE") == allowed })
        #expect(flagged.allSatisfy { $0.contains("\"communication_restriction\":null") == !allowed })
        let audit = try TransferBasisTests.sql(f, "SELECT entry FROM audit_entry")
        #expect(!audit.isEmpty && !audit.contains { $0.contains("PRIVATE-NOTE") })
        let built = try TransferBasisTests.sql(f, "SELECT entry FROM audit_entry WHERE action = 'batch.built'")
        #expect(built.first?.contains("+communication_restriction") == allowed)
    }
}
