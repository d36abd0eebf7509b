import ARLinkConfig
import ARLinkCore
import ARLinkFormats
import ARLinkJobs
import ARLinkOutbound
import ARLinkStore
import ARLinkTestSupport
import Foundation
import Testing

/// Never tell an agency something false: an empty extract, a mass recall and a recall reason
/// without evidence, through the real job (real SQLite, real envelope, folder transport) over
/// small extracts written by hand.
@Suite("Outbound job: recall safety", .timeLimit(.minutes(10)))
struct RecallSafetyTests {
    static let header = "invoice_number,customer_id,invoice_date,due_date,amount,open_amount,currency,disputed,blocked,promise_date,settled\n"
    static let ids = (1...10).map { String(format: "C%02d", $0) }

    /// Ten customers with one overdue invoice of 100.00 EUR each, minus `gone`, with `paidOff`
    /// present with nothing open and `oldPaid` with an older invoice (never placed) settled;
    /// `payments` is the payments file's rows.
    static func write(
        _ f: OutboundFixture, gone: Set<String> = [], paidOff: Set<String> = [], oldPaid: Set<String> = [], payments: [String] = []
    ) throws {
        var items = header
        for id in ids where !gone.contains(id) {
            items += "INV-\(id),\(id),2026-01-01,2026-03-01,100.00,\(paidOff.contains(id) ? "0.00" : "100.00"),EUR,0,0,,0\n"
        }
        for id in oldPaid.sorted() {
            items += "OLD-\(id),\(id),2025-01-01,2025-02-01,40.00,40.00,EUR,0,0,,1\n"
        }
        try f.dir.write("erp/open_items.csv", items)
        try f.dir.write("erp/customers.csv", "customer_id,name,group\n" + ids.map { "\($0),Name \($0),standard\n" }.joined())
        try f.dir.write("erp/payments.csv", "customer_id,payment_date,amount,currency\n" + payments.map { $0 + "\n" }.joined())
    }

