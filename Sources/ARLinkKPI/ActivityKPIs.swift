/// What a partner's feedback did in a period, whatever the currency: disputes, closures and
/// the quality of the files. See `docs/kpi.md`.
public struct ActivityKPIs: Sendable, Hashable {
    public var disputes = 0
    public var disputesByReason: [String: Int] = [:]
    public var disputedAccounts = 0
    /// Accounts placed with the partner at some time in the period (the dispute rate's denominator).
    public var accountsUnderManagement = 0
    public var statusesByCode: [String: Int] = [:]
    public var filesReceived = 0
    public var filesApplied = 0
    public var filesQuarantined = 0
    public var filesDuplicate = 0
    public var filesHeld = 0
    public var eventsAccepted = 0
    public var eventsRejected = 0
    public var rejectedByReason: [String: Int] = [:]
    public var erpUpdatesExported = 0

    public init() {}

    /// The status codes that end the partner's work on an account.
    public static let closureCodes: Set<String> = ["closed", "returned", "uncollectible"]

    public var closuresByCode: [String: Int] { statusesByCode.filter { Self.closureCodes.contains($0.key) } }
    public var disputeRate: Double? { KPIValue.ratio(Int64(disputedAccounts), Int64(accountsUnderManagement)) }
    public var errorRate: Double? { KPIValue.ratio(Int64(eventsRejected), Int64(eventsAccepted + eventsRejected)) }

    public mutating func merge(_ other: ActivityKPIs) {
        disputes += other.disputes
        disputesByReason.merge(other.disputesByReason, uniquingKeysWith: +)
        disputedAccounts += other.disputedAccounts
        accountsUnderManagement += other.accountsUnderManagement
        statusesByCode.merge(other.statusesByCode, uniquingKeysWith: +)
        filesReceived += other.filesReceived
        filesApplied += other.filesApplied
        filesQuarantined += other.filesQuarantined
        filesDuplicate += other.filesDuplicate
        filesHeld += other.filesHeld
        eventsAccepted += other.eventsAccepted
        eventsRejected += other.eventsRejected
        rejectedByReason.merge(other.rejectedByReason, uniquingKeysWith: +)
        erpUpdatesExported += other.erpUpdatesExported
    }

    /// The figures every format shows, in order.
    public static let fields: [(name: String, value: @Sendable (ActivityKPIs) -> KPIValue)] = [
        ("disputes", { .count($0.disputes) }),
        ("disputes_by_reason", { .counts($0.disputesByReason) }),
        ("disputed_accounts", { .count($0.disputedAccounts) }),
        ("accounts_under_management", { .count($0.accountsUnderManagement) }),
        ("dispute_rate", { .rate($0.disputeRate) }),
        ("closures_by_code", { .counts($0.closuresByCode) }),
        ("statuses_by_code", { .counts($0.statusesByCode) }),
        ("files_received", { .count($0.filesReceived) }),
        ("files_applied", { .count($0.filesApplied) }),
        ("files_quarantined", { .count($0.filesQuarantined) }),
        ("files_duplicate", { .count($0.filesDuplicate) }),
        ("files_held", { .count($0.filesHeld) }),
        ("events_accepted", { .count($0.eventsAccepted) }),
        ("events_rejected", { .count($0.eventsRejected) }),
        ("rejected_by_reason", { .counts($0.rejectedByReason) }),
        ("error_rate", { .rate($0.errorRate) }),
        ("erp_updates_exported", { .count($0.erpUpdatesExported) }),
    ]
}
