import ARLinkCore
import ARLinkFormats
import ArgumentParser
import ARLinkJobs
import Foundation

/// `arlink-bench csv`: generates a synthetic open-items extract and measures the CSV reader
/// (every field touched) and the full ``ExtractReader`` (typed values, join, duplicate check).
struct CSVBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csv",
        abstract: "Throughput and peak memory of the CSV reader and the extract reader.")

    @Option(help: "Open-item rows to generate.")
    var rows = 1_000_000

    @Option(help: "Customers in the generated master.")
    var customers = 100_000

    @Option(help: "Folder for the generated files (a temporary folder by default).")
    var dir: String?

    @Flag(help: "Keep the generated files.")
    var keep = false

    @Flag(help: "Reuse files already generated in --dir.")
    var reuse = false

    func run() throws {
        let folder = dir ?? (NSTemporaryDirectory() + "arlink-csvbench-\(getpid())")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if !keep && dir == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let itemsPath = folder + "/open_items.csv"
        let customersPath = folder + "/customers.csv"
        let t0 = Date()
        let size: Int
        if reuse, let attributes = try? FileManager.default.attributesOfItem(atPath: itemsPath), let bytes = attributes[.size] as? Int {
            size = bytes
        } else {
            size = try SyntheticExtract.writeOpenItems(path: itemsPath, rows: rows, customers: customers)
            _ = try SyntheticExtract.writeCustomers(path: customersPath, count: customers)
        }
        print("generated \(rows) rows, \(String(format: "%.1f", Double(size) / 1e6)) MB in \(String(format: "%.2f", Date().timeIntervalSince(t0))) s")

        // 1. Raw reader: every field of every record touched.
        var best = Double.infinity
        var bestCPU = Double.infinity
        var checksum = 0
        for _ in 0..<3 {
            let start = Date()
            let cpu0 = Self.cpuSeconds()
            let reader = try CSVReader(path: itemsPath)
            checksum = 0
            while try reader.nextRecord() {
                for i in 0..<reader.fieldCount { unsafe checksum &+= reader.withField(i) { $0.count } }
            }
            best = min(best, Date().timeIntervalSince(start))
            bestCPU = min(bestCPU, Self.cpuSeconds() - cpu0)
        }
        print("csv reader:     \(String(format: "%.3f", best)) s (cpu \(String(format: "%.3f", bestCPU)) s)  \(String(format: "%6.0f", Double(size) / 1e6 / best)) MB/s  (checksum \(checksum))  VmHWM \(ProcessMemory.peakMB() ?? 0) MB")

        // 2. Extract reader: typed open items joined with the customer master.
        best = .infinity
        bestCPU = .infinity
        var kept = 0
        for _ in 0..<2 {
            let start = Date()
            let cpu0 = Self.cpuSeconds()
            let extract = try ExtractReader(options: ExtractOptions(preset: .generic)).read(
                ExtractFiles(openItems: itemsPath, customers: customersPath))
            kept = extract.openItems.count
            best = min(best, Date().timeIntervalSince(start))
            bestCPU = min(bestCPU, Self.cpuSeconds() - cpu0)
        }
        print("extract reader: \(String(format: "%.3f", best)) s (cpu \(String(format: "%.3f", bestCPU)) s)  \(String(format: "%6.0f", Double(size) / 1e6 / best)) MB/s  (\(kept) items)  VmHWM \(ProcessMemory.peakMB() ?? 0) MB")
        print("OpenItem stride \(MemoryLayout<OpenItem>.stride) bytes")
        try benchPortfolio(folder: folder, invoices: rows)
    }

    /// Writes a JSON Lines portfolio of `invoices` invoices (five per account) and times it.
    func benchPortfolio(folder: String, invoices: Int) throws {
        let eur = try Currency("EUR")
        let due = LocalDate(year: 2025, month: 3, day: 31) ?? LocalDate(daysSinceEpoch: 20_000)
        let header = FileHeader(
            schema: "portfolio.v1", fileID: "00000000-0000-4000-8000-000000000000", kind: "portfolio", direction: "outbound",
            batchID: "bench", sequence: 1, sender: "bench-sender", recipient: "bench-partner",
            recipientKeySHA256: String(repeating: "0", count: 64), createdAt: "2025-06-30T00:00:00Z", previousFileSHA256: nil)
        for hashing in [false, true] {
            let path = folder + "/portfolio.jsonl"
            let start = Date()
            let cpu0 = Self.cpuSeconds()
            let writer = try PortfolioWriter(path: path, format: .jsonl, header: header, computeSHA256: hashing)
            var n = 0
            while n < invoices {
                let count = min(5, invoices - n)
                let list = (0..<count).map { k in
                    PortfolioInvoice(number: "INV-\(n + k)", invoiceDate: due.adding(days: -30), dueDate: due,
                                     amount: Money(minorUnits: Int64(10_000 + k), currency: eur), openAmount: Money(minorUnits: Int64(10_000 + k), currency: eur), daysPastDue: 91)
                }
                let total = Money(minorUnits: list.reduce(0) { $0 + $1.openAmount.minorUnits }, currency: eur)
                try writer.write(PortfolioRecord(
                    action: .place, accountRef: "C-\(n / 5)", debtor: DebtorData(fields: [.name: "Customer \(n / 5) GmbH", .city: "Berlin", .country: "DE"]),
                    invoices: list, balances: [total], aging: [AgingAmount(bucket: "91-180", amount: total)],
                    oldestDueDate: due, daysPastDue: 91))
                n += count
            }
            let result = try writer.finish()
            let seconds = Date().timeIntervalSince(start)
            print("portfolio writer (sha256 \(hashing ? "on" : "off")): \(String(format: "%.3f", seconds)) s (cpu \(String(format: "%.3f", Self.cpuSeconds() - cpu0)) s)  \(String(format: "%6.0f", Double(result.bytes) / 1e6 / seconds)) MB/s  (\(result.bytes / 1_000_000) MB)  VmHWM \(ProcessMemory.peakMB() ?? 0) MB")
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// User plus system CPU seconds of this process so far (stable when the machine is busy).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        unsafe getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

}

/// Writes synthetic extracts in the `generic` layout (plus a free-text column, as real exports
/// have), deterministic for a given size: about 150 bytes per open item.
enum SyntheticExtract {
    /// Writes `rows` open items over `customers` customers, due dates spread over two years
    /// before 2025-06-30. Returns the file size.
    @discardableResult
    static func writeOpenItems(path: String, rows: Int, customers: Int) throws -> Int {
        var out = [UInt8]()
        out.reserveCapacity(1 << 22)
        guard let handle = FileHandle(forWritingAtPath: path) ?? {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() else { throw CocoaError(.fileWriteUnknown) }
        defer { try? handle.close() }
        try handle.truncate(atOffset: 0)
        var total = 0
        out.append(contentsOf: Array("invoice_number,customer_id,invoice_date,due_date,amount,open_amount,currency,disputed,blocked,promise_date,settled,description\n".utf8))
        let base = LocalDate(year: 2025, month: 6, day: 30)!.daysSinceEpoch
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in 0..<rows {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let r = seed >> 17
            let customer = Int(r % UInt64(max(1, customers)))
            let due = LocalDate(daysSinceEpoch: base - Int32(r % 730) + 30)
            let issued = due.adding(days: -30)
            let cents = Int64(1000 + (r >> 20) % 500_000)
            let open = (r & 7) == 0 ? cents / 2 : cents
            let line = "INV-\(pad(i, 9)),C\(pad(customer, 7)),\(issued.iso),\(due.iso),\(Money.format(minorUnits: cents, exponent: 2)),\(Money.format(minorUnits: open, exponent: 2)),EUR,\((r & 63) == 1 ? 1 : 0),0,,0,\"Services rendered, order \(pad(Int(r % 1_000_000), 7)) (project \(customer % 97))\"\n"
            out.append(contentsOf: line.utf8)
            if out.count > (1 << 22) - 512 {
                try handle.write(contentsOf: out)
                total += out.count
                out.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: out)
        total += out.count
        return total + 0
    }

    /// Writes a customer master of `count` customers.
    @discardableResult
    static func writeCustomers(path: String, count: Int) throws -> Int {
        var text = "customer_id,name,tax_id,email,phone,street,postal_code,city,country,language,group,blocked\n"
        for i in 0..<count {
            text += "C\(pad(i, 7)),Customer \(i) GmbH,DE\(pad(i, 9)),ap\(i)@example.com,+49 30 \(pad(i, 7)),Hauptstrasse \(i % 200 + 1),\(pad(10000 + i % 89999, 5)),Berlin,DE,de,\(i % 10 == 0 ? "key-accounts" : "standard"),\(i % 500 == 0 ? 1 : 0)\n"
        }
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return text.utf8.count
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
