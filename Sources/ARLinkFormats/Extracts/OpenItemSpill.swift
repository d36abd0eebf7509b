public import ARLinkCore
import ARLinkSystem
import Foundation
import Synchronization

/// Open items grouped by customer without holding them all in memory: an external sort.
///
/// Items are appended in any order. Whenever ``runLength`` items are buffered, they are sorted
/// by customer id, due date, invoice number and line (``OpenItem/groupOrder(_:_:)``) and
/// written to a temporary file as one sorted run. ``finish(dropping:)`` merges the runs into one
/// sorted file (a single short run stays in memory). ``SortedOpenItems/groups()`` then reads
/// the customers back in ascending id order, one customer's items at a time. Memory holds one
/// run while reading the extract and one customer's items afterwards, whatever the extract's
/// size.
///
/// The files live in a private temporary folder inside `folder` and are removed with the
/// ``SortedOpenItems`` value (or by ``discard()``). They hold invoice numbers, customer ids,
/// dates and amounts, never debtor data.
public final class OpenItemSpill {
    /// Items per sorted run (tests lower it to exercise the merge).
    public let runLength: Int
    private let parent: String
    private var buffer: [OpenItem] = []
    /// The runs file, written behind the reader: a full run is sorted and written there while
    /// the next one fills (one in flight at a time, so memory holds at most two runs).
    private var runs: RunsFile?
    /// The private folder of the runs file (held here, not by the background thread, so that
    /// it goes exactly with the last ``SortedOpenItems`` reader).
    private var folder: SpillFolder?
    private let background = BackgroundPipe(label: "arlink.open-item-runs")
    private(set) public var count = 0

    /// - Parameters:
    ///   - folder: where the private temporary folder is made (it must exist).
    ///   - runLength: items per sorted run.
    public init(folder: String, runLength: Int = 1 << 17) {
        self.parent = folder
        self.runLength = max(runLength, 1)
        buffer.reserveCapacity(min(self.runLength, 1 << 16))
    }

    /// Adds one item.
    /// - Throws: ``FormatError`` (`.writeFailed`) when the temporary file cannot be written.
    public func append(_ item: OpenItem) throws {
        buffer.append(item)
        count += 1
        if buffer.count >= runLength { try writeRun() }
    }

    /// The items sorted and grouped, without the items of `dropping` (source lines of
    /// duplicate invoices found at the end of the read).
    public func finish(dropping lines: Set<Int> = []) throws -> SortedOpenItems {
        guard let runs, let folder else {
            let sorted = RunsFile.sorted(buffer)
            buffer = []
            return SortedOpenItems(storage: .memory(lines.isEmpty ? sorted : sorted.filter { !lines.contains($0.sourceLine) }), folder: nil)
        }
        try writeRun()
        try background.finish()
        let (list, currencies) = try runs.close()
        self.runs = nil
        self.folder = nil
        // One merged, sorted file: every later reader reads it straight through.
        let merged = ItemFileWriter(path: folder.path + "/merged.bin")
        try merged.open()
        var table = CurrencyTable(list: currencies)
        let sources = try list.map { try ItemFileReader(path: folder.path + "/runs.bin", run: $0, currencies: currencies, bufferSize: 1 << 16) }
        var heads: [OpenItem?] = try sources.map { try $0.next() }
        var heap = RunHeap()
        for (i, head) in heads.enumerated() { if let head { heap.push(head, run: i) } }
        var total = 0
        while let (item, run) = heap.pop() {
            if lines.isEmpty || !lines.contains(item.sourceLine) {
                try merged.write(item, currency: table.index(item.openAmount.currency))
                total += 1
            }
            heads[run] = try sources[run].next()
            if let next = heads[run] { heap.push(next, run: run) }
        }
        try merged.close()
        try? FileManager.default.removeItem(atPath: folder.path + "/runs.bin")
        return SortedOpenItems(storage: .file(folder.path + "/merged.bin", count: total, currencies: table.list), folder: folder)
    }

    /// Removes the temporary files (after an error; ``finish(dropping:)`` hands them on otherwise).
    public func discard() {
        background.drain()
        runs?.discard()
        runs = nil
        folder = nil
        buffer = []
    }

    /// Hands the buffered items to the background writer as one run.
    private func writeRun() throws {
        guard !buffer.isEmpty else { return }
        if runs == nil {
            let made = try SpillFolder(in: parent)
            folder = made
            runs = try RunsFile(path: made.path + "/runs.bin")
        }
        guard let runs, let folder else { return }
        let items = buffer
        buffer = []
        buffer.reserveCapacity(min(runLength, 1 << 16))
        try background.submit { try runs.write(RunsFile.sorted(items)) }
    }
}

/// The runs file of an ``OpenItemSpill``: written by its background thread, one sorted run
/// at a time, then closed by the spill.
final class RunsFile: Sendable {
    private struct State {
        var writer: ItemFileWriter?
        var runs: [ItemRun] = []
        var currencies = CurrencyTable()
    }

    private let state: Mutex<State>

    init(path: String) throws {
        let writer = ItemFileWriter(path: path)
        try writer.open()
        state = Mutex(State(writer: writer))
    }

    /// Appends one sorted run.
    func write(_ items: [OpenItem]) throws {
        try state.withLock { state in
            guard let writer = state.writer else { throw FormatError(.writeFailed, "the temporary open-items file is closed") }
            let start = writer.offset
            for item in items { try writer.write(item, currency: state.currencies.index(item.openAmount.currency)) }
            try writer.flush()
            state.runs.append(ItemRun(offset: start, length: writer.offset - start))
        }
    }

