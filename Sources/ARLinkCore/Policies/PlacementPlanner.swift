import Synchronization
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

/// One account in a plan: what to do with it and a summary of its invoices. Small: the
/// portfolio record (with debtor data, invoices and aging) is built only when it is written,
/// from the customer's items read again (``PlacementPlan/record(for:items:)``), so a
/// million-item run never holds every item or record at once.
public struct PlannedAccount: Sendable, Hashable {
    public var action: PlacementAction
    public var accountRef: String
    /// The eligible invoices and netted credit notes (0 for recalls).
    public var invoiceCount: Int
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
    /// What records are built from (shared, not copied).
    let customers: CustomerDirectory
    let lastPayments: [String: LocalDate]
    let minimisation: DataMinimisation
    let asOf: LocalDate
    let policy: SelectionPolicy
    /// The items by customer when the plan was made from an array
    /// (``PlacementPlanner/plan(items:customers:lastPayments:placed:placedElsewhere:otherOpenItems:paidEvidence:erased:)``),
    /// for ``records``; empty when it was made from a stream of customers.
    let itemsInMemory: [String: [OpenItem]]

    /// The ledger change of every account, in file order.
    public var changes: [LedgerChange] {
        accounts.map {
            LedgerChange(accountRef: $0.accountRef, action: $0.action, fingerprint: $0.fingerprint, balances: $0.balances,
                         recallReason: $0.recallReason)
        }
    }

    /// Every portfolio record, in file order, for a plan made from an array of items
    /// (convenient for small plans and tests; the job builds them one at a time with
    /// ``record(for:items:)``).
    public var records: [PortfolioRecord] {
        get throws { try accounts.map { try record(for: $0, items: itemsInMemory[$0.accountRef] ?? []) } }
    }

    /// The account's invoices and netted credit notes among `items` (the customer's open
    /// items, as the plan was made from), by due date and invoice number.
    public func accountItems(for account: PlannedAccount, items: [OpenItem]) -> [OpenItem] {
        guard account.action != .recall else { return [] }
        return CustomerSelection(items, policy: policy, asOf: asOf).accountItems
    }

    /// The portfolio invoices of one account, from the customer's open items.
    public func invoices(for account: PlannedAccount, items: [OpenItem]) -> [PortfolioInvoice] {
        accountItems(for: account, items: items).map { item in
            PortfolioInvoice(number: item.invoiceNumber, invoiceDate: item.invoiceDate, dueDate: item.dueDate,
                             amount: item.amount, openAmount: item.openAmount, daysPastDue: item.daysPastDue(asOf: asOf))
        }
    }

    /// Builds the portfolio record of one account from the customer's open items: minimised
    /// debtor data, invoices, aging.
    public func record(for account: PlannedAccount, items: [OpenItem]) throws -> PortfolioRecord {
        guard account.action != .recall else {
            return PortfolioRecord(action: .recall, accountRef: account.accountRef, debtor: nil, invoices: [], balances: [], aging: [],
                                   oldestDueDate: nil, daysPastDue: 0, recallReason: account.recallReason)
        }
        let invoiceItems = accountItems(for: account, items: items)
        let customer = customers[account.accountRef]
        let grouped = Account(reference: account.accountRef, customer: customer ?? Customer(id: account.accountRef, name: ""),
                              invoices: invoiceItems)
        return PortfolioRecord(
            action: account.action,
            accountRef: account.accountRef,
            debtor: customer.map(minimisation.apply(to:)),
            invoices: invoiceItems.map { item in
                PortfolioInvoice(number: item.invoiceNumber, invoiceDate: item.invoiceDate, dueDate: item.dueDate,
                                 amount: item.amount, openAmount: item.openAmount, daysPastDue: item.daysPastDue(asOf: asOf))
            },
            balances: account.balances,
            aging: try grouped.aging(asOf: asOf, buckets: policy.agingBuckets),
            oldestDueDate: grouped.oldestDueDate,
            daysPastDue: account.daysPastDue,
            lastPaymentDate: lastPayments[account.accountRef],
            itemization: customer?.itemization,
            flags: customer?.flags.map(minimisation.apply(to:))
        )
    }

    public func count(_ action: PlacementAction) -> Int { accounts.lazy.filter { $0.action == action }.count }
    public var invoicesPlaced: Int { accounts.reduce(0) { $0 + $1.invoiceCount } }
    public var isEmpty: Bool { accounts.isEmpty }
}

