import ARLinkCore
@testable import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

@Suite("Extract reader: presets over real-looking exports", .timeLimit(.minutes(10)))
struct ExtractPresetTests {
    @Test("generic columns, with the customer master joined")
    func generic() throws {
        let extract = try ExtractReader(options: ExtractOptions(preset: .generic)).read(
            ExtractFiles(openItems: Fixtures.path("generic/open_items.csv"), customers: Fixtures.path("generic/customers.csv")))
        let eur = try Currency("EUR"), jpy = try Currency("JPY")
        #expect(extract.openItems.count == 3)
        let second = try #require(extract.openItems.first { $0.invoiceNumber == "INV-2" })
        #expect(second.amount == Money(minorUnits: 125_050, currency: eur))
        #expect(second.openAmount == Money(minorUnits: 25_050, currency: eur))
        #expect(second.disputed && !second.blocked && !second.settled)
        #expect(second.promiseDate == LocalDate(iso: "2025-07-15"))
        #expect(second.sourceLine == 3)
        let third = try #require(extract.openItems.first { $0.invoiceNumber == "INV-3" })
        #expect(third.openAmount == Money(minorUnits: 5000, currency: jpy))
        #expect(third.invoiceDate == nil)
        let c1 = try #require(extract.customers["C1"])
        #expect(c1.name == "Müller & Söhne GmbH")
        #expect(c1.street == "Hauptstr. 1, Hinterhaus")
        #expect(c1.city == "München")
        #expect(extract.customers["C2"]?.blocked == true)
        #expect(extract.customers["C2"]?.email == nil)
    }

