import ArgumentParser
import ARLinkCore
import ARLinkConfig
import ARLinkJobs
import ARLinkOutbound
import Foundation

/// `arlink outbound`: placement of overdue accounts with a partner.
struct OutboundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbound",
        abstract: "Place overdue accounts with collection partners.",
        subcommands: [Run.self]
    )

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Select, write, seal and deliver today's portfolio (safe to repeat).",
            discussion: """
                Reads the ERP extract, selects accounts by each partner's policy, writes a versioned \
                portfolio with control totals, signs and encrypts it, and delivers it. A second run for \
                the same as-of date sends nothing new; a run after a crash finishes the same batch.
                """
        )

        @OptionGroup var common: CommonOptions

        @Option(help: "Only this partner (default: every configured partner).")
        var partner: String?

        @Option(help: "The as-of date, YYYY-MM-DD (default: today, UTC).")
        var asOf: String?

        @Flag(help: "Print what would be placed, updated, recalled and excluded (by reason), and write nothing.")
        var dryRun = false

        @Flag(help: "Build the batch even if it recalls more than the partner's max_recall_share or max_recalls (audited).")
        var allowMassRecall = false
        @Flag(help: "Allow an --as-of date before a partner's latest batch (its selection recalls accounts eligible today).")
        var allowBackdated = false

        func validate() throws {
            if let asOf, LocalDate(iso: asOf) == nil {
                throw ValidationError("--as-of \"\(asOf)\" is not a date (expected YYYY-MM-DD)")
            }
        }

        func run() throws {
            try Console.run(common.logFormat) {
                let reporter = ConsoleReporter(format: common.logFormat)
                let config = try ArlinkConfiguration.load(path: common.config)
                let context = try RunContext(config: config, reporter: reporter, dryRun: dryRun)
                let asOfDate = asOf.flatMap { LocalDate(iso: $0) } ?? Today.utc()
                let report = try OutboundJob(context: context).run(.init(partner: partner, asOf: asOfDate, dryRun: dryRun, allowMassRecall: allowMassRecall,
                                                                         allowBackdated: allowBackdated))
                print(OutboundSummary.render(report, format: common.logFormat, dryRun: dryRun))
            }
        }
    }
}

/// Today's date in UTC.
enum Today {
    static func utc() -> LocalDate {
        LocalDate(utcDayOf: Date())
    }
}
