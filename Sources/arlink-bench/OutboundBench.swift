import ARLinkCore
import ARLinkOutbound
import ARLinkSampleData
import ArgumentParser
import ARLinkJobs
import Foundation

/// `arlink-bench outbound`: arlink's whole outbound run (read, select, group, write, seal,
/// deliver, ledger and audit) on a large sample extract, against what a data engineer would
/// write instead: DuckDB reading the same extract, joining customers, selecting, grouping per
/// account into one JSON line each, piped into `openssl cms -sign -stream | openssl cms
/// -encrypt -aes-256-gcm -stream` (``DuckDBPeer``).
///
/// The two sides alternate (peer, arlink, peer, arlink, …), each a child process; the bench
/// prints the minimum and median wall time and the peak memory (max RSS from `wait4`) of each.
/// DuckDB comes from `scripts/bench-setup.sh` (a virtual environment of its own); arlink does
/// not depend on it.
struct OutboundBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbound",
        abstract: "Outbound end to end on a large extract: arlink versus a DuckDB | openssl cms pipeline (min and median wall time, peak RSS)."
    )

    @Option(help: "Open items in the generated extract.") var items = 1_000_000
    @Option(help: "Customers in the generated extract.") var customers = 100_000
    @Option(help: "The keys-example folder.") var keys = "keys-example"
    @Option(help: "The demo configuration used as template.") var config = "config/demo.yaml"
    @Option(help: "Runs of each side, alternating.") var runs = 3
    @Option(help: "Python with the duckdb package (scripts/bench-setup.sh makes it).") var python = ".build/bench-venv/bin/python"
    @Option(help: "Work folder (a temporary folder by default, removed afterwards).") var dir: String?
    @Flag(help: "Use the extract already in --dir/erp (from an earlier run with the same --items and --customers) instead of generating it.")
    var reuseExtract = false
    @Flag(help: "Print arlink's step trace (ARLINK_TRACE_STEPS: seconds since start and peak memory at the end of each step) after each of its runs.")
    var steps = false

    func validate() throws {
        guard items >= 1, customers >= 1, runs >= 1 else { throw ValidationError("--items >= 1, --customers >= 1, --runs >= 1") }
    }

    func run() throws {
        let python = URL(fileURLWithPath: self.python).path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ValidationError("\(self.python) is not there: run scripts/bench-setup.sh first (it installs DuckDB for the peer), or pass --python")
        }
        let folder = dir ?? (NSTemporaryDirectory() + "arlink-outbench-\(getpid())")
        let reuse = reuseExtract && dir != nil && FileManager.default.fileExists(atPath: folder + "/erp/" + SampleExtract.openItemsFileName)
        if !reuse {
            try? FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        defer { if dir == nil { try? FileManager.default.removeItem(atPath: folder) } }
        guard let asOf = LocalDate(year: 2026, month: 11, day: 29) else { return }
        if !reuse {
            _ = try SampleExtract.write(to: folder + "/erp", options: .init(asOf: asOf, customers: customers, openItems: items, extraColumns: true))
        }
        let size = Self.fileSize(folder + "/erp/" + SampleExtract.openItemsFileName)
        for name in ["keys", "arlink.yaml"] { try? FileManager.default.removeItem(atPath: folder + "/" + name) }
        try ExampleKeys.copy(from: keys, to: folder + "/keys")
        try FileManager.default.copyItem(atPath: config, toPath: folder + "/arlink.yaml")
        try DuckDBPeer.script.write(toFile: folder + "/peer.py", atomically: true, encoding: .utf8)
        print("outbound benchmark: \(items) open items (\(String(format: "%.1f", Double(size) / 1e6)) MB), \(customers) customers, as of \(asOf.iso); \(runs) runs of each side, alternating")

        let peerCommand = DuckDBPeer.pipeline(python: python, asOf: asOf, output: "peer.der")
        let arlink = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("arlink").path
        var peer: [Child.Measurement] = []
        var ours: [Child.Measurement] = []
        for _ in 0..<runs {
            try? FileManager.default.removeItem(atPath: folder + "/peer.der")
            peer.append(try Child.shell(peerCommand, in: folder))
            for sub in ["state", "partner", "audit", "erp/import"] { try? FileManager.default.removeItem(atPath: folder + "/" + sub) }
            for sub in ["partner/inbox", "partner/outbox", "partner/processed", "erp/import"] {
                try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
            }
            _ = try Child.run([arlink, "init", "--config", folder + "/arlink.yaml"])
            let trace = steps ? "ARLINK_TRACE_STEPS=1 " : ""
            ours.append(try Child.shell("\(trace)exec '\(arlink)' outbound run --config arlink.yaml --as-of \(asOf.iso) --log-format json > report.json 2> log.jsonl", in: folder))
            if steps { Self.printSteps(logPath: folder + "/log.jsonl", run: ours.count, total: ours.last?.seconds ?? 0) }
        }
        let delivered = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/partner/inbox")) ?? []
        guard delivered.count == 1 else { throw ValidationError("arlink did not deliver exactly one file (\(delivered))") }
        let sealedSize = Self.fileSize(folder + "/partner/inbox/" + delivered[0])
        let peerSize = Self.fileSize(folder + "/peer.der")

        func row(_ name: String, _ m: [Child.Measurement], _ out: Int64) -> String {
            let s = Child.Summary(m)
            return String(format: "%-34@ min %7.3f s  median %7.3f s  CPU median %7.3f s  peak RSS %5d MiB  output %6.1f MB",
                          name as NSString, s.min, s.median, s.cpuMedian, s.maxRSSKB / 1024, Double(out) / 1e6)
        }
        print(row("DuckDB | openssl cms | openssl cms", peer, peerSize))
        print(row("arlink outbound run", ours, sealedSize))
        let p = Child.Summary(peer), o = Child.Summary(ours)
        let ratio = p.median / o.median
        let peakMB = Double(o.maxRSSKB) * 1024 / 1e6
        print(String(format: "arlink runs at %.2fx the speed of the DuckDB pipeline by median (%.2fx by min; bar >= 1.0: %@); arlink's peak %.0f MB (bar < 256 MB: %@)",
                     ratio, p.min / o.min, ratio >= 1 ? "met" : "NOT met", peakMB, peakMB < 256 ? "met" : "NOT met"))
        print("peak RSS is the largest single process of a side (wait4's ru_maxrss): DuckDB for the pipeline, whose two openssl processes stream in a few MB each")

        // The same accounts on both sides (a plain run of the peer, not timed).
        _ = try Child.shell(DuckDBPeer.plainCommand(python: python, asOf: asOf, output: "peer.jsonl"), in: folder)
        let peerAccounts = try Self.lineCount(folder + "/peer.jsonl")
        try? FileManager.default.removeItem(atPath: folder + "/peer.jsonl")
        let placed = Self.placedCount(reportPath: folder + "/report.json")
        print("accounts: DuckDB selects \(peerAccounts), arlink places \(placed.map(String.init) ?? "?")")
        print("the peer mirrors: invoices at least 60 days past due, not settled, disputed, blocked or under an open promise, with a positive")
        print("      open amount; open credit notes netted in the same currency; customer not blocked and not intercompany; a balance of at")
        print("      least 50.00 EUR or USD; invoices, per-currency balances and aging buckets per account; the partner's debtor fields with")
        print("      the tax id masked; sorted by account")
        print("the peer does not mirror: the placement ledger (updates, recalls and their reasons, accounts placed elsewhere), the audit log")
        print("      and its checkpoint, the signed header and the trailer's control totals, bad-row and duplicate-invoice checks with their")
        print("      messages, last payment dates, itemization and account flags, atomic fsynced files, delivery, the KPI facts")
    }

    /// The step trace lines of one arlink run (its stderr), each with the step's own seconds.
    static func printSteps(logPath: String, run: Int, total: Double) {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return }
        print(String(format: "arlink run %d: %.3f s wall; steps (seconds since the first mark, the step's own seconds, peak memory):", run, total))
        var previous = 0.0
        for line in text.split(separator: "\n") where line.hasPrefix("arlink-trace +") {
            // arlink-trace +1.234 s NAME: peak N MB
            let rest = line.dropFirst("arlink-trace +".count)
            guard let space = rest.firstIndex(of: " "), let at = Double(rest[..<space]) else { continue }
            let name = rest[rest.index(space, offsetBy: 3)...]
            print(String(format: "  %8.3f  %7.3f  %@", at, at - previous, String(name) as NSString))
            previous = at
        }
    }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    static func lineCount(_ path: String) throws -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ValidationError("cannot read \(path)") }
        defer { try? handle.close() }
        var lines = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            lines += chunk.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        }
        return lines
    }

    /// The `place` count of the run report (`--log-format json`), if it can be read.
    static func placedCount(reportPath: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: reportPath),
              let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let partners = report["partners"] as? [[String: Any]] else { return nil }
        return partners.compactMap { $0["place"] as? Int }.reduce(0, +)
    }
}

extension Child {
    /// Minimum and median wall time of several runs, and the largest peak memory among them.
    struct Summary {
        let min: Double
        let median: Double
        let maxRSSKB: Int
        /// Median user plus system CPU time (all the side's processes).
        let cpuMedian: Double

        init(_ runs: [Measurement]) {
            let cpu = runs.map(\.cpuSeconds).sorted()
            cpuMedian = cpu.isEmpty ? 0 : cpu.count % 2 == 1 ? cpu[cpu.count / 2] : (cpu[cpu.count / 2 - 1] + cpu[cpu.count / 2]) / 2
            let times = runs.map(\.seconds).sorted()
            min = times.first ?? 0
            median = times.isEmpty ? 0 : times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
            maxRSSKB = runs.map(\.maxRSSKB).max() ?? 0
        }
    }
}
