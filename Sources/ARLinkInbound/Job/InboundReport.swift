public import ARLinkCore

/// What one inbound run did, per partner: for the terminal, `--log-format json` and tests.
public struct InboundReport: Sendable {
    public var partners: [PartnerInboundReport] = []
    /// ERP update files written by this run (paths).
    public var exportFiles: [String] = []
    /// ERP updates exported by this run.
    public var updatesExported = 0

    public init() {}

    /// 65 when a file was quarantined, 75 when one is held for a sequence gap, else 0.
    public var exitStatus: ExitStatus {
        if partners.contains(where: { !$0.quarantined.isEmpty }) { return .dataError }
        if partners.contains(where: { !$0.held.isEmpty }) { return .tempFailure }
        return .success
    }
}

/// One partner's part of an inbound run.
public struct PartnerInboundReport: Sendable {
    public struct FileProblem: Sendable, Hashable {
        public var fileName: String
        public var code: String
        public var message: String
    }

    public var partner: String
    /// Files applied by this run (names).
    public var processed: [String] = []
    public var quarantined: [FileProblem] = []
    /// Files left in the outbox because an earlier sequence number is missing.
    public var held: [FileProblem] = []
    /// Replays: files (or file ids) already applied.
    public var duplicates: [String] = []
    /// Outbox entries not fetched (hostile names, symbolic links, growing files, other names).
    public var skipped: [FileProblem] = []
    public var eventsAccepted = 0
    public var eventsRejected: [RejectionReason: Int] = [:]
    /// Accepted events with something to look at (overpayments, acknowledgement mismatches).
    public var exceptions: [String] = []
    public var promisesBroken = 0
    public var receiptsDelivered = 0
    /// Files whose receipt, archiving or remote move an earlier run left undone and this run finished.
    public var resumed = 0

    public init(partner: String) { self.partner = partner }

    public var eventsRejectedTotal: Int { eventsRejected.values.reduce(0, +) }
}
