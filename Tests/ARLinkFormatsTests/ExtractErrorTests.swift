import ARLinkCore
@testable import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

/// Every bad extract is refused with its own code and a message that names file, line,
/// column, the value (for non-personal columns) and what was expected.
@Suite("Extract reader: bad extracts", .timeLimit(.minutes(10)))
struct ExtractErrorTests {
    func check(
        _ items: String, customers: String = standardCustomers, options: ExtractOptions = ExtractOptions(),
        code: FormatError.Code, message expected: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let dir = try TemporaryDirectory("extract")
        defer { dir.remove() }
        let error = formatError({ _ = try readGeneric(dir, items: items, customers: customers, options: options) }, sourceLocation: sourceLocation)
        #expect(error?.code == code, sourceLocation: sourceLocation)
        #expect(error?.message.contains(expected) == true, "message was: \(error?.message ?? "-")", sourceLocation: sourceLocation)
        #expect(error?.exitStatus == .dataError, sourceLocation: sourceLocation)
    }

    @Test func missingRequiredColumn() throws {
        try check(
            "invoice_number,customer_id,amount,open_amount,currency\nINV-1,C1,10.00,10.00,EUR\n",
            code: .missingColumn, message: "open_items.csv line 1: the required column \"due_date\" (due_date) is missing from the header")
    }

    @Test func unparseableDate() throws {
        try check(
            genericHeader + "INV-1,C1,2025-01-01,31.02.2025,10.00,10.00,EUR,0,0,,0\n",
            code: .badDate, message: "open_items.csv line 2, column \"due_date\": \"31.02.2025\" is not a date (expected YYYY-MM-DD)")
    }

    @Test func impossibleDateInItsOwnFormat() throws {
        var options = ExtractOptions()
        options.dateFormat = .dayMonthYearDot
        try check(
            genericHeader + "INV-1,C1,01.01.2025,31.02.2025,10.00,10.00,EUR,0,0,,0\n", options: options,
            code: .badDate, message: "\"31.02.2025\" is not a date (expected DD.MM.YYYY)")
    }

    @Test func unparseableAmount() throws {
        try check(
            genericHeader + "INV-1,C1,2025-01-01,2025-01-31,10.00,12.3x,EUR,0,0,,0\n",
            code: .badAmount,
            message: "open_items.csv line 2, column \"open_amount\": \"12.3x\" is not an amount in EUR (expected a number such as 1234.56, at most 2 decimals)")
    }

    @Test func tooManyDecimalsForTheCurrency() throws {
        try check(
            genericHeader + "INV-1,C1,2025-01-01,2025-01-31,10.5,10.5,JPY,0,0,,0\n",
            code: .badAmount, message: "\"10.5\" is not an amount in JPY (expected a number such as 1234, at most 0 decimals)")
    }

    @Test func unknownCurrencyCode() throws {
        try check(
            genericHeader + "INV-1,C1,2025-01-01,2025-01-31,10.00,10.00,EURO,0,0,,0\n",
            code: .unknownCurrency,
            message: "open_items.csv line 2, column \"currency\": \"EURO\" is not an ISO 4217 currency code (expected three letters such as EUR, USD, IDR)")
    }

    @Test func duplicateInvoiceNumber() throws {
        try check(
            genericHeader + "INV-1,C1,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\nINV-2,C1,2025-01-01,2025-01-31,5.00,5.00,EUR,0,0,,0\nINV-1,C2,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\n",
            code: .duplicateInvoice,
            message: "open_items.csv line 4, column \"invoice_number\": invoice \"INV-1\" appears again (first on line 2)")
    }

    @Test func customerMissingFromTheMaster() throws {
        try check(
            genericHeader + "INV-1,C9,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\n",
            code: .unknownCustomer,
            message: "open_items.csv line 2, column \"customer_id\": customer \"C9\" is not in the customer master")
    }

    @Test func missingRequiredValue() throws {
        try check(
            genericHeader + "INV-1,C1,2025-01-01,,10.00,10.00,EUR,0,0,,0\n",
            code: .missingValue, message: "open_items.csv line 2, column \"due_date\": the value is empty (the due date is required")
    }

