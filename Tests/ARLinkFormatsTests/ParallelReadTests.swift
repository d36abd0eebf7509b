import ARLinkCore
@testable import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

/// Large open-items files are read by two threads; these tests force that path on small files
/// and compare it with the one-thread read.
@Suite("Extract reader: two-thread read", .timeLimit(.minutes(10)))
struct ParallelReadTests {
    static func read(_ items: String, threshold: Int64, maxBadRows: Int = 0, keep: (OpenItem) -> Bool = { _ in true }) throws -> Extract {
        let dir = try TemporaryDirectory("parallel")
        defer { dir.remove() }
        let itemsPath = try dir.write("open_items.csv", items)
        let customersPath = try dir.write("customers.csv", standardCustomers)
        var options = ExtractOptions()
        options.maxBadRows = maxBadRows
        var reader = ExtractReader(options: options)
        reader.parallelThreshold = threshold
        return try reader.read(ExtractFiles(openItems: itemsPath, customers: customersPath), keep: keep)
    }

    static func rows(_ count: Int, from: Int = 1) -> String {
        (from..<from + count).map { "INV-\($0),C\($0 % 2 + 1),2025-01-01,2025-01-31,\($0).00,\($0).00,EUR,0,0,,0\n" }.joined()
    }

    @Test("same items, lines and order as one thread", arguments: [Int64.max, 0])
    func sameResult(threshold: Int64) throws {
        var seen: [String] = []
        let extract = try Self.read(genericHeader + Self.rows(200), threshold: threshold) { seen.append($0.invoiceNumber); return $0.sourceLine % 3 != 0 }
        #expect(seen == (1...200).map { "INV-\($0)" })
        #expect(extract.openItems.map(\.invoiceNumber) == (1...200).filter { ($0 + 1) % 3 != 0 }.map { "INV-\($0)" })
        #expect(extract.openItems.allSatisfy { $0.sourceLine == (Int($0.invoiceNumber.dropFirst(4)) ?? -1) + 1 })
        #expect(extract.counts.openItemRows == 200)
    }

    @Test("a closing total row in the second half is counted as a summary row, on one thread or two", arguments: [Int64.max, 0])
    func totalRowInSecondHalf(threshold: Int64) throws {
        let extract = try Self.read(genericHeader + Self.rows(200) + "'Total',,,,20100.00,20100.00,,,,,\n", threshold: threshold)
        #expect(extract.openItems.count == 200)
        #expect(extract.counts.openItemRows == 200)
        #expect(extract.counts.summaryRowsSkipped == 1)
        #expect(extract.problems.isEmpty)
    }

    @Test("every field survives the second thread's compact form")
    func identicalItems() throws {
        var text = genericHeader
        for i in 1...120 {
            let flags = "\(i % 2),\(i % 3 == 0 ? "yes" : "no"),\(i % 5 == 0 ? "2025-08-0\(i % 9 + 1)" : ""),\(i % 7 == 0 ? "true" : "")"
            text += "INV-\(i),C\(i % 2 + 1),\(i % 4 == 0 ? "" : "2024-12-15"),2025-0\(i % 9 + 1)-1\(i % 10),\(i * 3).5,-\(i).25,\(i % 3 == 0 ? "JPY" : "EUR"),\(flags)\n"
        }
        text = text.replacingOccurrences(of: ".5,-", with: ",-").replacingOccurrences(of: ".25,JPY", with: ",JPY")
        let one = try Self.read(text, threshold: .max)
        let two = try Self.read(text, threshold: 0)
        #expect(one.openItems.count == 120)
        #expect(two.openItems == one.openItems)
        #expect(Set(one.openItems.map(\.openAmount.currency.code)) == ["EUR", "JPY"])
    }

    @Test("a multi-line quoted field across the middle falls back to one thread", arguments: [Int64.max, 0])
    func splitInsideQuotes(threshold: Int64) throws {
        let header = "invoice_number,customer_id,due_date,open_amount,currency,note\n"
        var text = header
        for i in 1...20 { text += "INV-\(i),C1,2025-01-31,1.00,EUR,plain\n" }
        text += "INV-21,C1,2025-01-31,1.00,EUR,\"" + String(repeating: "line\n", count: 60) + "end\"\n"
        for i in 22...30 { text += "INV-\(i),C2,2025-01-31,1.00,EUR,plain\n" }
        let extract = try Self.read(text, threshold: threshold)
        #expect(extract.openItems.map(\.invoiceNumber) == (1...30).map { "INV-\($0)" })
        #expect(extract.openItems.last?.sourceLine == 1 + 20 + 61 + 9)
    }

    @Test("errors in the second half name the right line", arguments: [Int64.max, 0])
    func secondHalfError(threshold: Int64) throws {
        let text = genericHeader + Self.rows(150) + "INV-151,C1,2025-01-01,31.02.2025,1.00,1.00,EUR,0,0,,0\n"
        let error = formatError { _ = try Self.read(text, threshold: threshold) }
        #expect(error?.code == .badDate)
        #expect(error?.message.hasPrefix("open_items.csv line 152, column \"due_date\": \"31.02.2025\" is not a date") == true)
    }

    @Test("duplicates across the halves and bad rows from both halves", arguments: [Int64.max, 0])
    func acrossHalves(threshold: Int64) throws {
        let text = genericHeader + Self.rows(5) + "INV-X,C9,2025-01-01,2025-01-31,1.00,1.00,EUR,0,0,,0\n" + Self.rows(100, from: 6) + "INV-3,C1,2025-01-01,2025-01-31,1.00,1.00,EUR,0,0,,0\n"
        let extract = try Self.read(text, threshold: threshold, maxBadRows: 2)
        #expect(extract.problems.map(\.code) == [.unknownCustomer, .duplicateInvoice])
        #expect(extract.problems.map(\.line) == [7, 108])
        #expect(extract.problems.last?.message.contains("(first on line 4)") == true)
        #expect(extract.openItems.count == 105)
        let error = formatError { _ = try Self.read(text, threshold: threshold, maxBadRows: 1) }
        #expect(error?.code == .tooManyBadRows)
    }

    @Test("a truncated last line is found by the second thread", arguments: [Int64.max, 0])
    func truncatedTail(threshold: Int64) throws {
        let text = genericHeader + Self.rows(100) + "INV-101,C1,\"2025-01-0"
        let error = formatError { _ = try Self.read(text, threshold: threshold) }
        #expect(error?.code == .truncatedLine)
        #expect(error?.message.contains("open_items.csv line 102") == true)
    }

    @Test("line numbers count CRLF, LF and lone CR alike")
    func lineNumbers() throws {
        let dir = try TemporaryDirectory("lines")
        defer { dir.remove() }
        let path = try dir.write("l.csv", "a\r\nb\nc\rd\r\ne\n")
        #expect(try ParallelPass.lineNumber(path: path, at: 0) == 1)
        #expect(try ParallelPass.lineNumber(path: path, at: 3) == 2)
        #expect(try ParallelPass.lineNumber(path: path, at: 5) == 3)
        #expect(try ParallelPass.lineNumber(path: path, at: 7) == 4)
        #expect(try ParallelPass.lineNumber(path: path, at: 10) == 5)
    }
}
