/// What the ledger knows about one account already placed with the partner.
public struct PlacedAccount: Sendable, Hashable {
    public var accountRef: String
    /// ``PlacementPlanner/fingerprint(of:)`` of the invoices last sent.
    public var fingerprint: String
    public init(accountRef: String, fingerprint: String) {
        self.accountRef = accountRef
        self.fingerprint = fingerprint
    }
}

/// One change the ledger records when the batch is built.
public struct LedgerChange: Sendable, Hashable {
    public var accountRef: String
    public var action: PlacementAction
    public var fingerprint: String
    public var balances: [Money]
    public var recallReason: RecallReason?

    public init(accountRef: String, action: PlacementAction, fingerprint: String, balances: [Money], recallReason: RecallReason? = nil) {
        self.accountRef = accountRef
        self.action = action
        self.fingerprint = fingerprint
        self.balances = balances
        self.recallReason = recallReason
    }
}

/// One account in a plan: what to do with it and which extract items make it up. Small: the
/// portfolio record (with debtor data, invoices and aging) is built only when it is written
/// (``PlacementPlan/record(for:)``), so a million-item run never holds every record at once.
public struct PlannedAccount: Sendable, Hashable {
    public var action: PlacementAction
    public var accountRef: String
    /// Indices into the plan's items: the eligible invoices and netted credit notes, by due date.
    public var itemIndices: [Int32]
    /// Net balance per currency, sorted by currency code (empty for recalls).
    public var balances: [Money]
    /// ``PlacementPlanner/fingerprint(of:)`` kept as its 64-bit value (a 16-character string
    /// would need a heap allocation per account).
    var fingerprintValue: UInt64
    public var daysPastDue: Int
    public var recallReason: RecallReason?

    /// The change-detection fingerprint as the ledger stores it (16 hex digits; empty for recalls).
    public var fingerprint: String { action == .recall ? "" : PlacementPlanner.hex(fingerprintValue) }
}

/// The outcome of planning one batch: accounts to send, ledger changes, and counted decisions.
public struct PlacementPlan: Sendable {
    /// Accounts in file order: places, then updates, then recalls, each by account reference.
    public var accounts: [PlannedAccount]
    /// Invoices not placed, by reason.
    public var invoiceExclusions: [ExclusionReason: Int]
    /// Accounts not placed, by reason.
    public var accountExclusions: [ExclusionReason: Int]
    public var accountsRead: Int
    /// What records are built from (arrays and dictionaries shared, not copied).
    let items: [OpenItem]
    let customers: [String: Customer]
    let lastPayments: [String: LocalDate]
    let minimisation: DataMinimisation
    let asOf: LocalDate
    let buckets: AgingBuckets

    /// The ledger change of every account, in file order.
    public var changes: [LedgerChange] {
        accounts.map {
            LedgerChange(accountRef: $0.accountRef, action: $0.action, fingerprint: $0.fingerprint, balances: $0.balances,
                         recallReason: $0.recallReason)
        }
    }

    /// Every portfolio record, in file order (convenient for small plans and tests; the job
    /// builds them one at a time with ``record(for:)``).
    public var records: [PortfolioRecord] {
        get throws { try accounts.map(record(for:)) }
    }

    /// The portfolio invoices of one account.
    public func invoices(for account: PlannedAccount) -> [PortfolioInvoice] {
        account.itemIndices.map { index in
            let item = items[Int(index)]
            return PortfolioInvoice(number: item.invoiceNumber, invoiceDate: item.invoiceDate, dueDate: item.dueDate,
                                    amount: item.amount, openAmount: item.openAmount, daysPastDue: item.daysPastDue(asOf: asOf))
        }
    }

