import ArgumentParser
import ARLinkJobs

/// The `arlink` command: parses arguments and wires the library modules together.
@main
struct Arlink: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arlink",
        abstract: "Secure data-exchange gateway between ERP accounts receivable and a collection partner.",
        version: ArlinkVersion.current,
        subcommands: [
            InitCommand.self,
            OutboundCommand.self,
            InboundCommand.self,
            EnvelopeCommand.self,
            KeysCommand.self,
            ConfigCommand.self,
            TransportCommand.self,
            AuditCommand.self,
            PrivacyCommand.self,
            ReportCommand.self,
            DemoCommand.self,
        ]
    )

    /// Sets how the allocator returns memory (``MemoryTuning``), then parses and runs.
    static func main() async {
        MemoryTuning.apply()
        await main(nil)
    }
}

enum ArlinkVersion {
    static let current = "0.1.0"
}
