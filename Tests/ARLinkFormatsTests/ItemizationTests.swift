import ARLinkCore
@testable import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

/// The optional itemization columns (US Regulation F validation notice data): read from the
/// customer master for every preset, written to and read back from both portfolio flavours,
/// valid against portfolio.v1, and bad values refused with file, line and column.
@Suite("Itemization: extract columns to portfolio", .timeLimit(.minutes(10)))
struct ItemizationTests {
    static let header = "itemization_date,itemization_type,itemization_currency,itemization_amount,itemization_interest,itemization_fees,itemization_payments,itemization_credits,itemization_creditor_name,itemization_creditor_account"
    static let items = genericHeader + "INV-1,C1,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\nINV-2,C2,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\n"

    static func customers(_ c1: String, _ c2: String = ",,,,,,,,,") -> String {
        "customer_id,name,\(header)\nC1,Alpha GmbH,\(c1)\nC2,Beta SA,\(c2)\n"
    }

    @Test("generic reads the columns by their own names, in the currency's exponent; an empty date means none")
    func generic() throws {
        let dir = try TemporaryDirectory("itemization")
        defer { dir.remove() }
        let extract = try readGeneric(dir, items: Self.items, customers: Self.customers(
            "2024-11-30,charge_off,USD,1234.5,10.25,3,100,0.75,Old Bank NA,4111-22"))
        let t = try #require(extract.customers["C1"]?.itemization)
        #expect(t.date == LocalDate(iso: "2024-11-30"))
        #expect(t.type == .chargeOff)
        #expect(t.amount == Money(minorUnits: 123_450, currency: try Currency("USD")))
        #expect(t.interest.minorUnits == 1_025 && t.fees.minorUnits == 300 && t.payments.minorUnits == 10_000 && t.credits.minorUnits == 75)
        #expect(t.creditorName == "Old Bank NA" && t.creditorAccount == "4111-22")
        #expect(extract.customers["C2"]?.itemization == nil)

        // JPY has no decimals; empty optional amounts are zero.
        let jpy = try readGeneric(dir, items: Self.items, customers: Self.customers("2024-11-30,judgment,JPY,125000,,,,,Bank,A1"))
        let j = try #require(jpy.customers["C1"]?.itemization)
        #expect(j.amount.minorUnits == 125_000 && j.amount.currency.exponent == 0)
        #expect(j.interest.minorUnits == 0 && j.credits.currency.code == "JPY")
    }

    @Test("erpnext reads them when mapped through the column mapping")
    func mapped() throws {
        let dir = try TemporaryDirectory("itemization")
        defer { dir.remove() }
        var options = ExtractOptions(preset: .erpnext)
        options.mapping.customers[.itemizationDate] = "Itemization Date"
        options.mapping.customers[.itemizationType] = "Itemization Type"
        options.mapping.customers[.itemizationAmount] = "Itemization Amount"
        options.mapping.customers[.itemizationCreditorName] = "Original Creditor"
        options.mapping.customers[.itemizationCreditorAccount] = "Original Account"
        options.defaultCurrency = try Currency("EUR")
        let out = dir.file("customers.csv")
        let r = try ProcessRunner.run("python3", ["-c", """
            import csv, sys
            rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
            w = csv.writer(open(sys.argv[2], 'w', newline='', encoding='utf-8'), lineterminator='\\n')
            w.writerow(rows[0] + ['Itemization Date', 'Itemization Type', 'Itemization Amount', 'Original Creditor', 'Original Account'])
            for i, row in enumerate(rows[1:]):
                w.writerow(row + (['31-12-2024', 'last_statement', '99.90', 'Acme Old', 'OLD-1'] if i == 0 else ['', '', '', '', '']))
            """, Fixtures.path("erpnext/customers.csv"), out])
        try #require(r.status == 0, "\(r.stderr)")
        let e = try ExtractReader(options: options).read(ExtractFiles(openItems: Fixtures.path("erpnext/accounts_receivable.csv"), customers: out))
        let t = try #require(e.customers["CUST-00001"]?.itemization)
        #expect(t.date == LocalDate(iso: "2024-12-31") && t.type == .lastStatement && t.amount.minorUnits == 9_990)
        #expect(t.currency.code == "EUR" && t.creditorAccount == "OLD-1")
        #expect(e.customers.values.contains { $0.itemization == nil })
    }

    @Test("bad values are refused with file, line and column", arguments: [
        ("2024-11-30,write_off,USD,1.00,,,,,Bank,A1", FormatError.Code.badValue, "customers.csv line 2, column \"itemization_type\": \"write_off\" is not an itemization type (expected last_statement, charge_off, last_payment, transaction, judgment)"),
        ("30.11.2024,charge_off,USD,1.00,,,,,Bank,A1", .badDate, "customers.csv line 2, column \"itemization_date\": \"30.11.2024\" is not a date (expected YYYY-MM-DD)"),
        ("2024-11-30,charge_off,USD,-1.00,,,,,Bank,A1", .badAmount, "customers.csv line 2, column \"itemization_amount\": \"-1.00\" is negative"),
        ("2024-11-30,charge_off,USD,1.001,,,,,Bank,A1", .badAmount, "customers.csv line 2, column \"itemization_amount\": \"1.001\" is not an amount in USD"),
        ("2024-11-30,,USD,1.00,,,,,Bank,A1", .missingValue, "customers.csv line 2, column \"itemization_type\": the value is empty"),
        ("2024-11-30,charge_off,USD,1.00,,,,,Bank,", .missingValue, "customers.csv line 2, column \"itemization_creditor_account\": the value is empty"),
    ])
    func badValues(row: String, code: FormatError.Code, message: String) throws {
        let dir = try TemporaryDirectory("itemization")
        defer { dir.remove() }
        let error = formatError { _ = try readGeneric(dir, items: Self.items, customers: Self.customers(row)) }
        #expect(error?.code == code)
        #expect(error?.message.contains(message) == true, "message was: \(error?.message ?? "-")")
        #expect(error?.exitStatus == .dataError)
        // The creditor's account number is not quoted in messages.
        #expect(error?.message.contains("A1") == false)
    }

