import ArgumentParser
import ARLinkAudit
import ARLinkConfig
import ARLinkCore
import ARLinkJobs
import ARLinkStore
import Foundation

/// `arlink privacy`: what left for which partner on which basis, what arlink holds about one
/// debtor (and erasure), and the accounts a partner's breach exposed.
struct PrivacyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privacy",
        abstract: "Personal-data duties: transfers per partner and basis, a data subject's record and erasure, breach lists.",
        subcommands: [Report.self, Subject.self, Breach.self]
    )

    /// The configuration and the state database (which must exist).
    static func open(_ configPath: String) throws -> (ArlinkConfiguration, StateStore) {
        let setup = try AuditCommand.Setup(configPath: configPath)
        return (setup.config, try setup.store())
    }

    static func countries(_ config: ArlinkConfiguration) -> [String: String] {
        Dictionary(config.partners.map { ($0.id.rawValue, $0.privacy.country) }, uniquingKeysWith: { a, _ in a })
    }

    static func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]), as: UTF8.self) + "\n"
    }

    struct Report: ParsableCommand {
        enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json, html }

        static let configuration = CommandConfiguration(
            abstract: "Per partner and country: debtors whose data left, which fields, on which basis, and what came back (UTC days, inclusive).")

        @Option(help: "The arlink configuration file (YAML).") var config: String
        @Option(help: "First day, YYYY-MM-DD (UTC).") var from: String
        @Option(help: "Last day, YYYY-MM-DD (UTC), inclusive.") var to: String
        @Option(help: "csv, json or html.") var format: Format = .json
        @Option(help: "Write the report here instead of standard output.") var output: String?

        func run() throws {
            try Console.run {
                let (config, store) = try PrivacyCommand.open(self.config)
                let report = try PrivacyReport.build(store: store, from: from, to: to, companyCountry: config.company.country,
                                                     partnerCountries: PrivacyCommand.countries(config))
                switch format {
                case .csv: try AuditCommand.emit(report.csv(), to: output)
                case .json: try AuditCommand.emit(try report.json(), to: output)
                case .html: try AuditCommand.emit(report.html(), to: output)
                }
            }
        }
    }

    struct Subject: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Everything arlink holds and has sent about one debtor (JSON); --erase recalls the account everywhere and removes its personal data from our work files.",
            discussion: """
                Lists the account's placements, what was sent to which partner when (field names, basis), the payments and \
                promises that came back, the ERP update files that mention it, and the sealed copies kept. With --erase: \
                records the erasure request (every later outbound run recalls the account from each partner holding it \
                with reason erasure_request and never places it again), blanks the debtor's contact, comment and risk \
                values in the ERP update files, and writes an audit entry. Sealed (encrypted) copies are kept and listed.
                """)

        @Option(help: "The arlink configuration file (YAML).") var config: String
        @Option(help: "The debtor's account reference (the ERP customer id).") var account: String
        @Flag(help: "Erase: recall from every partner (erasure_request), scrub our work files, audit it.") var erase = false

        func run() throws {
            try Console.run {
                let config = try ArlinkConfiguration.load(path: self.config)
                let subject = try DataSubject(config: config, accountRef: account)
                if erase {
                    let context = try RunContext(config: config)
                    let done = try subject.erase(context: context)
                    var report = try subject.report(store: context.store)
                    report["erasure"] = [
                        "newly_requested": done.newlyRequested, "partners_to_recall": done.partnersToRecall,
                        "files_scrubbed": done.filesScrubbed, "ledger_rows_removed": done.ledgerRowsRemoved,
                        "sealed_copies_kept": done.sealedCopiesKept,
                    ] as [String: Any]
                    try AuditCommand.emit(try PrivacyCommand.json(report), to: nil)
                } else {
                    let (_, store) = try PrivacyCommand.open(self.config)
                    try AuditCommand.emit(try PrivacyCommand.json(try subject.report(store: store)), to: nil)
                }
            }
        }
    }

    struct Breach: ParsableCommand {
        enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }

        static let configuration = CommandConfiguration(
            abstract: "The accounts whose data each partner held or received in a window: the list for a breach notification.")

        @Option(help: "The arlink configuration file (YAML).") var config: String
        @Option(help: "Window start: YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD (UTC).") var from: String
        @Option(help: "Window end, inclusive: YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD (UTC).") var to: String
        @Option(help: "Only this partner.") var partner: String?
        @Option(help: "csv or json.") var format: Format = .csv
        @Option(help: "Write the list here instead of standard output.") var output: String?

        func run() throws {
            try Console.run {
                let (config, store) = try PrivacyCommand.open(self.config)
                if let partner { _ = try config.partner(partner) }
                let report = try BreachReport.build(store: store, from: from, to: to, partner: partner,
                                                    partnerCountries: PrivacyCommand.countries(config))
                switch format {
                case .csv: try AuditCommand.emit(report.csv(), to: output)
                case .json: try AuditCommand.emit(try report.json(), to: output)
                }
            }
        }
    }
}