    /// Builds the portfolio record of one account: minimised debtor data, invoices, aging.
    public func record(for account: PlannedAccount) throws -> PortfolioRecord {
        guard account.action != .recall else {
            return PortfolioRecord(action: .recall, accountRef: account.accountRef, debtor: nil, invoices: [], balances: [], aging: [],
                                   oldestDueDate: nil, daysPastDue: 0, recallReason: account.recallReason)
        }
        let invoiceItems = account.itemIndices.map { items[Int($0)] }
        let customer = customers[account.accountRef]
        let grouped = Account(reference: account.accountRef, customer: customer ?? Customer(id: account.accountRef, name: ""),
                              invoices: invoiceItems)
        return PortfolioRecord(
            action: account.action,
            accountRef: account.accountRef,
            debtor: customer.map(minimisation.apply(to:)),
            invoices: invoices(for: account),
            balances: account.balances,
            aging: try grouped.aging(asOf: asOf, buckets: buckets),
            oldestDueDate: grouped.oldestDueDate,
            daysPastDue: account.daysPastDue,
            lastPaymentDate: lastPayments[account.accountRef]
        )
    }

    public func count(_ action: PlacementAction) -> Int { accounts.lazy.filter { $0.action == action }.count }
    public var invoicesPlaced: Int { accounts.reduce(0) { $0 + ($1.action == .recall ? 0 : $1.itemIndices.count) } }
    public var isEmpty: Bool { accounts.isEmpty }
}

/// Turns an ERP extract, a partner's policy and the ledger into a placement plan.
///
/// Pure: no I/O, deterministic for the same inputs (accounts sorted by action, then account).
public struct PlacementPlanner: Sendable {
    public var policy: SelectionPolicy
    public var minimisation: DataMinimisation
    public var asOf: LocalDate

    public init(policy: SelectionPolicy, minimisation: DataMinimisation, asOf: LocalDate) {
        self.policy = policy
        self.minimisation = minimisation
        self.asOf = asOf
    }

