import ARLinkSystem
import ArgumentParser
import ARLinkConfig
import ARLinkCore
import ARLinkJobs
import ARLinkKPI
import ARLinkStore
import Foundation

/// `arlink report`: reports for the finance team.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports for the finance team.",
        subcommands: [KPI.self]
    )

    /// `arlink report kpi`: the collection KPIs of a period (docs/kpi.md).
    struct KPI: ParsableCommand {
        enum Format: String, ExpressibleByArgument, CaseIterable { case html, json, csv }

        static let configuration = CommandConfiguration(
            commandName: "kpi",
            abstract: "Collection KPIs for a period (UTC days, inclusive): placements, recovery, promises, disputes, risk, data quality, receivables and DSO.")

        @Option(help: "The arlink configuration file (YAML).") var config: String
        @Option(help: "First day, YYYY-MM-DD.") var from: String
        @Option(help: "Last day, YYYY-MM-DD, inclusive.") var to: String
        @Option(help: "Only this partner (default: every configured partner).") var partner: String?
        @Option(help: "html, json or csv.") var format: Format = .html
        @Option(help: "Write the report here instead of standard output.") var output: String?

        func validate() throws {
            guard let start = LocalDate(iso: from) else { throw ValidationError("--from \"\(from)\" is not a date (expected YYYY-MM-DD)") }
            guard let end = LocalDate(iso: to) else { throw ValidationError("--to \"\(to)\" is not a date (expected YYYY-MM-DD)") }
            guard start <= end else { throw ValidationError("--from \(from) is after --to \(to)") }
        }

        func run() throws {
            try Console.run {
                let settings = try ArlinkConfiguration.load(path: config)
                let partners = try partner.map { [try settings.partner($0).id.rawValue] } ?? settings.partners.map(\.id.rawValue)
                try settings.state.requireSQLite(for: "the report")
                let path = settings.stateDatabasePath
                guard FileManager.default.fileExists(atPath: path) else {
                    throw JobError(.missingInput, "the state database \(path) does not exist (nothing has run yet, or state.database in \(settings.sourcePath) is wrong)")
                }
                let report = try KPICalculator.build(store: try StateStore(path: path), partners: partners, from: LocalDate(iso: from)!, to: LocalDate(iso: to)!,
                                                     generatedAt: Timestamp.iso8601(Date()))
                let text: String
                switch format {
                case .html: text = report.html()
                case .json: text = report.json()
                case .csv: text = report.csv()
                }
                try AuditCommand.emit(text, to: output)
            }
        }
    }
}