    static func record() throws -> PortfolioRecord {
        let kwd = try Currency("KWD")
        func m(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: kwd) }
        let due = try #require(LocalDate(iso: "2025-03-31"))
        let item = Itemization(
            date: try #require(LocalDate(iso: "2024-12-31")), type: .lastPayment, amount: m(1_500), interest: m(25), fees: m(0),
            payments: m(250), credits: m(1), creditorName: "Old, \"Gulf\" Bank", creditorAccount: "GB-77")
        return PortfolioRecord(
            action: .place, accountRef: "C-0009", debtor: DebtorData(fields: [.name: "Kuwait Trading"]),
            invoices: [PortfolioInvoice(number: "K-1", invoiceDate: nil, dueDate: due, amount: m(1_500), openAmount: m(1_250), daysPastDue: 91)],
            balances: [m(1_250)], aging: [AgingAmount(bucket: "91-180", amount: m(1_250))], oldestDueDate: due, daysPastDue: 91,
            itemization: item)
    }

    @Test("the itemization reaches the portfolio and reads back", arguments: [PortfolioFormat.jsonl, .csv])
    func roundTrip(format: PortfolioFormat) throws {
        let dir = try TemporaryDirectory("itemization")
        defer { dir.remove() }
        let path = dir.file("p.\(format.fileExtension)")
        let writer = try PortfolioWriter(path: path, format: format, header: try SamplePortfolio.header())
        let records = try SamplePortfolio.records() + [try Self.record()]
        for r in records { try writer.write(r) }
        _ = try writer.finish()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        if format == .jsonl {
            #expect(text.contains(#""itemization":{"date":"2024-12-31","type":"last_payment","currency":"KWD","amount":"1.500","interest":"0.025","fees":"0.000","payments":"0.250","credits":"0.001""#))
            // Records without one carry no itemization member.
            #expect(text.components(separatedBy: "\"itemization\"").count == 2)
        } else {
            #expect(text.contains("R,2024-12-31,last_payment,KWD,1.500,0.025,0.000,0.250,0.001,\"Old, \"\"Gulf\"\" Bank\",GB-77\n"))
        }
        let read = try PortfolioReader.read(path: path)
        #expect(read.records == records)
    }

    @Test("a portfolio with an itemization is valid against portfolio.v1; a bad type is not")
    func schema() throws {
        let dir = try TemporaryDirectory("itemization")
        defer { dir.remove() }
        let path = dir.file("p.jsonl")
        let writer = try PortfolioWriter(path: path, format: .jsonl, header: try SamplePortfolio.header())
        try writer.write(try Self.record())
        _ = try writer.finish()
        let result = try SchemaTests.validate(path)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("3 lines, 0 invalid"))

        let text = try String(contentsOfFile: path, encoding: .utf8)
        for (from, to) in [("\"type\":\"last_payment\"", "\"type\":\"write_off\""), ("\"fees\":\"0.000\"", "\"fees\":\"-0.100\""),
                           ("\"fees\":\"0.000\"", "\"fees\":0")] {
            let broken = try dir.write("broken.jsonl", text.replacingOccurrences(of: from, with: to))
            let bad = try SchemaTests.validate(broken)
            #expect(bad.status == 1 && bad.stdout.contains("line 2 invalid"), "\(from) -> \(to): \(bad.stdout)")
        }
    }

    @Test("the readers refuse a bad itemization with file, line and field")
    func readerRefuses() throws {
        let dir = try TemporaryDirectory("itemization")
        defer { dir.remove() }
        for format in [PortfolioFormat.jsonl, .csv] {
            let path = dir.file("p.\(format.fileExtension)")
            let writer = try PortfolioWriter(path: path, format: format, header: try SamplePortfolio.header())
            try writer.write(try Self.record())
            _ = try writer.finish()
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let broken = try dir.write("b.\(format.fileExtension)", text.replacingOccurrences(
                of: format == .jsonl ? #""type":"last_payment""# : ",last_payment,", with: format == .jsonl ? #""type":"write_off""# : ",write_off,"))
            let error = formatError { _ = try PortfolioReader.read(path: broken) }
            #expect(error?.message.contains("b.\(format.fileExtension) line") == true, "\(error?.message ?? "-")")
            #expect(error?.message.contains(format == .jsonl ? "itemization, field \"type\"" : "column \"type\"") == true, "\(error?.message ?? "-")")
        }
    }
}