    /// Plans a batch.
    /// - Parameters:
    ///   - items: every open item of the extract.
    ///   - customers: the customer master by id (every item's customer is present).
    ///   - lastPayments: last payment date per customer id.
    ///   - placed: accounts active with this partner, by account reference.
    ///   - placedElsewhere: account references active with other partners.
    ///   - otherOpenItems: customers that still have open items which were not passed in
    ///     (filtered out early to save memory, e.g. not yet due); their placed accounts are
    ///     recalled as no longer eligible rather than paid.
    public func plan(
        items: [OpenItem], customers: [String: Customer], lastPayments: [String: LocalDate] = [:],
        placed: [String: PlacedAccount], placedElsewhere: Set<String>, otherOpenItems: Set<String> = []
    ) throws -> PlacementPlan {
        var invoiceExclusions: [ExclusionReason: Int] = [:]
        var accountExclusions: [ExclusionReason: Int] = [:]
        var byCustomer: [String: [Int32]] = [:]
        byCustomer.reserveCapacity(customers.count)
        for (index, item) in items.enumerated() { byCustomer[item.customerID, default: []].append(Int32(index)) }

        struct Candidate { var account: PlannedAccount; var total: Int64 }
        var newCandidates: [Candidate] = []
        var updates: [PlannedAccount] = []
        var stillPlaced: Set<String> = []
        var recallReasons: [String: RecallReason] = [:]

        for (customerID, indices) in byCustomer {
            guard let customer = customers[customerID] else { continue }
            var eligible: [Int32] = []
            var credits: [Int32] = []
            var anyDisputed = false
            var anyOpen = otherOpenItems.contains(customerID)
            for i in indices {
                let item = items[Int(i)]
                if !item.settled && item.openAmount.minorUnits != 0 { anyOpen = true }
                if item.disputed && !item.settled { anyDisputed = true }
                if !item.settled && item.openAmount.minorUnits < 0 { credits.append(i); continue }
                switch policy.evaluate(invoice: item, asOf: asOf) {
                case .included: eligible.append(i)
                case .excluded(let reason): invoiceExclusions[reason, default: 0] += 1
                }
            }
            let isPlaced = placed[customerID] != nil
            func noteRecall() {
                guard isPlaced else { return }
                recallReasons[customerID] = !anyOpen ? .paidToCreditor : (anyDisputed && policy.excludeDisputed ? .disputed : .noLongerEligible)
            }
            guard !eligible.isEmpty else {
                noteRecall()
                continue
            }
            let eligibleCurrencies = Set(eligible.map { items[Int($0)].openAmount.currency })
            let accountIndices = (eligible + credits.filter { eligibleCurrencies.contains(items[Int($0)].openAmount.currency) })
                .sorted { (items[Int($0)].dueDate, items[Int($0)].invoiceNumber) < (items[Int($1)].dueDate, items[Int($1)].invoiceNumber) }
            let account = Account(reference: customerID, customer: customer, invoices: accountIndices.map { items[Int($0)] })
            let balances = try account.balances()
            let decision = policy.evaluate(customer: customer, balances: balances, placedElsewhere: !isPlaced && placedElsewhere.contains(customerID))
            if case .excluded(let reason) = decision {
                if !isPlaced { accountExclusions[reason, default: 0] += 1 }
                noteRecall()
                continue
            }
            let sortedBalances = balances.values.sorted { $0.currency < $1.currency }
            let planned = PlannedAccount(
                action: isPlaced ? .update : .place, accountRef: customerID, itemIndices: accountIndices,
                balances: sortedBalances, fingerprintValue: PlacementPlanner.fingerprintValue(of: account.invoices),
                daysPastDue: account.maxDaysPastDue(asOf: asOf), recallReason: nil
            )
            if let previous = placed[customerID] {
                stillPlaced.insert(customerID)
                if previous.fingerprint != planned.fingerprint { updates.append(planned) }
            } else {
                newCandidates.append(Candidate(account: planned, total: sortedBalances.reduce(Int64(0)) { $0 &+ $1.minorUnits }))
            }
        }
        // Placed accounts that vanished from the extract entirely were settled.
        for ref in placed.keys where byCustomer[ref] == nil {
            recallReasons[ref] = otherOpenItems.contains(ref) ? .noLongerEligible : .paidToCreditor
        }

        newCandidates.sort { a, b in
            for key in policy.priority {
                switch key {
                case .daysPastDueDescending where a.account.daysPastDue != b.account.daysPastDue:
                    return a.account.daysPastDue > b.account.daysPastDue
                case .balanceDescending where a.total != b.total: return a.total > b.total
                case .customerID where a.account.accountRef != b.account.accountRef: return a.account.accountRef < b.account.accountRef
                default: continue
                }
            }
            return a.account.accountRef < b.account.accountRef
        }
        if let limit = policy.maxAccountsPerBatch, newCandidates.count > limit {
            accountExclusions[.batchLimit, default: 0] += newCandidates.count - limit
            newCandidates.removeLast(newCandidates.count - limit)
        }

        var accounts = newCandidates.map(\.account).sorted { $0.accountRef < $1.accountRef }
        accounts += updates.sorted { $0.accountRef < $1.accountRef }
        for (ref, reason) in recallReasons.sorted(by: { $0.key < $1.key }) where !stillPlaced.contains(ref) {
            accounts.append(PlannedAccount(action: .recall, accountRef: ref, itemIndices: [], balances: [], fingerprintValue: 0,
                                           daysPastDue: 0, recallReason: reason))
        }
        return PlacementPlan(accounts: accounts, invoiceExclusions: invoiceExclusions, accountExclusions: accountExclusions,
                             accountsRead: byCustomer.count, items: items, customers: customers, lastPayments: lastPayments,
                             minimisation: minimisation, asOf: asOf, buckets: policy.agingBuckets)
    }

    /// A change-detection fingerprint of an account's invoices (numbers, due dates, open
    /// amounts): 64-bit FNV-1a as hex. Not a security digest; it only tells "changed".
    public static func fingerprint(of invoices: [OpenItem]) -> String {
        hex(fingerprintValue(of: invoices))
    }

    /// The fingerprint's 64-bit value.
    static func fingerprintValue(of invoices: [OpenItem]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ s: String) {
            for b in s.utf8 { hash ^= UInt64(b); hash = hash &* 0x0000_0100_0000_01b3 }
            hash ^= 0x1f; hash = hash &* 0x0000_0100_0000_01b3
        }
        for item in invoices.sorted(by: { $0.invoiceNumber < $1.invoiceNumber }) {
            mix(item.invoiceNumber); mix(item.dueDate.iso); mix(String(item.openAmount.minorUnits)); mix(item.openAmount.currency.code)
        }
        return hash
    }

    /// 16 lowercase hex digits.
    static func hex(_ value: UInt64) -> String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
