public import ARLinkCore

/// What one inbound run did, per partner: for the terminal, `--log-format json` and tests.
public struct InboundReport: Sendable {
    public var partners: [PartnerInboundReport] = []
    /// ERP update files written by this run (paths).
    public var exportFiles: [String] = []
    /// ERP updates exported by this run.
    public var updatesExported = 0

    public init() {}

    /// The worst status of any partner (see ``PartnerInboundReport/exitStatus``), 0 when all went well.
    public var exitStatus: ExitStatus {
        partners.map(\.exitStatus).max { Self.rank($0) < Self.rank($1) } ?? .success
    }

    /// How much a status asks of an operator, for choosing the worst: a bug, then trust, then
    /// configuration, then bad data, then what a later run may clear by itself.
    static func rank(_ status: ExitStatus) -> Int {
        switch status {
        case .success: 0
        case .tempFailure: 1
        case .unavailable: 2
        case .noInput: 3
        case .dataError: 4
        case .usage: 5
        case .config: 6
        case .noPermission: 7
        case .software: 8
        }
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
    /// Outbox entries not fetched (hostile names, symbolic links, FIFOs, growing files, other names).
    public var skipped: [FileProblem] = []
    /// Files that changed while they were fetched, or after, and stay in the outbox for the
    /// next run (exit 75).
    public var retry: [FileProblem] = []
    /// What stopped this partner's part of the run, if anything (the other partners went on).
    public var failure: PartnerFailure?
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

    /// The failure's status when the partner's part stopped; else 65 when a file was
    /// quarantined, 75 when one is held for a sequence gap or changed while fetched, else 0.
    public var exitStatus: ExitStatus {
        let own: ExitStatus = !quarantined.isEmpty ? .dataError : (!held.isEmpty || !retry.isEmpty) ? .tempFailure : .success
        guard let failure else { return own }
        return InboundReport.rank(failure.exitStatus) >= InboundReport.rank(own) ? failure.exitStatus : own
    }
}

/// The error that stopped one partner's part of an inbound run.
public struct PartnerFailure: Sendable, Hashable {
    /// The error's code, such as `transport.conflict`.
    public var code: String
    /// The error's message (names the file or folder and the fix).
    public var message: String
    /// The status the error deserves.
    public var exitStatus: ExitStatus

    public init(code: String, message: String, exitStatus: ExitStatus) {
        self.code = code
        self.message = message
        self.exitStatus = exitStatus
    }
}
