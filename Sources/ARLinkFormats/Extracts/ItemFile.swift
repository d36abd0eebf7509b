import ARLinkCore
import Foundation

/// Writes open items to a temporary file in a compact binary form (``ItemFileReader`` reads
/// them back): per item a 4-byte length, then the customer id and invoice number (2-byte
/// length and UTF-8 bytes each), invoice date, due date and promise date (days since
/// 1970-01-01, `Int32.min` for none), amount and open amount (minor units), the currency's
/// index in the spill's table, the flags and the source line. Little-endian throughout.
final class ItemFileWriter {
    let path: String
    private var handle: FileHandle?
    private var buffer: [UInt8] = []
    /// Bytes written so far (flushed or buffered).
    private(set) var offset = 0

    init(path: String) {
        self.path = path
    }

    func open() throws {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw FormatError(.writeFailed, "cannot create the temporary file \(path) for sorting the open items (check the free space and permissions of its folder)")
        }
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ item: OpenItem, currency: UInt8) throws {
        let start = buffer.count
        buffer.append(contentsOf: [0, 0, 0, 0])
        Self.append(item.customerID, to: &buffer)
        Self.append(item.invoiceNumber, to: &buffer)
        Self.append(item.invoiceDate?.daysSinceEpoch ?? Int32.min, to: &buffer)
        Self.append(item.dueDate.daysSinceEpoch, to: &buffer)
        Self.append(item.promiseDate?.daysSinceEpoch ?? Int32.min, to: &buffer)
        Self.append(UInt64(bitPattern: item.amount.minorUnits), to: &buffer)
        Self.append(UInt64(bitPattern: item.openAmount.minorUnits), to: &buffer)
        buffer.append(currency)
        buffer.append((item.disputed ? 1 : 0) | (item.blocked ? 2 : 0) | (item.settled ? 4 : 0))
        Self.append(UInt64(bitPattern: Int64(item.sourceLine)), to: &buffer)
        let length = UInt32(buffer.count - start - 4)
        for i in 0..<4 { buffer[start + i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i))) }
        offset += buffer.count - start
        if buffer.count >= 1 << 20 { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        guard let handle else { throw FormatError(.writeFailed, "the temporary file \(path) is closed") }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw FormatError(.writeFailed, "cannot write the temporary file \(path) for sorting the open items: \(error.localizedDescription) (check the free space of its folder)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        try handle?.close()
        handle = nil
    }

    private static func append(_ text: String, to buffer: inout [UInt8]) {
        let utf8 = text.utf8
        let n = min(utf8.count, 0xFFFF)
        buffer.append(UInt8(n & 0xFF))
        buffer.append(UInt8(n >> 8))
        buffer.append(contentsOf: utf8.prefix(n))
    }

    private static func append(_ value: Int32, to buffer: inout [UInt8]) {
        let bits = UInt32(bitPattern: value)
        for i in 0..<4 { buffer.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(i)))) }
    }

    private static func append(_ value: UInt64, to buffer: inout [UInt8]) {
        for i in 0..<8 { buffer.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }
}

/// Reads the items of one run (or a whole file) written by ``ItemFileWriter``, in order.
final class ItemFileReader {
    private let path: String
    private let handle: FileHandle
    private let currencies: [Currency]
    private let bufferSize: Int
    /// Bytes of the run not yet read from the file.
    private var left: Int
    private var buffer: [UInt8] = []
    private var position = 0
    /// The temporary folder of the file, kept while this reader needs it.
    private let folder: SpillFolder?

