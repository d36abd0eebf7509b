public import ARLinkConfig
public import ARLinkCore

/// Runs one job exactly as its command does (same code, same run lock, same audit).
///
/// The executable provides it: `outbound run`, `inbound run` and `keys check` are built there,
/// and the service calls the same functions. Called on a worker thread; it may block.
public protocol ScheduledJobRunner: Sendable {
    /// Runs `job`.
    /// - Parameter shouldStop: true once the service is shutting down (SIGTERM); the inbound
    ///   job asks it between files and leaves the files not yet started for the next run.
    func run(_ job: ScheduledJobKind, partner: String?, config: ArlinkConfiguration, shouldStop: @escaping @Sendable () -> Bool) -> JobResult
}

/// What one run of a job did, as the service needs it for metrics, alerts and parking.
public struct JobResult: Sendable {
    /// The command's exit status for this run.
    public var exitStatus: ExitStatus
    /// The error code when the run stopped as a whole (`job.busy`, `config.missing_file`).
    public var errorCode: String?
    /// A sentence for the log and the alert (never secrets or personal data).
    public var message: String
    public var partners: [PartnerJobResult]
    /// The run stopped at a file boundary because the service is shutting down.
    public var stoppedEarly = false

    public init(exitStatus: ExitStatus, errorCode: String? = nil, message: String, partners: [PartnerJobResult] = [], stoppedEarly: Bool = false) {
        self.exitStatus = exitStatus
        self.errorCode = errorCode
        self.message = message
        self.partners = partners
        self.stoppedEarly = stoppedEarly
    }

    /// `success`, `warning` (exit 65 or 75: a file quarantined or held, the lock taken) or `failure`.
    public var outcome: String {
        switch exitStatus {
        case .success: "success"
        case .dataError, .tempFailure: "warning"
        default: "failure"
        }
    }
}

/// One partner's part of a run.
public struct PartnerJobResult: Sendable {
    public var partner: String
    public var exitStatus: ExitStatus
    public var errorCode: String?
    public var message: String?
    public var filesProcessed: Int = 0
    public var filesDelivered: Int = 0
    /// Quarantined files: name and error code.
    public var quarantined: [(file: String, code: String)] = []
    public var held: [String] = []
    /// Events this run applied and rejected, by event type (`payment`, `promise`, `risk`...).
    public var events: [String: EventCounts] = [:]

    public init(partner: String, exitStatus: ExitStatus, errorCode: String? = nil, message: String? = nil) {
        self.partner = partner
        self.exitStatus = exitStatus
        self.errorCode = errorCode
        self.message = message
    }
}

/// Events of one type in one run: applied, and rejected (by reconciliation).
public struct EventCounts: Sendable, Equatable {
    public var applied: Int
    public var rejected: Int

    public init(applied: Int, rejected: Int) {
        self.applied = applied
        self.rejected = rejected
    }
}