    /// The items in ``OpenItem/groupOrder(_:_:)``. Sorting positions and then gathering the
    /// items moves 8-byte numbers instead of whole items.
    static func sorted(_ items: [OpenItem]) -> [OpenItem] {
        var order = Array(items.indices)
        order.sort { OpenItem.groupOrder(items[$0], items[$1]) }
        return order.map { items[$0] }
    }

    /// Closes the file: its runs and the currencies their items index.
    func close() throws -> ([ItemRun], [Currency]) {
        try state.withLock { state in
            try state.writer?.close()
            state.writer = nil
            return (state.runs, state.currencies.list)
        }
    }

    /// Closes the file without its result.
    func discard() {
        state.withLock { state in
            try? state.writer?.close()
            state.writer = nil
        }
    }
}

/// The open items of ``OpenItemSpill/finish(dropping:)``: sorted by customer, read back one
/// customer at a time, as often as needed and by several readers at once (each its own file
/// handle).
public final class SortedOpenItems: Sendable {
    enum Storage {
        case memory([OpenItem])
        case file(String, count: Int, currencies: [Currency])
    }

    let storage: Storage
    /// Keeps the temporary folder until the last reader is gone.
    private let folder: SpillFolder?

    init(storage: Storage, folder: SpillFolder?) {
        self.storage = storage
        self.folder = folder
    }

    /// The items, all in memory (for tests and small extracts).
    public convenience init(items: [OpenItem]) {
        self.init(storage: .memory(items.sorted(by: OpenItem.groupOrder)), folder: nil)
    }

    public var count: Int {
        switch storage {
        case .memory(let items): items.count
        case .file(_, let count, _): count
        }
    }

    /// A reader from the first customer on.
    public func groups() throws -> CustomerGroups {
        switch storage {
        case .memory(let items):
            return CustomerGroups(source: .memory(items, 0))
        case .file(let path, _, let currencies):
            let reader = try ItemFileReader(path: path, run: ItemRun(offset: 0, length: .max), currencies: currencies, bufferSize: 1 << 20,
                                            keeping: folder)
            return CustomerGroups(source: .file(reader, nil))
        }
    }
}

/// Reads ``SortedOpenItems`` one customer at a time.
public struct CustomerGroups {
    enum Source {
        case memory([OpenItem], Int)
        /// The reader and the first item of the next customer, already read.
        case file(ItemFileReader, OpenItem?)
    }

    var source: Source

    /// The next customer's items (ascending customer id; items by due date, invoice number, line), or nil at the end.
    public mutating func next() throws -> (customerID: String, items: [OpenItem])? {
        switch source {
        case .memory(let items, let start):
            guard start < items.count else { return nil }
            let id = items[start].customerID
            var end = start + 1
            while end < items.count && items[end].customerID == id { end += 1 }
            source = .memory(items, end)
            return (id, Array(items[start..<end]))
        case .file(let reader, let pending):
            guard let first = try pending ?? reader.next() else { return nil }
            var group = [first]
            var following: OpenItem?
            while let item = try reader.next() {
                if item.customerID != first.customerID { following = item; break }
                group.append(item)
            }
            source = .file(reader, following)
            return (first.customerID, group)
        }
    }
}

/// Finds one customer's items in ``SortedOpenItems`` for callers that ask in ascending
/// customer order (the portfolio writer and the ledger): it reads forward, and starts again
/// from the beginning when asked for a customer before the last one (a second pass).
public struct CustomerItemsCursor {
    private let items: SortedOpenItems
    private var groups: CustomerGroups?
    private var current: (customerID: String, items: [OpenItem])?
    private var lastAsked: String?

    public init(_ items: SortedOpenItems) {
        self.items = items
    }

    /// The items of `customerID` (empty when it has none).
    public mutating func items(of customerID: String) throws -> [OpenItem] {
        if groups == nil || lastAsked.map({ customerID < $0 }) == true {
            var fresh = try items.groups()
            current = try fresh.next()
            groups = fresh
        }
        lastAsked = customerID
        while let c = current, c.customerID < customerID {
            current = try groups?.next()
        }
        guard let c = current, c.customerID == customerID else { return [] }
        return c.items
    }
}

// MARK: - Files

/// A private folder (mode 0700) for temporary files, removed with everything in it when the
/// last reference goes.
final class SpillFolder: Sendable {
    let path: String

    init(in parent: String) throws {
        let path = parent + "/items-" + UUID().uuidString.lowercased()
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw FormatError(.writeFailed, "cannot make a temporary folder in \(parent) for sorting the open items: \(error.localizedDescription) (check that the folder exists and is writable)")
        }
        self.path = path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Where a sorted run is in the runs file.
struct ItemRun {
    var offset: Int
    var length: Int
}

/// The currencies of a spill by index (a record stores one byte, not the code).
struct CurrencyTable {
    private(set) var list: [Currency] = []

    init(list: [Currency] = []) {
        self.list = list
    }

    mutating func index(_ currency: Currency) throws -> UInt8 {
        if let i = list.firstIndex(of: currency) { return UInt8(i) }
        guard list.count < 255 else { throw FormatError(.writeFailed, "more than 255 currencies in one extract") }
        list.append(currency)
        return UInt8(list.count - 1)
    }
}