    @Test func badFlag() throws {
        try check(
            genericHeader + "INV-1,C1,2025-01-01,2025-01-31,10.00,10.00,EUR,maybe,0,,0\n",
            code: .badBoolean, message: "column \"disputed\": \"maybe\" is not a yes/no value (expected 1/0, true/false, yes/no, y/n or empty")
    }

    @Test func unterminatedQuotedField() throws {
        try check(
            genericHeader + "INV-1,\"C1,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\nINV-2,C1,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\nINV-3,C1,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\n",
            code: .unterminatedQuote, message: "open_items.csv line 2: a quoted field opened here is never closed")
    }

    @Test func wrongDelimiter() throws {
        try check(
            "invoice_number;customer_id;due_date;open_amount;currency\nINV-1;C1;2025-01-31;10,00;EUR\n",
            code: .wrongDelimiter, message: "open_items.csv line 1: the header is a single column containing ';', so the file looks separated by ';' but ',' is configured")
    }

    @Test func emptyFile() throws {
        try check("", code: .emptyFile, message: "open_items.csv is empty (expected a header line")
    }

    @Test func truncatedInsideAQuotedField() throws {
        try check(
            genericHeader + "INV-1,C1,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\nINV-2,C1,\"2025-01-0",
            code: .truncatedLine, message: "open_items.csv line 3: the file ends inside a quoted field on its last line, so it looks truncated")
    }

    @Test func truncatedShortLastLine() throws {
        try check(
            genericHeader + "INV-1,C1,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\nINV-2,C1,2025-01-01,2025-0",
            code: .truncatedLine, message: "open_items.csv line 3: the last line has 4 of 11 fields and no line end, so the file looks truncated")
    }

    @Test func lineOverTheLengthCap() throws {
        var options = ExtractOptions()
        options.csv = CSVOptions(maxRecordBytes: 256)
        try check(
            genericHeader + "INV-1,C1,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\nINV-2,C1," + String(repeating: "9", count: 400) + "\n",
            options: options, code: .lineTooLong, message: "open_items.csv line 3: the line is longer than the cap of 256 bytes")
    }

    @Test("UTF-16 with a byte-order mark, and without one", arguments: [true, false])
    func utf16(withBOM: Bool) throws {
        let dir = try TemporaryDirectory("extract")
        defer { dir.remove() }
        var bytes: [UInt8] = withBOM ? [0xFF, 0xFE] : []
        for unit in (genericHeader + "INV-1,C1,,2025-01-31,1.00,1.00,EUR,0,0,,0\n").utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let items = try writeBytes(dir, "open_items.csv", bytes)
        let customers = try dir.write("customers.csv", standardCustomers)
        let error = formatError { _ = try ExtractReader(options: ExtractOptions()).read(ExtractFiles(openItems: items, customers: customers)) }
        #expect(error?.code == .utf16)
        #expect(error?.message.contains("open_items.csv \(withBOM ? "starts with a UTF-16 byte-order mark" : "contains NUL bytes"): it is UTF-16, not UTF-8") == true)
    }

    @Test func missingFileExits66() throws {
        let error = formatError { _ = try ExtractReader(options: ExtractOptions()).read(ExtractFiles(openItems: "/nonexistent/open_items.csv")) }
        #expect(error?.code == .unreadable)
        #expect(error?.exitStatus == .noInput)
    }

    @Test("a personal column is named, its value never quoted")
    func personalDataStaysOut() throws {
        let dir = try TemporaryDirectory("extract")
        defer { dir.remove() }
        let customers = try writeBytes(dir, "customers.csv", Array("customer_id,name,email\nC1,Alpha GmbH,".utf8) + [0x61, 0xFF, 0x62] + Array("\n".utf8))
        let items = try dir.write("open_items.csv", genericHeader + "INV-1,C1,,2025-01-31,1.00,1.00,EUR,0,0,,0\n")
        let error = formatError { _ = try ExtractReader(options: ExtractOptions()).read(ExtractFiles(openItems: items, customers: customers)) }
        #expect(error?.code == .notUTF8)
        #expect(error?.message.contains("customers.csv line 2, column \"email\"") == true)
        #expect(error?.message.contains("Alpha") == false)
    }

