/// The reconciliation of one event: the outcome, the ledger changes, and the ERP status
/// updates to emit (without ids: the store numbers them when it records them).
public struct ReconciliationResult: Sendable, Hashable {
    public var outcome: ReconciliationOutcome
    /// Payment allocations (positive) or reversals (negative) per invoice.
    public var allocations: [Allocation]
    /// The first update, kept out of an array: most events make exactly one, and a million
    /// events would otherwise allocate a million one-element arrays.
    public private(set) var firstUpdate: UpdateDraft?
    private var laterUpdates: [UpdateDraft]

    /// Every update, in order.
    public var updates: [UpdateDraft] {
        get { firstUpdate.map { [$0] + laterUpdates } ?? [] }
        set {
            firstUpdate = newValue.first
            laterUpdates = Array(newValue.dropFirst())
        }
    }

    public init(outcome: ReconciliationOutcome, allocations: [Allocation] = [], updates: [UpdateDraft] = []) {
        self.outcome = outcome
        self.allocations = allocations
        firstUpdate = updates.first
        laterUpdates = Array(updates.dropFirst())
    }

    /// A result with exactly one update.
    public init(outcome: ReconciliationOutcome, allocations: [Allocation] = [], update: UpdateDraft) {
        self.outcome = outcome
        self.allocations = allocations
        firstUpdate = update
        laterUpdates = []
    }

    /// Adds an update after the others.
    public mutating func append(_ update: UpdateDraft) {
        if firstUpdate == nil { firstUpdate = update } else { laterUpdates.append(update) }
    }

    /// Calls `body` with each update and its position (0-based), without building an array.
    public func forEachUpdate(_ body: (Int, UpdateDraft) throws -> Void) rethrows {
        guard let firstUpdate else { return }
        try body(0, firstUpdate)
        for (index, update) in laterUpdates.enumerated() { try body(index + 1, update) }
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
