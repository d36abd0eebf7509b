import ArgumentParser
import ARLinkConfig
import ARLinkCore
import ARLinkService
import Foundation

/// `arlink status`: per partner, the last runs, files waiting or refused, next runs and
/// certificate expiries; the exit status says whether anything waits or needs a person.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each partner's last runs, pending, held, quarantined and parked files, next runs and certificate expiries.",
        discussion: """
            Reads the audit log (the last \(StatusReport.windowDays) days), the configuration and the \
            certificates; changes nothing and takes no lock. Exits 0 when all is well, 75 when something \
            waits (a batch not yet delivered, a file held for a short while), 65 when something needs a \
            person (a quarantined or long-held file, a silent partner, a parked job, a certificate expiring \
            within alerts.expiry_warning_days, an audit log that does not verify).
            """
    )

    @OptionGroup var common: CommonOptions

    func run() throws {
        var status = ExitStatus.success
        try Console.run(common.logFormat) {
            Console.bootstrap(common.logFormat)
            let config = try ArlinkConfiguration.load(path: common.config)
            let now = Date()
            let plan = SchedulePlan(schedules: config.service?.schedules ?? [], start: now, jitter: { _ in .zero })
            let report = try StatusReport.build(config: config, now: now, nextRuns: plan.entries.map { (schedule: $0.schedule, at: $0.runAt) })
            print(common.logFormat == .json ? report.renderJSON() : report.renderText())
            status = report.exitStatus
        }
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
