import ArgumentParser
import ARLinkJobs

/// `arlink-bench`: measures arlink against the baselines of design section 7 in the same run
/// and prints wall time, throughput, peak memory and the ratio for each.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arlink-bench",
        abstract: "Benchmarks arlink against command-line baselines (run with -c release).",
        subcommands: [CSVBench.self, SampleBench.self, AuditBench.self, OutboundBench.self, EnvelopeBench.self, TransportBench.self, InboundBench.self, LayoutBench.self]
    )

    /// The measured children run in this executable too: the same allocator settings as `arlink`.
    static func main() async {
        MemoryTuning.apply()
        await main(nil)
    }
}
