import ArgumentParser
import ARLinkConfig
import ARLinkJobs
import Foundation

/// `arlink init`: creates the state database and the ERP import folder a configuration names.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the state database and the ERP import folder (once, on purpose).",
        discussion: """
            Jobs never create a missing state.database (a mistyped path would start an empty ledger \
            and place every account again) or erp.updates.folder: they stop with exit 78. This command \
            creates what does not exist yet and leaves what exists as it is; safe to repeat.
            """
    )

    @OptionGroup var common: CommonOptions

    func run() throws {
        try Console.run(common.logFormat) {
            let config = try ArlinkConfiguration.load(path: common.config)
            let created = try StateSetup.initialize(config, reporter: ConsoleReporter(format: common.logFormat))
            if created.isEmpty {
                print("Nothing to create: \(config.state.databasePath) and \(config.erp.updatesFolder) exist.")
            } else {
                for path in created { print("created \(path)") }
            }
        }
    }
}