    @Test("ERPNext: the Accounts Receivable report (two Customer Name columns, dd-mm-yyyy, 45871000.0, a 'Total' row) and the Customer export")
    func erpnext() throws {
        let extract = try ExtractReader(options: ExtractOptions(preset: .erpnext)).read(
            ExtractFiles(openItems: Fixtures.path("erpnext/accounts_receivable.csv"), customers: Fixtures.path("erpnext/customers.csv")))
        let idr = try Currency("IDR")
        #expect(extract.openItems.map(\.invoiceNumber) == [
            "ACC-SINV-2025-00017", "ACC-SINV-2025-00021", "ACC-SINV-2025-00022", "ACC-SINV-RET-2025-00002", "ACC-SINV-2025-00040",
        ])
        let first = extract.openItems[0]
        #expect(first.customerID == "CUST-00001")
        #expect(first.invoiceDate == LocalDate(iso: "2025-04-15"))
        #expect(first.dueDate == LocalDate(iso: "2025-05-15"))
        #expect(first.openAmount == Money(minorUnits: 4_587_100_000, currency: idr))
        #expect(extract.openItems[3].openAmount == Money(minorUnits: -25_000_000, currency: idr))
        #expect(extract.openItems[4].amount == Money(minorUnits: 98_000_000, currency: idr))
        #expect(extract.openItems[4].openAmount == Money(minorUnits: 50_000_000, currency: idr))
        // The closing 'Total' row is neither an open item nor a bad row.
        #expect(extract.counts.openItemRows == 5)
        #expect(extract.counts.summaryRowsSkipped == 1)
        #expect(extract.problems.isEmpty)
        // The Customer export: multi-line quoted addresses are one field each.
        #expect(extract.counts.customerRows == 4)
        let berkah = try #require(extract.customers["CUST-00003"])
        #expect(berkah.name == "Toko Berkah")
        #expect(berkah.group == "Individual")
        #expect(berkah.phone == "+62 812 5550 303")
        #expect(berkah.sourceLine == 10)
        #expect(extract.customers["CUST-00002"]?.group == "Intercompany")
        #expect(extract.customers["CUST-00001"]?.taxID == "01.234.567.8-901.000")
        #expect(extract.customers["CUST-00004"]?.email == "ar@lestari.example")
    }

    @Test("ERPNext without a Customer export: the report's first Customer Name and Customer Group")
    func erpnextReportOnly() throws {
        let extract = try ExtractReader(options: ExtractOptions(preset: .erpnext)).read(
            ExtractFiles(openItems: Fixtures.path("erpnext/accounts_receivable.csv")))
        #expect(extract.customers.count == 4)
        #expect(extract.customers["CUST-00002"]?.name == "CV Maju Jaya")
        #expect(extract.customers["CUST-00002"]?.group == "Intercompany")
        #expect(extract.counts.summaryRowsSkipped == 1)
    }

    @Test("Odoo: the account.move export alone; only posted customer invoices and refunds count")
    func odoo() throws {
        let extract = try ExtractReader(options: ExtractOptions(preset: .odoo)).read(
            ExtractFiles(openItems: Fixtures.path("odoo/account_move.csv"), payments: Fixtures.path("odoo/account_payment.csv")))
        let usd = try Currency("USD")
        #expect(extract.openItems.map(\.invoiceNumber) == ["INV/2025/00042", "INV/2025/00043", "INV/2025/00047", "RINV/2025/00003", "INV/2025/00051", "INV/2025/00031"])
        #expect(extract.openItems.map(\.settled) == [false, false, true, false, false, true])
        #expect(extract.openItems[1].openAmount == Money(minorUnits: 48_000, currency: usd))
        #expect(extract.openItems[1].amount == Money(minorUnits: 98_000, currency: usd))
        // out_refund: Odoo writes it positive; here it is a credit note.
        #expect(extract.openItems[3].openAmount == Money(minorUnits: -10_000, currency: usd))
        #expect(extract.openItems[3].amount == Money(minorUnits: -10_000, currency: usd))
        #expect(extract.openItems[0].dueDate == LocalDate(iso: "2025-04-02"))
        // The vendor bill, the draft and the cancelled invoice are skipped, not bad rows.
        #expect(extract.counts.otherDocumentRowsSkipped == 3)
        #expect(extract.counts.openItemRows == 6)
        #expect(extract.problems.isEmpty)
        #expect(extract.customers.count == 4)
        #expect(extract.customers["base.res_partner_12"]?.name == "Azure Interior")
        #expect(extract.customers["base.res_partner_14"] == nil)
        #expect(extract.lastPaymentDates["base.res_partner_12"] == LocalDate(iso: "2025-05-02"))
        #expect(extract.paymentTotals[PaymentKey(customerID: "base.res_partner_12", currency: usd)] == 50_050)
        #expect(extract.counts.paymentRows == 3)
    }

    @Test("Odoo with the res.partner export joined by external id")
    func odooWithPartners() throws {
        let extract = try ExtractReader(options: ExtractOptions(preset: .odoo)).read(
            ExtractFiles(openItems: Fixtures.path("odoo/account_move.csv"), customers: Fixtures.path("odoo/res_partner.csv")))
        let azure = try #require(extract.customers["base.res_partner_12"])
        #expect(azure.taxID == "BE0477472701")
        #expect(azure.postalCode == "94538")
        #expect(azure.country == "US")
        #expect(azure.group == "Office Furniture")
        #expect(extract.openItems.count == 6)
    }

    @Test("an unknown move_type or state is a bad row naming the column")
    func odooBadDocumentType() throws {
        let dir = try TemporaryDirectory("odoo-bad")
        defer { dir.remove() }
        let path = try dir.write("moves.csv", """
            "id","name","partner_id","partner_id/id","invoice_date","invoice_date_due","amount_total","amount_residual","currency_id","payment_state","move_type","state"
            "m1","INV/1","A","base.a","2025-01-01","2025-01-31","10.0","10.0","EUR","not_paid","out_invoce","posted"

            """)
        let error = formatError { _ = try ExtractReader(options: ExtractOptions(preset: .odoo)).read(ExtractFiles(openItems: path)) }
        #expect(error?.code == .badValue)
        #expect(error?.message.contains("moves.csv line 2, column \"move_type\"") == true)
        #expect(error?.message.contains("\"out_invoce\" is not a document type") == true)
    }

    @Test("a custom mapping renames columns; absent optional columns and a default currency")
    func customMapping() throws {
        let dir = try TemporaryDirectory("mapping")
        defer { dir.remove() }
        var options = ExtractOptions(numberFormat: .commaDecimal, dateFormat: .dayMonthYearDot, defaultCurrency: try Currency("EUR"))
        options.mapping.openItems[.invoiceNumber] = "Belegnummer"
        options.mapping.openItems[.customerID] = "Kunde"
        options.mapping.openItems[.dueDate] = "Fällig"
        options.mapping.openItems[.openAmount] = "Offen"
        options.csv.delimiter = UInt8(ascii: ";")
        let items = try dir.write("op.csv", "Belegnummer;Kunde;Fällig;Offen\nRE-1;C1;31.01.2025;1.234,56\nRE-2;C2;1.2.2025;-7,5\n")
        let customers = try dir.write("cu.csv", "customer_id;name\nC1;Alpha\nC2;Beta\n")
        let extract = try ExtractReader(options: options).read(ExtractFiles(openItems: items, customers: customers))
        #expect(extract.openItems.map(\.openAmount.minorUnits) == [123_456, -750])
        #expect(extract.openItems.map(\.amount.minorUnits) == [123_456, -750])
        #expect(extract.openItems[1].dueDate == LocalDate(iso: "2025-02-01"))
        #expect(extract.openItems.allSatisfy { !$0.disputed && $0.promiseDate == nil })
    }

    @Test("the keep filter bounds what is stored but every row is still checked")
    func keepFilter() throws {
        let dir = try TemporaryDirectory("keep")
        defer { dir.remove() }
        let items = genericHeader + "INV-1,C1,,2025-01-31,1.00,1.00,EUR,0,0,,0\nINV-2,C1,,2025-12-31,1.00,1.00,EUR,0,0,,0\nINV-2,C2,,2025-01-31,1.00,1.00,EUR,0,0,,0\n"
        let itemsPath = try dir.write("open_items.csv", items)
        let customersPath = try dir.write("customers.csv", standardCustomers)
        let cutoff = try #require(LocalDate(iso: "2025-06-30"))
        let error = formatError {
            _ = try ExtractReader(options: ExtractOptions()).read(ExtractFiles(openItems: itemsPath, customers: customersPath)) { $0.dueDate < cutoff }
        }
        #expect(error?.code == .duplicateInvoice)
        var options = ExtractOptions()
        options.maxBadRows = 1
        let extract = try ExtractReader(options: options).read(ExtractFiles(openItems: itemsPath, customers: customersPath)) { $0.dueDate < cutoff }
        #expect(extract.openItems.map(\.invoiceNumber) == ["INV-1"])
        #expect(extract.counts.openItemRows == 3)
    }
}