extension OpenItem {
    /// The order in which a customer's items are planned and written: customer id, due date,
    /// invoice number, source line.
    public static func groupOrder(_ a: OpenItem, _ b: OpenItem) -> Bool {
        if a.customerID != b.customerID { return a.customerID < b.customerID }
        if a.dueDate != b.dueDate { return a.dueDate < b.dueDate }
        if a.invoiceNumber != b.invoiceNumber { return a.invoiceNumber < b.invoiceNumber }
        return a.sourceLine < b.sourceLine
    }
}

/// The invoice rules applied to one customer's open items.
struct CustomerSelection {
    /// The eligible invoices and the open credit notes in their currencies, in the order of the items.
    var accountItems: [OpenItem] = []
    var invoiceExclusions: [ExclusionReason: Int] = [:]
    /// An item not settled with an open amount.
    var anyOpen = false
    /// An item disputed and not settled.
    var anyDisputed = false

    /// - Parameter items: one customer's open items, by due date and invoice number.
    init(_ items: [OpenItem], policy: SelectionPolicy, asOf: LocalDate) {
        var eligibleCurrencies: Set<Currency> = []
        var hasCredits = false
        var eligible: [Bool] = []
        eligible.reserveCapacity(items.count)
        for item in items {
            if !item.settled && item.openAmount.minorUnits != 0 { anyOpen = true }
            if item.disputed && !item.settled { anyDisputed = true }
            if !item.settled && item.openAmount.minorUnits < 0 {
                hasCredits = true
                eligible.append(false)
                continue
            }
            switch policy.evaluate(invoice: item, asOf: asOf) {
            case .included:
                eligible.append(true)
                eligibleCurrencies.insert(item.openAmount.currency)
            case .excluded(let reason):
                eligible.append(false)
                invoiceExclusions[reason, default: 0] += 1
            }
        }
        guard !eligibleCurrencies.isEmpty else { return }
        for (index, item) in items.enumerated() {
            if eligible[index] {
                accountItems.append(item)
            } else if hasCredits && !item.settled && item.openAmount.minorUnits < 0 && eligibleCurrencies.contains(item.openAmount.currency) {
                accountItems.append(item)
            }
        }
    }
}

/// Turns an ERP extract, a partner's policy and the ledger into a placement plan.
///
/// Pure: no I/O, deterministic for the same inputs (accounts sorted by action, then account).
/// Customers are planned one at a time, as a stream: the open items of one customer are all
/// the planner holds.
public struct PlacementPlanner: Sendable {
    public var policy: SelectionPolicy
    public var minimisation: DataMinimisation
    public var asOf: LocalDate

    public init(policy: SelectionPolicy, minimisation: DataMinimisation, asOf: LocalDate) {
        self.policy = policy
        self.minimisation = minimisation
        self.asOf = asOf
    }

    /// Plans a batch from an array of open items (grouped here, in memory).
    /// - Parameters:
    ///   - items: every open item of the extract.
    ///   - customers: the customer master by id (every item's customer is present).
    ///   - lastPayments: last payment date per customer id.
    ///   - placed: accounts active with this partner, by account reference.
    ///   - placedElsewhere: account references active with other partners.
    ///   - otherOpenItems: customers that still have open items which were not passed in
    ///     (filtered out early to save memory, e.g. not yet due); their placed accounts are
    ///     recalled as no longer eligible rather than paid.
    ///   - paidEvidence: placed accounts the extract shows as paid although their items were
    ///     not passed in (the invoices placed present with no open amount or settled, or
    ///     payments covering the balance last placed). A placed account with no open items left is
    ///     recalled as `paid_to_creditor` only with such evidence (or a settled item among
    ///     `items`); otherwise as `closed_in_erp`.
    ///   - erased: accounts whose debtors asked for erasure: recalled (`erasure_request`) when
    ///     placed, never placed.
    public func plan(
        items: [OpenItem], customers: [String: Customer], lastPayments: [String: LocalDate] = [:],
        placed: [String: PlacedAccount], placedElsewhere: Set<String>, otherOpenItems: Set<String> = [],
        paidEvidence: Set<String> = [], erased: Set<String> = []
    ) throws -> PlacementPlan {
        let byCustomer = Dictionary(grouping: items, by: \.customerID).mapValues { $0.sorted(by: OpenItem.groupOrder) }
        var groups = byCustomer.sorted { $0.key < $1.key }.makeIterator()
        let directory = CustomerDirectory(customers)
        let plan = try self.plan(next: { groups.next().map { ($0.key, $0.value) } }, customers: directory, lastPayments: lastPayments,
                                 placed: placed, placedElsewhere: placedElsewhere, otherOpenItems: otherOpenItems,
                                 paidEvidence: paidEvidence, erased: erased)
        return PlacementPlan(accounts: plan.accounts, invoiceExclusions: plan.invoiceExclusions, accountExclusions: plan.accountExclusions,
                             accountsRead: plan.accountsRead, customers: directory, lastPayments: lastPayments, minimisation: minimisation,
                             asOf: asOf, policy: policy, itemsInMemory: byCustomer)
    }

