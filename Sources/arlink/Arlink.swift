import ArgumentParser
import ARLinkConfig
import ARLinkCore
import ARLinkJobs
import Foundation

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
            LayoutCommand.self,
            TransportCommand.self,
            AuditCommand.self,
            PrivacyCommand.self,
            ReportCommand.self,
            DemoCommand.self,
            ServeCommand.self,
            StatusCommand.self,
        ]
    )

    /// Sets how the allocator returns memory (``MemoryTuning``), then parses and runs.
    static func main() async {
        MemoryTuning.apply()
        if let unknown = unknownCommand(Array(CommandLine.arguments.dropFirst())) {
            FileHandle.standardError.write(Data((unknown + "\n").utf8))
            Foundation.exit(ExitStatus.usage.rawValue)
        }
        await main(nil)
    }

    /// "unknown command" with the nearest command name, for a first word that names none
    /// (`arlink outbond run`); nil when the arguments start with a command or an option.
    static func unknownCommand(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), first != "help" else { return nil }
        let names = configuration.subcommands.map { $0._commandName }
        guard !names.contains(first) else { return nil }
        let hint = NameSuggestion.nearest(to: first, among: names).map { "; did you mean \($0)?" } ?? ""
        return "arlink: error: unknown command \"\(first.prefix(40))\"\(hint) (commands: \(names.joined(separator: ", ")); see arlink --help)"
    }
}

enum ArlinkVersion {
    static let current = "0.1.0"
}
