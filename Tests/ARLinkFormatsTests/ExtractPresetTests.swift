import ARLinkCore
@testable import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

@Suite("Extract reader: presets over real-looking exports")
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

    @Test("ERPNext Accounts Receivable report and Customer list exports")
    func erpnext() throws {
        let extract = try ExtractReader(options: ExtractOptions(preset: .erpnext)).read(
            ExtractFiles(openItems: Fixtures.path("erpnext/accounts_receivable.csv"), customers: Fixtures.path("erpnext/customers.csv")))
        let eur = try Currency("EUR")
        #expect(extract.openItems.map(\.invoiceNumber) == ["ACC-SINV-2025-00031", "ACC-SINV-2025-00044", "ACC-SINV-2025-00058", "ACC-SINV-RET-2025-00003"])
        let first = extract.openItems[0]
        #expect(first.customerID == "CUST-2025-00012")
        #expect(first.invoiceDate == LocalDate(iso: "2025-02-03"))
        #expect(first.dueDate == LocalDate(iso: "2025-03-05"))
        #expect(first.openAmount == Money(minorUnits: 118_000, currency: eur))
        #expect(extract.openItems[1].amount == Money(minorUnits: 250_000, currency: eur))
        #expect(extract.openItems[1].openAmount == Money(minorUnits: 150_000, currency: eur))
        #expect(extract.openItems[3].openAmount == Money(minorUnits: -12_000, currency: eur))
        #expect(extract.customers.count == 3)
        let west = try #require(extract.customers["CUST-2025-00019"])
        #expect(west.name == "West View Software, Ltd.")
        #expect(west.taxID == "FR40303265045")
        #expect(west.email == nil)
        #expect(west.language == "fr")
        #expect(extract.customers["CUST-2025-00023"]?.blocked == true)
        #expect(extract.customers["CUST-2025-00012"]?.phone == "+49 30 1234567")
    }

    @Test("Odoo invoice export with partner fields, and the payments export")
    func odoo() throws {
        let extract = try ExtractReader(options: ExtractOptions(preset: .odoo)).read(
            ExtractFiles(openItems: Fixtures.path("odoo/account_move.csv"), payments: Fixtures.path("odoo/account_payment.csv")))
        let usd = try Currency("USD")
        #expect(extract.openItems.map(\.invoiceNumber) == ["INV/2025/00042", "INV/2025/00043", "INV/2025/00047"])
        #expect(extract.openItems.map(\.settled) == [false, false, true])
        #expect(extract.openItems[1].openAmount == Money(minorUnits: 48_000, currency: usd))
        #expect(extract.openItems[1].amount == Money(minorUnits: 98_000, currency: usd))
        #expect(extract.openItems[2].openAmount.currency == usd)
        #expect(extract.openItems[0].dueDate == LocalDate(iso: "2025-04-02"))
        #expect(extract.customers.count == 2)
        let azure = try #require(extract.customers["base.res_partner_12"])
        #expect(azure.name == "Azure Interior")
        #expect(azure.taxID == "BE0477472701")
        #expect(azure.postalCode == "94538")
        #expect(azure.country == "US")
        #expect(azure.language == "en_US")
        #expect(extract.customers["base.res_partner_10"]?.taxID == nil)
        #expect(extract.lastPaymentDates["base.res_partner_12"] == LocalDate(iso: "2025-05-02"))
        #expect(extract.lastPaymentDates["base.res_partner_10"] == LocalDate(iso: "2025-05-01"))
        #expect(extract.counts.paymentRows == 3)
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

@Suite("Number, date and flag formats")
struct ValueFormatTests {
    static func minor(_ text: String, _ format: NumberFormat, exponent: Int = 2) -> Int64? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { format.parseMinorUnits(UnsafeBufferPointer($0), exponent: exponent) }
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
    ])
    func dates(text: String, format: DateFormat, expected: String?) {
        var bytes = Array(text.utf8)
        let parsed = bytes.withUnsafeMutableBufferPointer { format.parse(UnsafeBufferPointer($0)) }
        #expect(parsed?.iso == expected)
    }

    @Test("flags", arguments: [
        ("1", Bool?(true)), ("0", false), ("", false), ("TRUE", true), ("false", false), ("Yes", true), ("no", false),
        ("y", true), ("N", false), ("maybe", nil), ("2", nil),
    ])
    func flags(text: String, expected: Bool?) {
        var bytes = Array(text.utf8)
        #expect(bytes.withUnsafeMutableBufferPointer { BooleanValue.parse(UnsafeBufferPointer($0)) } == expected)
    }

    @Test("settled words (Odoo's payment_state) only where asked for", arguments: [
        ("paid", Bool?(true)), ("In_Payment", true), ("REVERSED", true), ("not_paid", false), ("Partial", false),
        ("invoicing_legacy", false), ("paidx", nil), ("pai", nil), (" yes ", true), ("tru\u{E9}", nil), ("YES", true),
    ])
    func settledFlags(text: String, expected: Bool?) {
        var bytes = Array(text.utf8)
        #expect(bytes.withUnsafeMutableBufferPointer { BooleanValue.parse(UnsafeBufferPointer($0), settledWords: true) } == expected)
        let plain = bytes.withUnsafeMutableBufferPointer { BooleanValue.parse(UnsafeBufferPointer($0)) }
        #expect(plain == (["paid", "in_payment", "reversed", "not_paid", "partial", "invoicing_legacy"].contains(text.lowercased()) ? nil : expected))
    }
}