    init(path: String, run: ItemRun, currencies: [Currency], bufferSize: Int, keeping folder: SpillFolder? = nil) throws {
        self.folder = folder
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FormatError(.readFailed, "cannot open the temporary file \(path) of the sorted open items")
        }
        self.path = path
        self.handle = handle
        self.currencies = currencies
        self.bufferSize = bufferSize
        self.left = run.length
        if run.offset > 0 {
            do { try handle.seek(toOffset: UInt64(run.offset)) } catch { throw failure(error) }
        }
    }

    deinit {
        try? handle.close()
    }

    private func failure(_ error: any Error) -> FormatError {
        FormatError(.readFailed, "cannot read the temporary file \(path) of the sorted open items: \(error.localizedDescription)")
    }

    /// Makes at least `count` bytes available from `position`; false at the end of the run.
    private func fill(_ count: Int) throws -> Bool {
        if buffer.count - position >= count { return true }
        if position > 0 {
            buffer.removeSubrange(0..<position)
            position = 0
        }
        while buffer.count < count && left > 0 {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: min(max(bufferSize, count), left)) } catch { throw failure(error) }
            guard let chunk, !chunk.isEmpty else { break }
            buffer.append(contentsOf: chunk)
            left -= chunk.count
        }
        if buffer.count >= count { return true }
        if buffer.isEmpty { return false }
        throw FormatError(.readFailed, "the temporary file \(path) of the sorted open items ends inside a record")
    }

    /// The next item, or nil at the end of the run.
    func next() throws -> OpenItem? {
        guard try fill(4) else { return nil }
        let length = Int(u32(at: position))
        guard try fill(4 + length) else { return nil }
        var p = position + 4
        let customerID = string(at: &p)
        let invoice = string(at: &p)
        let invoiceDate = Int32(bitPattern: u32(at: p)); p += 4
        let due = Int32(bitPattern: u32(at: p)); p += 4
        let promise = Int32(bitPattern: u32(at: p)); p += 4
        let amount = Int64(bitPattern: u64(at: p)); p += 8
        let open = Int64(bitPattern: u64(at: p)); p += 8
        let currencyIndex = Int(buffer[p]); p += 1
        let flags = buffer[p]; p += 1
        let line = Int(Int64(bitPattern: u64(at: p)))
        position += 4 + length
        guard currencyIndex < currencies.count else {
            throw FormatError(.readFailed, "the temporary file \(path) of the sorted open items is damaged (unknown currency index)")
        }
        let currency = currencies[currencyIndex]
        return OpenItem(
            invoiceNumber: invoice, customerID: customerID,
            invoiceDate: invoiceDate == Int32.min ? nil : LocalDate(daysSinceEpoch: invoiceDate),
            dueDate: LocalDate(daysSinceEpoch: due),
            amount: Money(minorUnits: amount, currency: currency), openAmount: Money(minorUnits: open, currency: currency),
            disputed: flags & 1 != 0, blocked: flags & 2 != 0,
            promiseDate: promise == Int32.min ? nil : LocalDate(daysSinceEpoch: promise),
            settled: flags & 4 != 0, sourceLine: line)
    }

    private func u32(at p: Int) -> UInt32 {
        UInt32(buffer[p]) | UInt32(buffer[p + 1]) << 8 | UInt32(buffer[p + 2]) << 16 | UInt32(buffer[p + 3]) << 24
    }

    private func u64(at p: Int) -> UInt64 {
        UInt64(u32(at: p)) | UInt64(u32(at: p + 4)) << 32
    }

    private func string(at p: inout Int) -> String {
        let n = Int(buffer[p]) | Int(buffer[p + 1]) << 8
        p += 2
        defer { p += n }
        return String(decoding: buffer[p..<(p + n)], as: UTF8.self)
    }
}

/// A binary min-heap of the head items of the runs being merged (by ``OpenItem/groupOrder(_:_:)``).
struct RunHeap {
    private var entries: [(item: OpenItem, run: Int)] = []

    mutating func push(_ item: OpenItem, run: Int) {
        entries.append((item, run))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard OpenItem.groupOrder(entries[child].item, entries[parent].item) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (OpenItem, Int)? {
        guard !entries.isEmpty else { return nil }
        let top = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < entries.count && OpenItem.groupOrder(entries[left].item, entries[smallest].item) { smallest = left }
                if right < entries.count && OpenItem.groupOrder(entries[right].item, entries[smallest].item) { smallest = right }
                guard smallest != parent else { break }
                entries.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return (top.item, top.run)
    }
}
