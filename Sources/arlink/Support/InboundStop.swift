import ARLinkCore
import ARLinkInbound
import ARLinkJobs

/// What the commands do after an inbound run that may have stopped early (SIGTERM).
enum InboundStop {
    /// 75 ("try again") for a run that stopped at a file boundary and would otherwise have
    /// exited 0; a worse status (65 for a quarantined file, ...) stays.
    static func exitStatus(_ status: ExitStatus, stoppedEarly: Bool) -> ExitStatus {
        stoppedEarly && status == .success ? .tempFailure : status
    }

    /// Records `run.completed` for every partner whose part of `report` went to the end (none
    /// when the run stopped early).
    static func recordCompleted(_ report: InboundReport, context: RunContext) {
        guard !context.stoppedEarly else { return }
        context.recordInboundCompleted(partners: report.partners.filter { $0.failure == nil }.map(\.partner))
    }
}
