import ARLinkCore
@testable import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

@Suite("Extract reader: the transfer_consent column, for every preset", .timeLimit(.minutes(10)))
struct TransferConsentColumnTests {
    /// Copies a fixture with a consent column added (Python's csv module): "yes" on odd data rows, empty on even ones.
    static func withConsent(_ dir: TemporaryDirectory, _ fixture: String, header: String) throws -> String {
        let out = dir.file(URL(fileURLWithPath: fixture).lastPathComponent)
        let r = try ProcessRunner.run("python3", ["-c", """
            import csv, sys
            rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
            w = csv.writer(open(sys.argv[2], 'w', newline='', encoding='utf-8'), lineterminator='\\n')
            w.writerow(rows[0] + [sys.argv[3]])
            for i, row in enumerate(rows[1:]):
                w.writerow(row + ['yes' if i % 2 == 0 else ''])
            """, Fixtures.path(fixture), out, header])
        try #require(r.status == 0, "\(r.stderr)")
        return out
    }

    @Test("generic reads transfer_consent by its own name; absent means no consent")
    func generic() throws {
        let dir = try TemporaryDirectory("consent")
        defer { dir.remove() }
        let customers = try Self.withConsent(dir, "generic/customers.csv", header: "transfer_consent")
        let extract = try ExtractReader(options: ExtractOptions(preset: .generic)).read(
            ExtractFiles(openItems: Fixtures.path("generic/open_items.csv"), customers: customers))
        #expect(extract.customers["C1"]?.transferConsent == true)
        #expect(extract.customers["C2"]?.transferConsent == false)
        let without = try ExtractReader(options: ExtractOptions(preset: .generic)).read(
            ExtractFiles(openItems: Fixtures.path("generic/open_items.csv"), customers: Fixtures.path("generic/customers.csv")))
        #expect(without.customers.values.allSatisfy { !$0.transferConsent })
    }

    @Test("erpnext and odoo read it when mapped, from the customer file or from the invoice export")
    func mapped() throws {
        let dir = try TemporaryDirectory("consent")
        defer { dir.remove() }
        var erpnext = ExtractOptions(preset: .erpnext)
        erpnext.mapping.customers[.transferConsent] = "Collection Consent Abroad"
        let customers = try Self.withConsent(dir, "erpnext/customers.csv", header: "Collection Consent Abroad")
        let e = try ExtractReader(options: erpnext).read(ExtractFiles(openItems: Fixtures.path("erpnext/accounts_receivable.csv"), customers: customers))
        #expect(e.customers["CUST-00001"]?.transferConsent == true)
        #expect(e.customers.values.contains { !$0.transferConsent })

        var odoo = ExtractOptions(preset: .odoo)
        odoo.mapping.customers[.transferConsent] = "x_transfer_consent"
        let partners = try Self.withConsent(dir, "odoo/res_partner.csv", header: "x_transfer_consent")
        let o = try ExtractReader(options: odoo).read(ExtractFiles(openItems: Fixtures.path("odoo/account_move.csv"), customers: partners))
        #expect(o.customers["base.res_partner_12"]?.transferConsent == true)

        var embedded = ExtractOptions(preset: .odoo)
        embedded.mapping.embeddedCustomers[.transferConsent] = "partner_id/x_transfer_consent"
        let moves = try Self.withConsent(dir, "odoo/account_move.csv", header: "partner_id/x_transfer_consent")
        let m = try ExtractReader(options: embedded).read(ExtractFiles(openItems: moves))
        #expect(m.customers["base.res_partner_12"]?.transferConsent == true)
    }
}
