import ARLinkCore
@testable import ARLinkFormats
import ARLinkTestSupport
import Foundation
import Testing

@Suite("Open items sorted by customer through temporary files", .timeLimit(.minutes(10)))
struct OpenItemSpillTests {
    static let eur = try! Currency("EUR")
    static let jpy = try! Currency("JPY")

    /// Items of 40 customers in a scrambled order, some with the same due date, a few
    /// credit notes, promises, flags, non-ASCII ids and a currency without minor units.
    static func items(count: Int) -> [OpenItem] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        return (0..<count).map { i in
            let currency = next(7) == 0 ? jpy : eur
            let customer = next(10) == 0 ? "Ç\(next(4))" : "C\(next(36))"
            return OpenItem(
                invoiceNumber: "INV-\(count - i)", customerID: customer,
                invoiceDate: next(3) == 0 ? nil : LocalDate(daysSinceEpoch: Int32(20_000 + next(50))),
                dueDate: LocalDate(daysSinceEpoch: Int32(20_050 + next(20))),
                amount: Money(minorUnits: Int64(next(100_000)), currency: currency),
                openAmount: Money(minorUnits: Int64(next(100_000) - 5_000), currency: currency),
                disputed: next(9) == 0, blocked: next(11) == 0,
                promiseDate: next(5) == 0 ? LocalDate(daysSinceEpoch: Int32(20_100 + next(9))) : nil,
                settled: next(13) == 0, sourceLine: i + 2)
        }
    }

    static func read(_ sorted: SortedOpenItems) throws -> [(customerID: String, items: [OpenItem])] {
        var groups = try sorted.groups()
        var all: [(customerID: String, items: [OpenItem])] = []
        while let group = try groups.next() { all.append(group) }
        return all
    }

    @Test("many runs merged give every item once, sorted by customer, due date and invoice, without the dropped lines", arguments: [1, 7, 100, 10_000])
    func merged(runLength: Int) throws {
        let dir = try TemporaryDirectory("spill")
        defer { dir.remove() }
        let items = Self.items(count: 1_000)
        let dropped: Set<Int> = [5, 77, 500, 1_001]
        let spill = OpenItemSpill(folder: dir.path, runLength: runLength)
        for item in items { try spill.append(item) }
        let sorted = try spill.finish(dropping: dropped)
        let expected = items.filter { !dropped.contains($0.sourceLine) }.sorted(by: OpenItem.groupOrder)
        #expect(sorted.count == expected.count)
        let groups = try Self.read(sorted)
        #expect(groups.flatMap(\.items) == expected)
        #expect(groups.map(\.customerID) == Array(Set(expected.map(\.customerID))).sorted())
        #expect(groups.allSatisfy { g in g.items.allSatisfy { $0.customerID == g.customerID } })
        // Read twice, by two readers at once: the same.
        var a = try sorted.groups(), b = try sorted.groups()
        while let x = try a.next() {
            let y = try #require(try b.next())
            #expect(x.customerID == y.customerID && x.items == y.items)
        }
        #expect(try b.next() == nil)
    }

    @Test("the cursor finds customers asked in order, starts again when asked for an earlier one, and answers empty for one without items")
    func cursor() throws {
        let dir = try TemporaryDirectory("spill")
        defer { dir.remove() }
        let items = Self.items(count: 300)
        let spill = OpenItemSpill(folder: dir.path, runLength: 16)
        for item in items { try spill.append(item) }
        let sorted = try spill.finish()
        let byCustomer = Dictionary(grouping: items, by: \.customerID).mapValues { $0.sorted(by: OpenItem.groupOrder) }
        let ids = byCustomer.keys.sorted()
        var cursor = CustomerItemsCursor(sorted)
        for id in ids.enumerated().filter({ $0.offset % 2 == 0 }).map(\.element) { #expect(try cursor.items(of: id) == byCustomer[id]) }
        #expect(try cursor.items(of: "C17x").isEmpty)
        for id in ids.enumerated().filter({ $0.offset % 3 == 0 }).map(\.element) { #expect(try cursor.items(of: id) == byCustomer[id]) }
        #expect(try cursor.items(of: "ZZZ").isEmpty)
        #expect(try cursor.items(of: ids[0]) == byCustomer[ids[0]])
    }

    @Test("the temporary folder is private and goes with the sorted items")
    func cleanup() throws {
        let dir = try TemporaryDirectory("spill")
        defer { dir.remove() }
        do {
            let spill = OpenItemSpill(folder: dir.path, runLength: 10)
            for item in Self.items(count: 50) { try spill.append(item) }
            let folders = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            #expect(folders.count == 1)
            let mode = try FileManager.default.attributesOfItem(atPath: dir.file(folders[0]))[.posixPermissions] as? Int
            #expect(mode == 0o700)
            let sorted = try spill.finish()
            #expect(try Self.read(sorted).flatMap(\.items).count == 50)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        // Small: never touches the disk.
        let small = OpenItemSpill(folder: dir.path, runLength: 100)
        for item in Self.items(count: 50) { try small.append(item) }
        _ = try small.finish()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("a large extract read into the spill (two threads, many runs) gives the items the in-memory read keeps, duplicates dropped")
    func extractIntoSpill() throws {
        let dir = try TemporaryDirectory("spill")
        defer { dir.remove() }
        var lines = ["customer_id,name"]
        for c in 0..<50 { lines.append("K\(c),Name \(c)") }
        try dir.write("customers.csv", lines.joined(separator: "\n") + "\n")
        var items = ["invoice_number,customer_id,due_date,open_amount,currency"]
        for i in 0..<4_000 { items.append("I\(i % 3_990),K\((i * 7) % 50),2025-0\(1 + i % 9)-1\(i % 10),\(i).50,EUR") }
        try dir.write("open_items.csv", items.joined(separator: "\n") + "\n")
        var options = ExtractOptions(preset: .generic)
        options.maxBadRows = 100
        var reader = ExtractReader(options: options)
        reader.parallelThreshold = 16 << 10
        reader.temporaryFolder = dir.path
        let files = ExtractFiles(openItems: dir.file("open_items.csv"), customers: dir.file("customers.csv"))
        let keep: (OpenItem) -> Bool = { $0.openAmount.minorUnits % 3 != 0 }
        let inMemory = try reader.read(files, keep: keep)
        let (extract, sorted) = try reader.read(files, into: OpenItemSpill(folder: dir.path, runLength: 64), keep: keep)
        #expect(inMemory.problems.count == 10)
        #expect(extract.problems.map(\.line) == inMemory.problems.map(\.line))
        #expect(extract.droppedLines.count == 10)
        #expect(extract.counts.openItemsKept == inMemory.openItems.count)
        #expect(try Self.read(sorted).flatMap(\.items) == inMemory.openItems.sorted(by: OpenItem.groupOrder))
        #expect(extract.openItems.isEmpty)
    }
}