@Suite("Number, date and flag formats", .timeLimit(.minutes(10)))
struct ValueFormatTests {
    @Test("every date format pattern round-trips through its name and parses its own sample")
    func dateFormatNames() throws {
        #expect(DateFormat.allCases.count == 12)
        #expect(Set(DateFormat.allCases.map(\.rawValue)).count == 12)
        for format in DateFormat.allCases {
            #expect(DateFormat(rawValue: format.rawValue) == format)
            let sample = format.rawValue.replacingOccurrences(of: "yyyy", with: "2024")
                .replacingOccurrences(of: "MM", with: "02").replacingOccurrences(of: "dd", with: "29")
            let bytes = Array(sample.utf8)
            let parsed = format.parse(bytes.span)
            #expect(parsed?.iso == "2024-02-29", "\(format.rawValue)")
        }
        #expect(DateFormat(rawValue: "dd-mm-yyyy") == nil)
    }

    static func minor(_ text: String, _ format: NumberFormat, exponent: Int = 2) -> Int64? {
        let bytes = Array(text.utf8)
        return format.parseMinorUnits(bytes.span, exponent: exponent)
    }

    @Test("amounts", arguments: [
        ("1234.56", NumberFormat.plain, 2, Int64?(123_456)),
        ("-0.05", .plain, 2, -5),
        ("12.5", .plain, 2, 1250),
        ("12.500", .plain, 2, 1250),
        ("12.345", .plain, 2, nil),
        ("1,234.56", .plain, 2, nil),
        ("1,234.56", .dotDecimal, 2, 123_456),
        ("1,234,567.8", .dotDecimal, 2, 123_456_780),
        ("1234.56", .dotDecimal, 2, 123_456),
        ("12,34.56", .dotDecimal, 2, nil),
        ("1.234,56", .commaDecimal, 2, 123_456),
        ("1234,5", .commaDecimal, 2, 123_450),
        ("1.234", .commaDecimal, 2, 123_400),
        ("1.234", .dotDecimal, 2, nil),
        ("  42 ", .plain, 2, 4200),
        ("7-", .plain, 2, -700),
        ("1250000", .plain, 0, 1_250_000),
        ("1250000.00", .plain, 0, 1_250_000),
        ("12.5", .plain, 0, nil),
        ("1.234", .plain, 3, 1234),
        ("", .plain, 2, nil),
        ("-", .plain, 2, nil),
        ("abc", .plain, 2, nil),
        ("99999999999999999999", .plain, 2, nil),
    ])
    func amounts(text: String, format: NumberFormat, exponent: Int, expected: Int64?) {
        #expect(Self.minor(text, format, exponent: exponent) == expected)
    }