    @Test func duplicateCustomerInTheMaster() throws {
        try check(
            genericHeader + "INV-1,C1,,2025-01-31,1.00,1.00,EUR,0,0,,0\n", customers: "customer_id,name\nC1,Alpha\nC1,Alpha again\n",
            code: .duplicateCustomer, message: "customers.csv line 3, column \"customer_id\": customer \"C1\" appears again (first on line 2)")
    }

    @Test("a header-only extract (a failed ERP export) is refused, not read as 'nothing open'")
    func headerOnly() throws {
        try check(genericHeader, code: .noUsableRows, message: "open_items.csv: the open items have no usable row (only a header)")
    }

    @Test("an extract whose only rows are a report total and bad rows is refused too")
    func onlySummaryAndBadRows() throws {
        var options = ExtractOptions()
        options.maxBadRows = 5
        try check(
            genericHeader + "INV-1,C1,,not-a-date,1.00,1.00,EUR,0,0,,0\n'Total',,,,1.00,1.00,,,,,\n", options: options,
            code: .noUsableRows, message: "(1 data rows, 1 of them bad, 1 summary rows skipped)")
    }

    @Test("a 'Total' label with a customer id is an ordinary invoice number; without one and not 'Total' it is a bad row")
    func totalOnlyWithEmptyCustomer() throws {
        let dir = try TemporaryDirectory("total")
        defer { dir.remove() }
        let extract = try readGeneric(dir, items: genericHeader + "Total,C1,,2025-01-31,1.00,1.00,EUR,0,0,,0\nTOTAL,,,,5.00,5.00,,,,,\n")
        #expect(extract.openItems.map(\.invoiceNumber) == ["Total"])
        #expect(extract.counts.summaryRowsSkipped == 1)
        try check(genericHeader + "INV-1,C1,,2025-01-31,1.00,1.00,EUR,0,0,,0\nSubtotal,,,,5.00,5.00,,,,,\n",
                  code: .missingValue, message: "open_items.csv line 3, column \"customer_id\": the value is empty")
    }
}

@Suite("Extract reader: max_bad_rows", .timeLimit(.minutes(10)))
struct MaxBadRowsTests {
    static let items = genericHeader
        + "INV-1,C1,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\n"
        + "INV-2,C1,2025-01-01,not-a-date,10.00,10.00,EUR,0,0,,0\n"
        + "INV-3,C9,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\n"
        + "INV-4,C2,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\n"
        + "INV-1,C2,2025-01-01,2025-01-31,10.00,10.00,EUR,0,0,,0\n"

    @Test func skipsUpToTheLimitAndListsTheRows() throws {
        let dir = try TemporaryDirectory("badrows")
        defer { dir.remove() }
        var options = ExtractOptions()
        options.maxBadRows = 3
        let extract = try readGeneric(dir, items: Self.items, options: options)
        #expect(extract.openItems.map(\.invoiceNumber) == ["INV-1", "INV-4"])
        #expect(extract.problems.map(\.code) == [.badDate, .unknownCustomer, .duplicateInvoice])
        #expect(extract.problems.map(\.line) == [3, 4, 6])
        #expect(extract.counts.openItemRows == 5)
        #expect(extract.counts.badRows == 3)
    }

    @Test func throwsWhenThereAreMore() throws {
        let dir = try TemporaryDirectory("badrows")
        defer { dir.remove() }
        var options = ExtractOptions()
        options.maxBadRows = 2
        let error = formatError { _ = try readGeneric(dir, items: Self.items, options: options) }
        #expect(error?.code == .tooManyBadRows)
        #expect(error?.problems.count == 3)
        #expect(error?.message.contains("more than 2 bad rows") == true)
    }

    @Test func defaultStopsAtTheFirst() throws {
        let dir = try TemporaryDirectory("badrows")
        defer { dir.remove() }
        let error = formatError { _ = try readGeneric(dir, items: Self.items) }
        #expect(error?.code == .badDate)
        #expect(error?.problem?.line == 3)
    }
}
