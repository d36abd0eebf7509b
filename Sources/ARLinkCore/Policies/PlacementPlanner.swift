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

/// The outcome of planning one batch: records to send, ledger changes, and counted decisions.
public struct PlacementPlan: Sendable {
    public var records: [PortfolioRecord]
    public var changes: [LedgerChange]
    /// Invoices not placed, by reason.
    public var invoiceExclusions: [ExclusionReason: Int]
    /// Accounts not placed, by reason.
    public var accountExclusions: [ExclusionReason: Int]
    public var accountsRead: Int

    public func count(_ action: PlacementAction) -> Int { records.lazy.filter { $0.action == action }.count }
    public var invoicesPlaced: Int { records.reduce(0) { $0 + ($1.action == .recall ? 0 : $1.invoices.count) } }
    public var isEmpty: Bool { records.isEmpty }
}

/// Turns an ERP extract, a partner's policy and the ledger into a placement plan.
///
/// Pure: no I/O, deterministic for the same inputs (records sorted by action, then account).
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
        var byCustomer: [String: [Int]] = [:]
        byCustomer.reserveCapacity(customers.count)
        for (index, item) in items.enumerated() { byCustomer[item.customerID, default: []].append(index) }

        struct Candidate { var record: PortfolioRecord; var fingerprint: String; var maxDays: Int; var total: Int64 }
        var newCandidates: [Candidate] = []
        var updates: [Candidate] = []
        var stillPlaced: Set<String> = []
        var recallReasons: [String: RecallReason] = [:]

        for (customerID, indices) in byCustomer {
            guard let customer = customers[customerID] else { continue }
            var eligible: [OpenItem] = []
            var credits: [OpenItem] = []
            var anyDisputed = false
            var anyOpen = otherOpenItems.contains(customerID)
            for i in indices {
                let item = items[i]
                if !item.settled && item.openAmount.minorUnits != 0 { anyOpen = true }
                if item.disputed && !item.settled { anyDisputed = true }
                if !item.settled && item.openAmount.minorUnits < 0 { credits.append(item); continue }
                switch policy.evaluate(invoice: item, asOf: asOf) {
                case .included: eligible.append(item)
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
            let eligibleCurrencies = Set(eligible.map(\.openAmount.currency))
            let account = Account(
                reference: customerID, customer: customer,
                invoices: (eligible + credits.filter { eligibleCurrencies.contains($0.openAmount.currency) })
                    .sorted { ($0.dueDate, $0.invoiceNumber) < ($1.dueDate, $1.invoiceNumber) }
            )
            let balances = try account.balances()
            let decision = policy.evaluate(customer: customer, balances: balances, placedElsewhere: !isPlaced && placedElsewhere.contains(customerID))
            if case .excluded(let reason) = decision {
                if !isPlaced { accountExclusions[reason, default: 0] += 1 }
                noteRecall()
                continue
            }
            let fingerprint = PlacementPlanner.fingerprint(of: account.invoices)
            let sortedBalances = balances.values.sorted { $0.currency < $1.currency }
            let maxDays = account.maxDaysPastDue(asOf: asOf)
            let record = PortfolioRecord(
                action: isPlaced ? .update : .place,
                accountRef: customerID,
                debtor: minimisation.apply(to: customer),
                invoices: account.invoices.map {
                    PortfolioInvoice(number: $0.invoiceNumber, invoiceDate: $0.invoiceDate, dueDate: $0.dueDate,
                                     amount: $0.amount, openAmount: $0.openAmount, daysPastDue: $0.daysPastDue(asOf: asOf))
                },
                balances: sortedBalances,
                aging: try account.aging(asOf: asOf, buckets: policy.agingBuckets),
                oldestDueDate: account.oldestDueDate,
                daysPastDue: maxDays,
                lastPaymentDate: lastPayments[customerID]
            )
            let total = sortedBalances.reduce(Int64(0)) { $0 &+ $1.minorUnits }
            let candidate = Candidate(record: record, fingerprint: fingerprint, maxDays: maxDays, total: total)
            if let previous = placed[customerID] {
                stillPlaced.insert(customerID)
                if previous.fingerprint != fingerprint { updates.append(candidate) }
            } else {
                newCandidates.append(candidate)
            }
        }
        // Placed accounts that vanished from the extract entirely were settled.
        for ref in placed.keys where byCustomer[ref] == nil {
            recallReasons[ref] = otherOpenItems.contains(ref) ? .noLongerEligible : .paidToCreditor
        }

        newCandidates.sort { a, b in
            for key in policy.priority {
                switch key {
                case .daysPastDueDescending where a.maxDays != b.maxDays: return a.maxDays > b.maxDays
                case .balanceDescending where a.total != b.total: return a.total > b.total
                case .customerID where a.record.accountRef != b.record.accountRef: return a.record.accountRef < b.record.accountRef
                default: continue
                }
            }
            return a.record.accountRef < b.record.accountRef
        }
        if let limit = policy.maxAccountsPerBatch, newCandidates.count > limit {
            accountExclusions[.batchLimit, default: 0] += newCandidates.count - limit
            newCandidates.removeLast(newCandidates.count - limit)
        }

        var records: [PortfolioRecord] = []
        var changes: [LedgerChange] = []
        for c in newCandidates.sorted(by: { $0.record.accountRef < $1.record.accountRef }) {
            records.append(c.record)
            changes.append(LedgerChange(accountRef: c.record.accountRef, action: .place, fingerprint: c.fingerprint, balances: c.record.balances))
        }
        for c in updates.sorted(by: { $0.record.accountRef < $1.record.accountRef }) {
            records.append(c.record)
            changes.append(LedgerChange(accountRef: c.record.accountRef, action: .update, fingerprint: c.fingerprint, balances: c.record.balances))
        }
        for (ref, reason) in recallReasons.sorted(by: { $0.key < $1.key }) where !stillPlaced.contains(ref) {
            records.append(PortfolioRecord(action: .recall, accountRef: ref, debtor: nil, invoices: [], balances: [], aging: [],
                                           oldestDueDate: nil, daysPastDue: 0, recallReason: reason))
            changes.append(LedgerChange(accountRef: ref, action: .recall, fingerprint: "", balances: [], recallReason: reason))
        }
        return PlacementPlan(records: records, changes: changes, invoiceExclusions: invoiceExclusions,
                             accountExclusions: accountExclusions, accountsRead: byCustomer.count)
    }

    /// A change-detection fingerprint of an account's invoices (numbers, due dates, open
    /// amounts): 64-bit FNV-1a as hex. Not a security digest; it only tells "changed".
    public static func fingerprint(of invoices: [OpenItem]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ s: String) {
            for b in s.utf8 { hash ^= UInt64(b); hash = hash &* 0x0000_0100_0000_01b3 }
            hash ^= 0x1f; hash = hash &* 0x0000_0100_0000_01b3
        }
        for item in invoices.sorted(by: { $0.invoiceNumber < $1.invoiceNumber }) {
            mix(item.invoiceNumber); mix(item.dueDate.iso); mix(String(item.openAmount.minorUnits)); mix(item.openAmount.currency.code)
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
