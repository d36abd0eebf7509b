import ArgumentParser
import ARLinkConfig
import ARLinkCore
import ARLinkEnvelope
import ARLinkInbound
import ARLinkJobs
import ARLinkOutbound
import ARLinkService
import ARLinkStore
import Foundation
import Logging

/// `arlink serve`: runs the configured schedules unattended, with health, readiness, metrics
/// and status endpoints, alerts, graceful shutdown (SIGTERM) and reload (SIGHUP).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the configured schedules as a service, with /healthz, /readyz, /metrics and /status.",
        discussion: """
            Runs each schedule of the configuration's service: section (outbound, inbound, keys-check; cron \
            or every) exactly as the commands do, one run at a time under the same run lock, recording the \
            same audit entries. A schedule that fires while a run is under way is skipped and counted \
            (arlink_schedule_skipped_total). SIGTERM stops taking runs, stops an inbound run at the next \
            file boundary (an outbound run finishes its batch) and exits 0; SIGHUP reloads the configuration and keeps the old one when the new one does not validate.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Seconds between refreshes of the status, its gauges and the alert conditions (default 60).")
    var statusInterval: Int = 60

    func validate() throws {
        guard (1...86_400).contains(statusInterval) else { throw ValidationError("--status-interval must be from 1 to 86400 seconds") }
    }

    func run() async throws {
        let format = common.logFormat
        var loaded: ArlinkConfiguration?
        try Console.run(format) {
            Console.bootstrap(format)
            loaded = try ArlinkConfiguration.load(path: common.config)
        }
        guard let config = loaded else { return }
        var logger = Logger(label: "arlink.serve")
        logger.logLevel = .info
        if config.service == nil {
            logger.warning("the configuration has no service: section; serving the endpoints on 127.0.0.1:9464 with no schedules")
        }
        do {
            try await ARLinkServer.run(config: config, runner: CommandJobRunner(format: format), logger: logger,
                                       statusInterval: .seconds(statusInterval)) { port in
                FileHandle.standardOutput.write(Data("arlink serve: listening on port \(port)\n".utf8))
            }
        } catch {
            Console.writeStderr("arlink: error: the service stopped: \(error)\n")
            throw ExitCode(ExitStatus.unavailable.rawValue)
        }
    }
}

/// Runs a scheduled job through the same functions as `arlink outbound run`, `arlink inbound
/// run` and `arlink keys check`: the same run context (run lock, audit log), job and audit entries.
struct CommandJobRunner: ScheduledJobRunner {
    let format: LogFormat

    func run(_ job: ScheduledJobKind, partner: String?, config: ArlinkConfiguration, shouldStop: @escaping @Sendable () -> Bool) -> JobResult {
        let reporter = ConsoleReporter(format: format, progress: false)
        do {
            switch job {
            case .outbound:
                let context = try RunContext(config: config, reporter: reporter)
                let report = try OutboundJob(context: context).run(.init(partner: partner, asOf: Today.utc()))
                let partners = report.partners.map { p -> PartnerJobResult in
                    var result = PartnerJobResult(partner: p.partner, exitStatus: .success, message: p.outcome.text)
                    result.filesDelivered = (p.outcome == .delivered || p.outcome == .resumed) ? 1 : 0
                    return result
                }
                let summary = report.partners.map { "\($0.partner): \($0.outcome.text)" }.joined(separator: "; ")
                return JobResult(exitStatus: .success, message: summary.isEmpty ? "no partner" : summary, partners: partners)
            case .inbound:
                let context = try RunContext(config: config, reporter: reporter)
                context.shouldStop = shouldStop
                let before = try EventTotals.read(context, partners: partner.map { [$0] } ?? config.partners.map(\.id.rawValue))
                let report = try InboundJob(context: context).run(.init(partner: partner))
                let after = try EventTotals.read(context, partners: Array(before.keys))
                InboundStop.recordCompleted(report, context: context)
                let partners = report.partners.map { p -> PartnerJobResult in
                    var result = PartnerJobResult(partner: p.partner, exitStatus: p.exitStatus,
                                                  errorCode: p.failure?.code ?? p.quarantined.first?.code ?? p.retry.first?.code,
                                                  message: p.failure?.message)
                    result.filesProcessed = p.processed.count
                    result.quarantined = p.quarantined.map { (file: $0.fileName, code: $0.code) }
                    result.held = p.held.map(\.fileName)
                    result.events = EventTotals.difference(before[p.partner] ?? [:], after[p.partner] ?? [:])
                    return result
                }
                let summary = report.partners.map { p in
                    "\(p.partner): \(p.processed.count) applied, \(p.quarantined.count) quarantined, \(p.held.count) held"
                        + (p.failure.map { ", stopped: \($0.message)" } ?? "")
                }.joined(separator: "; ")
                let failure = report.partners.compactMap(\.failure).first
                let stopped = context.stoppedEarly ? "; stopped at a file boundary (SIGTERM), the files not yet started wait for the next run" : ""
                return JobResult(exitStatus: InboundStop.exitStatus(report.exitStatus, stoppedEarly: context.stoppedEarly), errorCode: failure?.code,
                                 message: (summary.isEmpty ? "no partner" : summary) + stopped, partners: partners, stoppedEarly: context.stoppedEarly)
            case .keysCheck:
                let context = try KeysCommand.Check.context(config, reporter: reporter)
                let rows = KeyCheck.run(KeysCommand.Check.items(config)) + KeysCommand.Check.openPGPRows(config) + KeysCommand.Check.transportRows(config)
                    + config.partners.filter { $0.envelope == .cms }.map { partner in
                        KeyCheck.trust(role: "\(partner.id.rawValue) trust (\(partner.trust))", policy: RunContext.trustPolicy(for: partner, now: Date()))
                    }
                if let context { KeysCommand.Check.record(rows, context: context, reporter: reporter) }
                let failed = rows.filter { !$0.ok }.count
                guard failed == 0 else {
                    let failure = KeysCheckFailed(count: failed)
                    return JobResult(exitStatus: failure.exitStatus, errorCode: failure.codeName, message: failure.message)
                }
                return JobResult(exitStatus: .success, message: "all \(rows.count) keys and certificates are usable")
            }
        } catch let failure as any ARLinkFailure {
            let partners = partner.map { [PartnerJobResult(partner: $0, exitStatus: failure.exitStatus, errorCode: failure.codeName, message: failure.message)] } ?? []
            return JobResult(exitStatus: failure.exitStatus, errorCode: failure.codeName, message: failure.message, partners: partners)
        } catch {
            return JobResult(exitStatus: .software, errorCode: "internal.error", message: "\(error)")
        }
    }
}

/// Events applied and rejected per type, read before and after an inbound run (one run at a
/// time under the run lock, so the difference is the run's own).
enum EventTotals {
    static func read(_ context: RunContext, partners: [String]) throws -> [String: [String: (applied: Int, rejected: Int)]] {
        try context.store.read { db in
            var out: [String: [String: (applied: Int, rejected: Int)]] = [:]
            for partner in partners { out[partner] = try InboundLedger.eventTotals(db, partner: partner) }
            return out
        }
    }

    static func difference(_ before: [String: (applied: Int, rejected: Int)], _ after: [String: (applied: Int, rejected: Int)]) -> [String: EventCounts] {
        var out: [String: EventCounts] = [:]
        for (type, now) in after {
            let was = before[type] ?? (0, 0)
            let counts = EventCounts(applied: max(0, now.applied - was.applied), rejected: max(0, now.rejected - was.rejected))
            if counts.applied > 0 || counts.rejected > 0 { out[type] = counts }
        }
        return out
    }
}
