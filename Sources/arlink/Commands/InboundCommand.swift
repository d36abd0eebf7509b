import ArgumentParser
import ARLinkCore
import ARLinkConfig
import ARLinkJobs
import ARLinkInbound
import Foundation

/// `arlink inbound`: the partner's feedback back into the ERP.
struct InboundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbound",
        abstract: "Receive partner feedback, reconcile it, and write ERP status updates.",
        subcommands: [Run.self]
    )

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch, open, check, reconcile and apply every new feedback file (safe to repeat).",
            discussion: """
                Fetches each feedback file in the partner's outbox that matches its naming pattern, opens \
                the envelope, checks the signed header, the schema and the control totals, reconciles every \
                event with the placement ledger, writes ERP update files, and sends a signed receipt. A bad \
                file is quarantined (exit 65, the run goes on); a file after a sequence gap is held, and one that \
                changes while it is fetched stays in the outbox (exit 75). A partner whose part fails (its \
                transport, its folders) is reported and the run goes on with the others; the exit status is \
                the worst of all partners. SIGTERM stops the run at the next file boundary: the file under way \
                finishes, the others wait for the next run (run.stopped in the audit log, exit 75).
                """
        )

        @OptionGroup var common: CommonOptions

        @Option(help: "Only this partner (default: every configured partner).")
        var partner: String?

        @Flag(help: "Fetch, open, check and reconcile on a copy of the state, and report what would be applied, rejected, held or quarantined; apply, write, move and send nothing.")
        var dryRun = false

        func run() throws {
            var status = ExitStatus.success
            try Console.run(common.logFormat) {
                let reporter = ConsoleReporter(format: common.logFormat)
                let config = try ArlinkConfiguration.load(path: common.config)
                let context = try RunContext(config: config, reporter: reporter, dryRun: dryRun)
                let stop = dryRun ? nil : StopSignal.install()
                if stop != nil { context.shouldStop = { StopSignal.isRequested } }
                let report = dryRun
                    ? try InboundDryRun.run(context: context, options: .init(partner: partner))
                    : try InboundJob(context: context).run(.init(partner: partner))
                withExtendedLifetime(stop) {}
                if !dryRun { InboundStop.recordCompleted(report, context: context) }
                print(InboundSummary.render(report, json: common.logFormat == .json, dryRun: dryRun))
                if context.stoppedEarly && common.logFormat != .json {
                    print("stopped at a file boundary (SIGTERM): the files not yet started wait for the next run")
                }
                status = InboundStop.exitStatus(report.exitStatus, stoppedEarly: context.stoppedEarly)
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }
    }
}

/// The run report of `arlink inbound run`, for people or as one JSON object.
enum InboundSummary {
    static func render(_ report: InboundReport, json: Bool, dryRun: Bool = false) -> String {
        json ? renderJSON(report, dryRun: dryRun) : renderText(report, dryRun: dryRun)
    }

    static func renderText(_ report: InboundReport, dryRun: Bool = false) -> String {
        var lines: [String] = []
        if dryRun { lines.append("Dry run: nothing was applied, written, moved or sent. A run now would do this:") }
        for p in report.partners {
            lines.append("partner \(p.partner): \(p.processed.count) file(s) processed, \(p.quarantined.count) quarantined, \(p.held.count) held, \(p.duplicates.count) duplicate(s), \(p.skipped.count) skipped, \(p.retry.count) left for the next run")
            if let failure = p.failure { lines.append("  stopped: \(failure.message) [\(failure.code)]; exit \(failure.exitStatus.rawValue)") }
            lines.append("  events: \(p.eventsAccepted) accepted, \(p.eventsRejectedTotal) rejected")
            for (reason, count) in p.eventsRejected.sorted(by: { $0.key < $1.key }) {
                lines.append("    rejected \(reason.rawValue): \(count)")
            }
            for q in p.quarantined { lines.append("  quarantined \(q.fileName): \(q.message) [\(q.code)]") }
            for h in p.held { lines.append("  held \(h.fileName): \(h.message)") }
            for s in p.skipped { lines.append("  skipped \(s.fileName): \(s.message)") }
            for r in p.retry { lines.append("  left for the next run \(r.fileName): \(r.message)") }
            for d in p.duplicates { lines.append("  duplicate \(d): already received, nothing applied") }
            for e in p.exceptions.prefix(20) { lines.append("  exception: \(e)") }
            if p.exceptions.count > 20 { lines.append("  ... and \(p.exceptions.count - 20) more exceptions") }
            if p.promisesBroken > 0 { lines.append("  promises broken: \(p.promisesBroken)") }
            lines.append((dryRun ? "  receipts it would send: " : "  receipts delivered: ") + "\(p.receiptsDelivered)" + (p.resumed > 0 ? ", files finished from an earlier run: \(p.resumed)" : ""))
        }
        if dryRun {
            lines.append("ERP updates it would export: \(report.updatesExported)")
        } else {
            lines.append("ERP updates exported: \(report.updatesExported)" + (report.exportFiles.isEmpty ? "" : " (\(report.exportFiles.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")))"))
        }
        return lines.joined(separator: "\n")
    }

    static func renderJSON(_ report: InboundReport, dryRun: Bool = false) -> String {
        func quote(_ s: String) -> String { JSONLine.quote(s) }
        func problems(_ list: [PartnerInboundReport.FileProblem]) -> String {
            "[" + list.map { "{\"file\":\(quote($0.fileName)),\"code\":\(quote($0.code)),\"message\":\(quote($0.message))}" }.joined(separator: ",") + "]"
        }
        func failure(_ failure: PartnerFailure?) -> String {
            guard let failure else { return "null" }
            return "{\"code\":\(quote(failure.code)),\"message\":\(quote(failure.message)),\"exit_status\":\(failure.exitStatus.rawValue)}"
        }
        let partners = report.partners.map { p in
            let rejected = "{" + p.eventsRejected.sorted { $0.key < $1.key }.map { "\(quote($0.key.rawValue)):\($0.value)" }.joined(separator: ",") + "}"
            return "{\"partner\":\(quote(p.partner)),\"files_processed\":\(p.processed.count),\"files_quarantined\":\(p.quarantined.count),"
                + "\"files_held\":\(p.held.count),\"files_duplicate\":\(p.duplicates.count),\"files_skipped\":\(p.skipped.count),"
                + "\"events_accepted\":\(p.eventsAccepted),\"events_rejected\":\(p.eventsRejectedTotal),\"rejected_by_reason\":\(rejected),"
                + "\"exceptions\":\(p.exceptions.count),\"promises_broken\":\(p.promisesBroken),\"receipts_delivered\":\(p.receiptsDelivered),"
                + "\"quarantined\":\(problems(p.quarantined)),\"held\":\(problems(p.held)),\"skipped\":\(problems(p.skipped)),"
                + "\"retry\":\(problems(p.retry)),\"failure\":\(failure(p.failure)),\"exit_status\":\(p.exitStatus.rawValue)}"
        }
        return "{\"dry_run\":\(dryRun),\"partners\":[\(partners.joined(separator: ","))],\"updates_exported\":\(report.updatesExported),\"exit_status\":\(report.exitStatus.rawValue)}"
    }
}
