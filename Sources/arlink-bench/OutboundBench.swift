import ARLinkCore
import ARLinkOutbound
import ARLinkSampleData
import ArgumentParser
import ARLinkJobs
import Foundation

/// `arlink-bench outbound`: arlink's whole outbound run on a large sample extract, against the
/// bare-minimum shell pipeline of design section 7 (awk selecting overdue rows, then `openssl
/// cms` streaming sign and encrypt) on the same extract, in the same run. Each side is a child
/// process; peak memory is its max RSS from `wait4`.
struct OutboundBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbound",
        abstract: "Outbound end to end on a large extract: arlink versus awk | openssl cms (wall time, peak RSS, ratio)."
    )

    @Option(help: "Open items in the generated extract.") var items = 1_000_000
    @Option(help: "Customers in the generated extract.") var customers = 100_000
    @Option(help: "The keys-example folder.") var keys = "keys-example"
    @Option(help: "The demo configuration used as template.") var config = "config/demo.yaml"
    @Option(help: "Runs of each side; the best is reported.") var runs = 2
    @Option(help: "Work folder (a temporary folder by default, removed afterwards).") var dir: String?

    func run() throws {
        let folder = dir ?? (NSTemporaryDirectory() + "arlink-outbench-\(getpid())")
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if dir == nil { try? FileManager.default.removeItem(atPath: folder) } }
        guard let asOf = LocalDate(year: 2026, month: 11, day: 29) else { return }
        let sample = try SampleExtract.write(to: folder + "/erp", options: .init(
            asOf: asOf, customers: customers, openItems: items, extraColumns: true))
        let size = (try FileManager.default.attributesOfItem(atPath: sample.openItemsPath)[.size] as? Int) ?? 0
        try ExampleKeys.copy(from: keys, to: folder + "/keys")
        try FileManager.default.copyItem(atPath: config, toPath: folder + "/arlink.yaml")
        print("outbound benchmark: \(sample.openItems) open items (\(String(format: "%.1f", Double(size) / 1e6)) MB), \(sample.customers) customers, as of \(asOf.iso); best of \(runs) runs")

        let cutoff = asOf.adding(days: -60).iso
        let baseline = try Child.best(runs: runs) {
            try Child.shell(
                "awk -F, -v cutoff=\(cutoff) 'NR > 1 && $4 <= cutoff && $6 + 0 > 0' erp/open_items.csv"
                    + " | openssl cms -sign -binary -nodetach -stream -signer keys/company/signing.crt -inkey keys/company/signing.key -outform DER"
                    + " | openssl cms -encrypt -binary -stream -aes-256-gcm -recip keys/partner/encryption.crt -keyopt ecdh_kdf_md:sha256"
                    + " -recip keys/company/archive.crt -keyopt ecdh_kdf_md:sha256 -outform DER -out baseline.der",
                in: folder)
        }
        let arlink = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("arlink").path
        let ours = try Child.best(runs: runs) {
            for sub in ["state", "partner", "audit"] { try? FileManager.default.removeItem(atPath: folder + "/" + sub) }
            for sub in ["partner/inbox", "partner/outbox", "partner/processed", "erp/import"] {
                try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
            }
            _ = try Child.run([arlink, "init", "--config", folder + "/arlink.yaml"])
            return try Child.run([arlink, "outbound", "run", "--config", folder + "/arlink.yaml", "--as-of", asOf.iso, "--log-format", "json"])
        }
        let delivered = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/partner/inbox")) ?? []
        let sealedSize = delivered.first.flatMap { try? FileManager.default.attributesOfItem(atPath: folder + "/partner/inbox/" + $0)[.size] as? Int } ?? 0
        let baselineSize = (try? FileManager.default.attributesOfItem(atPath: folder + "/baseline.der")[.size] as? Int) ?? 0
        func row(_ name: String, _ m: Child.Measurement, _ out: Int) -> String {
            String(format: "%-44@ %7.3f s  %6.0f MB/s of extract  peak RSS %5d MiB  output %6.1f MB",
                   name as NSString, m.seconds, Double(size) / 1e6 / m.seconds, m.maxRSSKB / 1024, Double(out) / 1e6)
        }
        print(row("awk | openssl cms -sign | openssl cms -encrypt", baseline, baselineSize))
        print(row("arlink outbound run", ours, sealedSize))
        let ratio = baseline.seconds / ours.seconds
        print(String(format: "arlink runs at %.2fx the speed of the baseline (bar >= 1.0: %@); peak %d MiB (bar < 256 MB: %@)",
                     ratio, ratio >= 1 ? "met" : "NOT met", ours.maxRSSKB / 1024, ours.maxRSSKB * 1024 < 256_000_000 ? "met" : "NOT met"))
        print("note: the baseline only filters rows and seals them; arlink also parses every field, joins customers, groups accounts,")
        print("      computes aging and totals, minimises personal data, writes JSON, records the ledger and the audit log.")
        // What a run must make durable (crash safety, design section 5): the plaintext before the
        // ledger records the batch (about the sealed size), the sealed file, the delivered copy,
        // and the state database (written at least once).
        let database = ((try? FileManager.default.attributesOfItem(atPath: folder + "/state/arlink.sqlite"))?[.size] as? Int) ?? 0
        let durable = 3 * sealedSize + database
        let rate = try InboundBench.fsyncedWriteRate(folder)
        print(String(format: "durable writes: the plaintext, the sealed file and the delivered copy (%.0f MB each) and the ledger (%.0f MB), %.0f MB fsynced per run;",
                     Double(sealedSize) / 1e6, Double(database) / 1e6, Double(durable) / 1e6))
        print(String(format: "      this disk takes %.0f MB/s fsynced, so it needs about %.2f s for them, written back while the run works (the baseline writes %.0f MB and never fsyncs)",
                     rate / 1e6, Double(durable) / rate, Double(baselineSize) / 1e6))
        guard delivered.count == 1 else { throw ValidationError("arlink did not deliver exactly one file (\(delivered))") }
    }


}
