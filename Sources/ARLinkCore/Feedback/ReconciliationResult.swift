/// The reconciliation of one event: the outcome, the ledger changes, and the ERP status
/// updates to emit (without ids: the store numbers them when it records them).
public struct ReconciliationResult: Sendable, Hashable {
    public var outcome: ReconciliationOutcome
    /// Payment allocations (positive) or reversals (negative) per invoice.
    public var allocations: [Allocation]
    public var updates: [UpdateDraft]

    public init(outcome: ReconciliationOutcome, allocations: [Allocation] = [], updates: [UpdateDraft] = []) {
        self.outcome = outcome
        self.allocations = allocations
        self.updates = updates
    }

    /// A rejection with no effects.
    public static func rejected(_ reason: RejectionReason) -> ReconciliationResult {
        ReconciliationResult(outcome: .rejected(reason))
    }
}

/// An ERP update before it has an id.
public struct UpdateDraft: Sendable, Hashable {
    public var invoiceNumber: String?
    public var status: CollectionStatus
    public var amount: Money?
    public var openAmount: Money?
    public var date: LocalDate?

    public init(invoiceNumber: String?, status: CollectionStatus, amount: Money? = nil, openAmount: Money? = nil, date: LocalDate? = nil) {
        self.invoiceNumber = invoiceNumber
        self.status = status
        self.amount = amount
        self.openAmount = openAmount
        self.date = date
    }
}
