import ARLinkCore
import ARLinkSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The second half of a large open-items file, read on its own thread while the caller reads
/// the first half: two cores halve the read time.
///
/// Items are collected unfiltered in a temporary file, not in memory (the caller's `keep`
/// closure is not thread-safe and runs on the caller's thread, in file order, after the join,
/// as the file is read back); bad rows are collected, not thrown,
/// and the pass stops once it has more than `maxBadRows`. The caller uses the result only if
/// its own pass ended exactly where this one started (same line number, at a record boundary).
final class ParallelPass: @unchecked Sendable {
    struct Part {
        /// The items, unfiltered, waiting in a temporary file (read once, in file order).
        var items: ItemFileReader
        var problems: [RowProblem] = []
        var seen: DuplicateFinder
        var tally = RowTally()
        var bytesRead: Int64 = 0
        /// A structural error that ended the pass (thrown by the caller after the first half's rows).
        var error: (any Error)?
    }

    private struct TooManyProblems: Error {}
    private struct Cancelled: Error {}

    private let lock = NSLock()
    private var cancelled = false

    /// Asks the thread to stop soon (the caller failed and will not use the result).
    func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    private var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    private let reader: ExtractReader
    private let path: String
    private let startOffset: Int64
    private let size: Int64
    private let layout: ExtractReader.OpenItemLayout
    private let master: ExtractReader.CustomerMaster
    /// The private folder of the temporary file.
    private let folder: SpillFolder
    private let done = DispatchSemaphore(value: 0)
    /// The line number of the range's first byte (set by the thread).
    private(set) var firstLine = -1
    private(set) var result: Result<Part, any Error>?

    init(reader: ExtractReader, path: String, start: Int64, size: Int64, layout: ExtractReader.OpenItemLayout, master: ExtractReader.CustomerMaster) throws {
        self.folder = try SpillFolder(in: reader.temporaryFolder)
        self.reader = reader
        self.path = path
        self.startOffset = start
        self.size = size
        self.layout = layout
        self.master = master
    }

    func start() {
        let thread = Thread { [self] in
            run()
            done.signal()
        }
        thread.stackSize = 4 << 20
        thread.start()
    }

    func wait() { done.wait() }

    /// The result, handed over once (so its memory goes when the caller is done with it).
    func takeResult() -> Result<Part, any Error>? {
        defer { result = nil }
        return result
    }

    private func run() {
        do {
            let line = try Self.lineNumber(path: path, at: startOffset)
            firstLine = line
            let csv = try CSVReader(path: path, options: reader.options.csv, start: startOffset, length: Int64.max, firstLine: line)
            let row = RowParser(csv: csv, options: reader.options)
            var seen = DuplicateFinder(expected: ExtractReader.estimatedRows(size: size - startOffset))
            var tally = RowTally()
            var master = self.master
            let limit = reader.options.maxBadRows
            let file = ItemFileWriter(path: folder.path + "/second-half.bin")
            try file.open()
            var currencies = CurrencyTable()
            var problems: [RowProblem] = []
            var count = 0
            var stopped: (any Error)?
            do {
                try reader.scanRows(
                    row: row, layout: layout, master: &master, seen: &seen, tally: &tally,
                    onItem: { item in
                        try file.write(item, currency: currencies.index(item.openAmount.currency))
                        count += 1
                        if count & 4095 == 0, self.isCancelled { throw Cancelled() }
                    },
                    onProblem: { problem in
                        problems.append(problem)
                        if problems.count > limit { throw TooManyProblems() }
                    })
            } catch is Cancelled {
                result = .failure(Cancelled())
                return
            } catch is TooManyProblems {
                // The caller's log throws once it adds these.
            } catch {
                stopped = error
            }
            try file.close()
            let items = try ItemFileReader(path: file.path, run: ItemRun(offset: 0, length: .max), currencies: currencies.list,
                                           bufferSize: 1 << 20, keeping: folder)
            var part = Part(items: items, seen: seen, tally: tally)
            part.problems = problems
            part.bytesRead = csv.bytesRead
            part.error = stopped
            result = .success(part)
        } catch {
            result = .failure(error)
        }
    }

    /// The 1-based line number of byte `offset` (which follows a line break): counts LF,
    /// and CR not followed by LF, as the CSV reader does.
    static func lineNumber(path: String, at offset: Int64) throws -> Int {
        let fd = Syscall.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FormatError(.unreadable, "\(Location.displayName(path)) cannot be opened") }
        defer { Syscall.close(fd) }
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var lines = 1
        var pendingCR = false
        var left = offset
        while left > 0 {
            let n = Syscall.read(fd, into: &buffer, at: 0, count: Int(min(Int64(chunk), left)))
            guard n > 0 else { break }
            left -= Int64(n)
            let bytes = buffer.span
            for i in 0..<n {
                let b = bytes[i]
                if b == 13 {
                    if pendingCR { lines += 1 }
                    pendingCR = true
                } else {
                    if b == 10 || pendingCR { lines += 1 }
                    pendingCR = false
                }
            }
        }
        if pendingCR { lines += 1 }
        return lines
    }
}