    @Test("dates", arguments: [
        ("2025-03-31", DateFormat.iso, String?("2025-03-31")),
        ("2024-02-29", .iso, "2024-02-29"),
        ("2025-02-29", .iso, nil),
        ("2025-3-31", .iso, nil),
        ("2025-03-31 00:00:00", .iso, "2025-03-31"),
        ("31.03.2025", .dayMonthYearDot, "2025-03-31"),
        ("1.3.2025", .dayMonthYearDot, "2025-03-01"),
        ("31.02.2025", .dayMonthYearDot, nil),
        ("31/03/2025", .dayMonthYearSlash, "2025-03-31"),
        ("03/31/2025", .monthDayYearSlash, "2025-03-31"),
        ("31/03/2025", .monthDayYearSlash, nil),
        ("31-03-2025", .dayMonthYearDash, "2025-03-31"),
        ("31-03-25", .dayMonthYearDash, nil),
        ("2025-03-31", .dayMonthYearDot, nil),
        ("20250331", DateFormat(rawValue: "yyyyMMdd")!, "2025-03-31"),
        ("20250231", DateFormat(rawValue: "yyyyMMdd")!, nil),
        ("31032025", DateFormat(rawValue: "ddMMyyyy")!, "2025-03-31"),
        ("03312025", DateFormat(rawValue: "MMddyyyy")!, "2025-03-31"),
        ("2025/03/31", DateFormat(rawValue: "yyyy/MM/dd")!, "2025-03-31"),
        ("2025.03.31", DateFormat(rawValue: "yyyy.MM.dd")!, "2025-03-31"),
        ("03-31-2025", DateFormat(rawValue: "MM-dd-yyyy")!, "2025-03-31"),
        ("3.31.2025", DateFormat(rawValue: "MM.dd.yyyy")!, "2025-03-31"),
        ("31-03-2025 10:15:00", .dayMonthYearDash, "2025-03-31"),
        ("2025033", DateFormat(rawValue: "yyyyMMdd")!, nil),
        ("2025-03-31", DateFormat(rawValue: "yyyy/MM/dd")!, nil),
    ])
    func dates(text: String, format: DateFormat, expected: String?) {
        let bytes = Array(text.utf8)
        let parsed = format.parse(bytes.span)
        #expect(parsed?.iso == expected)
    }

    @Test("flags", arguments: [
        ("1", Bool?(true)), ("0", false), ("", false), ("TRUE", true), ("false", false), ("Yes", true), ("no", false),
        ("y", true), ("N", false), ("maybe", nil), ("2", nil),
    ])
    func flags(text: String, expected: Bool?) {
        let bytes = Array(text.utf8)
        #expect(BooleanValue.parse(bytes.span) == expected)
    }

    @Test("settled words (Odoo's payment_state) only where asked for", arguments: [
        ("paid", Bool?(true)), ("In_Payment", true), ("REVERSED", true), ("not_paid", false), ("Partial", false),
        ("invoicing_legacy", false), ("paidx", nil), ("pai", nil), (" yes ", true), ("tru\u{E9}", nil), ("YES", true),
    ])
    func settledFlags(text: String, expected: Bool?) {
        let bytes = Array(text.utf8)
        #expect(BooleanValue.parse(bytes.span, settledWords: true) == expected)
        let plain = BooleanValue.parse(bytes.span)
        #expect(plain == (["paid", "in_payment", "reversed", "not_paid", "partial", "invoicing_legacy"].contains(text.lowercased()) ? nil : expected))
    }
}
