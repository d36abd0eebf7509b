/// A partner's selection policy: which overdue invoices and accounts it receives.
///
/// Rules apply in two steps. Invoice rules decide which open invoices of a customer are
/// eligible (overdue enough, not disputed, not blocked, no open promise, positive balance);
/// open credit notes of the same currency are netted in. Account rules then decide whether the
/// customer's account is placed (customer not blocked, group allowed, not placed elsewhere,
/// balance reaching the minimum). Every decision is a ``SelectionDecision`` value with a reason.
public struct SelectionPolicy: Sendable, Hashable {
    /// Minimum days past due of an invoice for it to be placed.
    public var minDaysPastDue: Int
    /// Minimum account balance per currency; currencies not listed need a positive balance.
    public var minBalance: [Currency: Money]
    public var excludeDisputed: Bool
    public var excludeBlocked: Bool
    public var excludeOpenPromise: Bool
    public var excludePlacedElsewhere: Bool
    /// Customer groups never placed (for example `intercompany`). Held as ``groupKey(_:)``
    /// (trimmed, lower case): groups match case-insensitively after trimming.
    public var excludedGroups: Set<String> { didSet { excludedGroups = Self.groupKeys(excludedGroups) } }
    /// When not empty, only customers of these groups (segments) are placed; matched like
    /// ``excludedGroups``.
    public var includedGroups: Set<String> { didSet { includedGroups = Self.groupKeys(includedGroups) } }
    /// Maximum number of new accounts placed per batch; nil for no limit.
    public var maxAccountsPerBatch: Int?
    /// Order in which new accounts are taken when the batch limit applies.
    public var priority: [PriorityKey]
    public var agingBuckets: AgingBuckets
    /// Only customers whose extract row carries the transfer-consent flag are placed (set for
    /// a partner whose `transfer_basis` is `consent`).
    public var requireTransferConsent = false
    /// Only customers with an itemization (``Itemization``) are placed (the partner's
    /// `require_itemization`).
    public var requireItemization = false

    public init(
        minDaysPastDue: Int = 60, minBalance: [Currency: Money] = [:], excludeDisputed: Bool = true,
        excludeBlocked: Bool = true, excludeOpenPromise: Bool = true, excludePlacedElsewhere: Bool = true,
        excludedGroups: Set<String> = [], includedGroups: Set<String> = [], maxAccountsPerBatch: Int? = nil,
        priority: [PriorityKey] = [.daysPastDueDescending, .balanceDescending], agingBuckets: AgingBuckets = .standard
    ) {
        self.minDaysPastDue = minDaysPastDue; self.minBalance = minBalance; self.excludeDisputed = excludeDisputed
        self.excludeBlocked = excludeBlocked; self.excludeOpenPromise = excludeOpenPromise
        self.excludePlacedElsewhere = excludePlacedElsewhere; self.excludedGroups = Self.groupKeys(excludedGroups)
        self.includedGroups = Self.groupKeys(includedGroups); self.maxAccountsPerBatch = maxAccountsPerBatch
        self.priority = priority; self.agingBuckets = agingBuckets
    }

    /// A customer group as compared: spaces trimmed, lower case (`" Intercompany"` and
    /// `intercompany` are the same group).
    public static func groupKey(_ group: String) -> String {
        var text = Substring(group)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text.lowercased()
    }

    static func groupKeys(_ groups: Set<String>) -> Set<String> {
        Set(groups.map(groupKey))
    }

    /// The `exclude_groups` and `segments` entries that match no customer group in `customers`
    /// (probably misspelt: the run report warns about each).
    public func unmatchedGroupRules(_ customers: some Collection<Customer>) -> (excluded: [String], segments: [String]) {
        guard !excludedGroups.isEmpty || !includedGroups.isEmpty else { return ([], []) }
        var present: Set<String> = []
        for customer in customers { if let g = customer.group { present.insert(Self.groupKey(g)) } }
        return (excludedGroups.subtracting(present).sorted(), includedGroups.subtracting(present).sorted())
    }

    /// Orderings for the batch limit.
    public enum PriorityKey: String, Sendable, Hashable, CaseIterable, Codable {
        case daysPastDueDescending = "days_past_due_desc"
        case balanceDescending = "balance_desc"
        case customerID = "customer_id"
    }

    /// Decides whether one invoice is eligible at `asOf`.
    public func evaluate(invoice: OpenItem, asOf: LocalDate) -> SelectionDecision {
        if invoice.settled { return .excluded(.settled) }
        if invoice.openAmount.minorUnits <= 0 { return .excluded(.noOpenBalance) }
        if excludeDisputed && invoice.disputed { return .excluded(.disputed) }
        if excludeBlocked && invoice.blocked { return .excluded(.invoiceBlocked) }
        if excludeOpenPromise, let promise = invoice.promiseDate, promise >= asOf { return .excluded(.openPromise) }
        if invoice.daysPastDue(asOf: asOf) < minDaysPastDue { return .excluded(.notOverdueEnough) }
        return .included
    }

    /// Decides whether an account (already reduced to its eligible invoices and netted
    /// credit notes) is placed.
    /// - Parameters:
    ///   - balances: the account's net balance per currency.
    ///   - placedElsewhere: the account is active with another partner.
    public func evaluate(customer: Customer, balances: [Currency: Money], placedElsewhere: Bool) -> SelectionDecision {
        if excludeBlocked && customer.blocked { return .excluded(.customerBlocked) }
        if requireTransferConsent && !customer.transferConsent { return .excluded(.noTransferConsent) }
        if requireItemization && customer.itemization == nil { return .excluded(.missingItemization) }
        if !excludedGroups.isEmpty || !includedGroups.isEmpty {
            let group = customer.group.map(Self.groupKey)
            if let group, excludedGroups.contains(group) { return .excluded(.excludedGroup) }
            if !includedGroups.isEmpty && !(group.map(includedGroups.contains) ?? false) {
                return .excluded(.outsideSegment)
            }
        }
        if excludePlacedElsewhere && placedElsewhere { return .excluded(.placedWithOtherPartner) }
        let reaches = balances.values.contains { balance in
            let minimum = minBalance[balance.currency]?.minorUnits ?? 1
            return balance.minorUnits >= max(minimum, 1)
        }
        return reaches ? .included : .excluded(.belowMinimumBalance)
    }
}

/// The outcome of a selection rule: a value, not an error.
public enum SelectionDecision: Sendable, Hashable {
    case included
    case excluded(ExclusionReason)

    public var isIncluded: Bool { if case .included = self { true } else { false } }
}

/// Why an invoice or account was not placed; the run report counts them.
public enum ExclusionReason: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    // Invoice level
    case settled
    case noOpenBalance = "no_open_balance"
    case disputed
    case invoiceBlocked = "invoice_blocked"
    case openPromise = "open_promise"
    case notOverdueEnough = "not_overdue_enough"
    // Account level
    case customerBlocked = "customer_blocked"
    case excludedGroup = "excluded_group"
    case outsideSegment = "outside_segment"
    case placedWithOtherPartner = "placed_with_other_partner"
    case belowMinimumBalance = "below_minimum_balance"
    case batchLimit = "batch_limit"
    /// The partner receives data on the debtor's consent and the extract shows none.
    case noTransferConsent = "no_transfer_consent"
    /// The debtor asked for erasure (`arlink privacy subject --erase`).
    case erasureRequested = "erasure_requested"
    /// The partner requires an itemization (`require_itemization`) and the extract has none.
    case missingItemization = "missing_itemization"

    public static func < (lhs: ExclusionReason, rhs: ExclusionReason) -> Bool { lhs.rawValue < rhs.rawValue }
}
