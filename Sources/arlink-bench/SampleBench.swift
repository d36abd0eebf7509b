import ARLinkCore
import ARLinkSampleData
import ArgumentParser
import ARLinkJobs
import Foundation

/// `arlink-bench sample`: time and peak memory of ``SampleExtract/write(to:options:)`` for a
/// large extract, against `dd` writing (and syncing) the same number of bytes in the same run.
struct SampleBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Throughput and peak memory of the sample extract generator.")

    @Option(help: "Open items to generate.")
    var items = 1_000_000

    @Option(help: "Customers to generate.")
    var customers = 100_000

    @Option(help: "Variant (0 = base extract, n = the n-th later run).")
    var variant = 0

    @Flag(inversion: .prefixedNo, help: "Append the six ERP columns the generic preset ignores (about 150 bytes per item).")
    var extraColumns = true

    @Option(help: "Runs; the best is reported.")
    var runs = 3

    @Option(help: "Folder for the generated files (a temporary folder by default).")
    var dir: String?

    @Flag(help: "Keep the generated files.")
    var keep = false

    func validate() throws {
        guard items >= 0, customers >= 1, runs >= 1 else { throw ValidationError("--items >= 0, --customers >= 1, --runs >= 1") }
    }

    func run() throws {
        let folder = dir ?? (NSTemporaryDirectory() + "arlink-samplebench-\(getpid())")
        defer { if !keep && dir == nil { try? FileManager.default.removeItem(atPath: folder) } }
        guard let asOf = LocalDate(year: 2026, month: 11, day: 29) else { return }
        let options = SampleExtract.Options(
            asOf: asOf, customers: customers, openItems: items, variant: variant, extraColumns: extraColumns)
        var best = Double.infinity
        var summary: SampleExtract.Summary?
        for _ in 0..<runs {
            let start = Date()
            summary = try SampleExtract.write(to: folder, options: options)
            best = min(best, Date().timeIntervalSince(start))
        }
        guard let summary else { return }
        let itemBytes = (try? FileManager.default.attributesOfItem(atPath: summary.openItemsPath)[.size] as? Int) ?? 0
        print("sample extract: \(summary.customers) customers, \(summary.openItems) items (\(String(format: "%.1f", Double(itemBytes) / 1e6)) MB), \(summary.payments) payments, \(String(format: "%.1f", Double(summary.bytes) / 1e6)) MB in all")
        print("generator:      \(String(format: "%.3f", best)) s  \(String(format: "%6.0f", Double(summary.bytes) / 1e6 / best)) MB/s  VmHWM \(ProcessMemory.peakMB() ?? 0) MB")

        // Baseline: dd writing and syncing as many bytes, best of the same number of runs.
        let blocks = Int((summary.bytes + (1 << 20) - 1) >> 20)
        var baseline = Double.infinity
        for _ in 0..<runs {
            let start = Date()
            let dd = Process()
            dd.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            dd.arguments = ["dd", "if=/dev/zero", "of=\(folder)/dd.bin", "bs=1M", "count=\(blocks)", "conv=fsync", "status=none"]
            try dd.run()
            dd.waitUntilExit()
            guard dd.terminationStatus == 0 else { throw ValidationError("dd failed with status \(dd.terminationStatus)") }
            baseline = min(baseline, Date().timeIntervalSince(start))
        }
        try? FileManager.default.removeItem(atPath: "\(folder)/dd.bin")
        print("dd baseline:    \(String(format: "%.3f", baseline)) s  \(String(format: "%6.0f", Double(blocks << 20) / 1e6 / baseline)) MB/s")
        print("ratio generator/dd time: \(String(format: "%.2f", best / baseline))")
    }

}