    /// Plans a batch from the extract's open items, one customer at a time.
    /// - Parameters:
    ///   - next: the next customer's open items (by due date, invoice number and line), nil
    ///     at the end; each customer once, in any order.
    ///   - The others: as for ``plan(items:customers:lastPayments:placed:placedElsewhere:otherOpenItems:paidEvidence:erased:)``.
    public func plan(
        next: () throws -> (customerID: String, items: [OpenItem])?, customers: CustomerDirectory, lastPayments: [String: LocalDate] = [:],
        placed: [String: PlacedAccount], placedElsewhere: Set<String>, otherOpenItems: Set<String> = [],
        paidEvidence: Set<String> = [], erased: Set<String> = []
    ) throws -> PlacementPlan {
        var partial = PartialPlan()
        var read: Set<String> = []
        while let (customerID, items) = try next() {
            read.insert(customerID)
            try planCustomer(customerID, items, customers: customers, placed: placed, placedElsewhere: placedElsewhere,
                             otherOpenItems: otherOpenItems, erased: erased, into: &partial)
        }
        var accountExclusions = partial.accountExclusions
        var newCandidates = partial.newCandidates
        var recallReasons = partial.recallReasons
        // Placed accounts that vanished from the extract: paid only with evidence, else closed in the ERP.
        for ref in placed.keys where !read.contains(ref) {
            recallReasons[ref] = erased.contains(ref) ? .erasureRequest : otherOpenItems.contains(ref) ? .noLongerEligible
                : paidEvidence.contains(ref) ? .paidToCreditor : .closedInERP
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
        accounts += partial.updates.sorted { $0.accountRef < $1.accountRef }
        for (ref, reason) in recallReasons.sorted(by: { $0.key < $1.key }) where !partial.stillPlaced.contains(ref) {
            accounts.append(PlannedAccount(action: .recall, accountRef: ref, invoiceCount: 0, balances: [], fingerprintValue: 0,
                                           daysPastDue: 0, recallReason: reason))
        }
        return PlacementPlan(accounts: accounts, invoiceExclusions: partial.invoiceExclusions, accountExclusions: accountExclusions,
                             accountsRead: read.count, customers: customers, lastPayments: lastPayments,
                             minimisation: minimisation, asOf: asOf, policy: policy, itemsInMemory: [:])
    }

    /// Plans one customer's account into `partial`.
    func planCustomer(_ customerID: String, _ items: [OpenItem], customers: CustomerDirectory,
                      placed: [String: PlacedAccount], placedElsewhere: Set<String>, otherOpenItems: Set<String>,
                      erased: Set<String> = [], into partial: inout PartialPlan) throws {
        guard let customer = customers[customerID] else { return }
        if erased.contains(customerID) {
            if placed[customerID] != nil {
                partial.recallReasons[customerID] = .erasureRequest
            } else {
                partial.accountExclusions[.erasureRequested, default: 0] += 1
            }
            return
        }
        let selection = CustomerSelection(items, policy: policy, asOf: asOf)
        partial.invoiceExclusions.merge(selection.invoiceExclusions, uniquingKeysWith: +)
        let anyOpen = selection.anyOpen || otherOpenItems.contains(customerID)
        let isPlaced = placed[customerID] != nil
        func noteRecall() {
            guard isPlaced else { return }
            // No open item left means every item of the customer here is settled or has no open
            // amount: the extract itself is the evidence of payment.
            partial.recallReasons[customerID] = !anyOpen ? .paidToCreditor
                : (selection.anyDisputed && policy.excludeDisputed ? .disputed : .noLongerEligible)
        }
        guard !selection.accountItems.isEmpty else {
            noteRecall()
            return
        }
        let account = Account(reference: customerID, customer: customer, invoices: selection.accountItems)
        let balances = try account.balances()
        let decision = policy.evaluate(customer: customer, balances: balances, placedElsewhere: !isPlaced && placedElsewhere.contains(customerID))
        if case .excluded(let reason) = decision {
            if !isPlaced { partial.accountExclusions[reason, default: 0] += 1 }
            noteRecall()
            return
        }
        let sortedBalances = balances.values.sorted { $0.currency < $1.currency }
        let planned = PlannedAccount(
            action: isPlaced ? .update : .place, accountRef: customerID, invoiceCount: selection.accountItems.count,
            balances: sortedBalances, fingerprintValue: PlacementPlanner.fingerprintValue(of: account.invoices),
            daysPastDue: account.maxDaysPastDue(asOf: asOf), recallReason: nil
        )
        if let previous = placed[customerID] {
            partial.stillPlaced.insert(customerID)
            if previous.fingerprint != planned.fingerprint { partial.updates.append(planned) }
        } else {
            partial.newCandidates.append(PartialPlan.Candidate(account: planned, total: sortedBalances.reduce(Int64(0)) { $0 &+ $1.minorUnits }))
        }
    }

    /// A change-detection fingerprint of an account's invoices (numbers, due dates, open
    /// amounts): 64-bit FNV-1a as hex. Not a security digest; it only tells "changed".
    public static func fingerprint(of invoices: [OpenItem]) -> String {
        hex(fingerprintValue(of: invoices))
    }

    /// The fingerprint's 64-bit value (no String built per field: every account is fingerprinted on every run).
    static func fingerprintValue(of invoices: [OpenItem]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func byte(_ b: UInt8) { hash ^= UInt64(b); hash = hash &* 0x0000_0100_0000_01b3 }
        func mix(_ s: String) {
            for b in s.utf8 { byte(b) }
            byte(0x1f)
        }
        func mixDecimal(_ value: Int64) {
            var digits = InlineArray<20, UInt8>(repeating: 0)
            var count = 0
            var rest = value.magnitude
            repeat {
                digits[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            if value < 0 { byte(UInt8(ascii: "-")) }
            for i in (20 - count)..<20 { byte(digits[i]) }
            byte(0x1f)
        }
        func mixDate(_ date: LocalDate) {
            let (y, m, d) = date.components
            guard (0...9999).contains(y) else { return mix(date.iso) }
            byte(UInt8(ascii: "0") + UInt8(y / 1000)); byte(UInt8(ascii: "0") + UInt8(y / 100 % 10))
            byte(UInt8(ascii: "0") + UInt8(y / 10 % 10)); byte(UInt8(ascii: "0") + UInt8(y % 10))
            byte(UInt8(ascii: "-"))
            byte(UInt8(ascii: "0") + UInt8(m / 10)); byte(UInt8(ascii: "0") + UInt8(m % 10))
            byte(UInt8(ascii: "-"))
            byte(UInt8(ascii: "0") + UInt8(d / 10)); byte(UInt8(ascii: "0") + UInt8(d % 10))
            byte(0x1f)
        }
        let ordered = invoices.count < 2 || zip(invoices, invoices.dropFirst()).allSatisfy({ $0.invoiceNumber < $1.invoiceNumber })
            ? invoices : invoices.sorted(by: { $0.invoiceNumber < $1.invoiceNumber })
        for item in ordered {
            mix(item.invoiceNumber)
            mixDate(item.dueDate)
            mixDecimal(item.openAmount.minorUnits)
            let letters = item.openAmount.currency.letters
            byte(letters.0); byte(letters.1); byte(letters.2)
            byte(0x1f)
        }
        return hash
    }

    /// 16 lowercase hex digits.
    static func hex(_ value: UInt64) -> String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// What ``PlacementPlanner`` gathers while it goes through the customers.
struct PartialPlan: Sendable {
    struct Candidate: Sendable { var account: PlannedAccount; var total: Int64 }
    var invoiceExclusions: [ExclusionReason: Int] = [:]
    var accountExclusions: [ExclusionReason: Int] = [:]
    var newCandidates: [Candidate] = []
    var updates: [PlannedAccount] = []
    var stillPlaced: Set<String> = []
    var recallReasons: [String: RecallReason] = [:]
}