    static func sql(_ f: OutboundFixture, _ query: String) throws -> String {
        try ProcessRunner.run("sqlite3", [f.dir.file("state/arlink.sqlite"), query]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func withConfig(_ f: OutboundFixture, _ extra: String) throws {
        let text = try String(contentsOfFile: f.configPath, encoding: .utf8)
        try f.dir.write("arlink.yaml", text.replacingOccurrences(of: "    masking:\n", with: extra + "    masking:\n"))
    }

    @Test("a header-only extract is refused (exit 65) before anything is built; the ledger keeps every placement")
    func headerOnlyExtract() throws {
        let f = try OutboundFixture(customers: 10, items: 10)
        defer { f.dir.remove() }
        try Self.write(f)
        let first = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf)).partners[0]
        #expect(first.placed == 10)
        try f.dir.write("erp/open_items.csv", Self.header)
        var thrown: (any Error)?
        do { _ = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf.adding(days: 1))) } catch { thrown = error }
        let error = try #require(thrown as? FormatError)
        #expect(error.code == .noUsableRows)
        #expect(error.exitStatus == .dataError)
        #expect(error.message.contains("open_items.csv: the open items have no usable row (only a header)"))
        #expect(try f.inbox().count == 1)
        #expect(try Self.sql(f, "SELECT COUNT(*) FROM outbound_batch") == "1")
        #expect(try Self.sql(f, "SELECT COUNT(*) FROM placement WHERE status = 'active'") == "10")
        #expect(try Self.sql(f, "SELECT COUNT(*) FROM audit_entry WHERE action = 'extract.refused'") == "1")
    }

    @Test("recalling more than max_recall_share is refused with counts and reasons; --allow-mass-recall builds it, both audited")
    func massRecall() throws {
        let f = try OutboundFixture(customers: 10, items: 10)
        defer { f.dir.remove() }
        try Self.write(f)
        #expect(try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf)).partners[0].placed == 10)
        // C01 present with nothing open, C02 gone but its payment is in the payments file, C03 and
        // C04 gone without a trace (C03's older, never placed invoice is settled: no evidence for
        // the one placed): four recalls of ten placed, over the default 0.2.
        try Self.write(f, gone: ["C02", "C03", "C04"], paidOff: ["C01"], oldPaid: ["C03"], payments: ["C02,2026-06-15,100.00,EUR"])
        let day2 = f.asOf.adding(days: 1)
        var thrown: (any Error)?
        do { _ = try OutboundJob(context: try f.context()).run(.init(asOf: day2)) } catch { thrown = error }
        let error = try #require(thrown as? JobError)
        #expect(error.code == .massRecall)
        #expect(error.exitStatus == .dataError)
        #expect(error.message.contains("would recall 4 of 10 placed accounts, more than max_recall_share 0.2 (at most 2 of 10 placed accounts) allows"))
        #expect(error.message.contains("top reasons: closed_in_erp 2, paid_to_creditor 2"))
        #expect(try f.inbox().count == 1)
        #expect(try Self.sql(f, "SELECT COUNT(*) FROM outbound_batch") == "1")
        #expect(try Self.sql(f, "SELECT COUNT(*) FROM audit_entry WHERE action = 'recall.mass_refused'") == "1")
        // A dry run warns instead.
        let dry = try OutboundJob(context: try f.context()).run(.init(asOf: day2, dryRun: true)).partners[0]
        #expect(dry.recalled == 4)
        #expect(dry.warnings.contains { $0.contains("would recall 4 of 10") && $0.contains("--allow-mass-recall") })
        // The override builds and sends it, with the reasons the evidence supports.
        let allowed = try OutboundJob(context: try f.context()).run(.init(asOf: day2, allowMassRecall: true)).partners[0]
        #expect(allowed.outcome == .delivered)
        #expect(allowed.recalled == 4)
        #expect(try Self.sql(f, "SELECT account_ref || ':' || recall_reason FROM placement WHERE status = 'recalled' ORDER BY account_ref")
                == "C01:paid_to_creditor\nC02:paid_to_creditor\nC03:closed_in_erp\nC04:closed_in_erp")
        #expect(try Self.sql(f, "SELECT COUNT(*) FROM audit_entry WHERE action = 'recall.mass_allowed'") == "1")
        let lines = try f.openWithOpenSSL(try #require(allowed.fileName))
        #expect(lines.filter { $0.contains("\"recall_reason\":\"closed_in_erp\"") }.count == 2)
        // Audit entries hold counts, never names.
        #expect(try Self.sql(f, "SELECT COUNT(*) FROM audit_entry WHERE entry LIKE '%Name C0%'") == "0")
    }

    @Test("max_recalls limits the count even when the share allows it; a payment short of the placed balance is no evidence")
    func maxRecalls() throws {
        let f = try OutboundFixture(customers: 10, items: 10)
        defer { f.dir.remove() }
        try Self.withConfig(f, "    max_recall_share: 1\n    max_recalls: 1\n")
        try Self.write(f)
        #expect(try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf)).partners[0].placed == 10)
        try Self.write(f, gone: ["C05", "C06"], payments: ["C05,2026-06-15,99.99,EUR"])
        var thrown: (any Error)?
        do { _ = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf.adding(days: 1))) } catch { thrown = error }
        let error = try #require(thrown as? JobError)
        #expect(error.message.contains("would recall 2 of 10 placed accounts, more than max_recalls 1 allows; top reasons: closed_in_erp 2"))
        // Within the limit a run goes through without the override.
        try Self.write(f, gone: ["C06"])
        let report = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf.adding(days: 2))).partners[0]
        #expect(report.recalled == 1)
        #expect(!report.warnings.contains { $0.contains("recall") })
    }

    @Test("exclude_groups match ERP spellings case-insensitively; an entry matching nothing is a warning")
    func groupWarnings() throws {
        let f = try OutboundFixture(customers: 10, items: 10)
        defer { f.dir.remove() }
        try Self.write(f)
        try f.dir.write("erp/customers.csv", "customer_id,name,group\n" + Self.ids.map { "\($0),Name \($0),\($0 == "C01" ? "Intercompany" : "standard")\n" }.joined())
        let text = try String(contentsOfFile: f.configPath, encoding: .utf8)
        try f.dir.write("arlink.yaml", text.replacingOccurrences(of: "exclude_groups: [intercompany]", with: "exclude_groups: [intercompany, \" Public-Sector\"]"))
        let report = try OutboundJob(context: try f.context()).run(.init(asOf: f.asOf, dryRun: true)).partners[0]
        #expect(report.placed == 9)
        #expect(report.accountExclusions[.excludedGroup] == 1)
        #expect(report.warnings == ["exclude_groups entry \"public-sector\" matches no customer group in the extract (check its spelling)"])
    }
}
