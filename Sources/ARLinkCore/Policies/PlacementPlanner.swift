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
            lastPaymentDate: lastPayments[account.accountRef],
            itemization: customer?.itemization,
            flags: customer?.flags.map(minimisation.apply(to:))
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
    /// Runs `body(0)` ... `body(count - 1)` and returns when all are done, on several threads if
    /// it can; by default one after the other (this module has no threads of its own: the
    /// outbound job passes one that uses the machine's cores).
    public var forkJoin: @Sendable (_ count: Int, _ body: @Sendable (Int) -> Void) -> Void = { count, body in
        for index in 0..<count { body(index) }
    }

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
        var invoiceExclusions: [ExclusionReason: Int] = [:]
        var accountExclusions: [ExclusionReason: Int] = [:]
        var byCustomer: [String: [Int32]] = [:]
        byCustomer.reserveCapacity(customers.count)
        for (index, item) in items.enumerated() { byCustomer[item.customerID, default: []].append(Int32(index)) }

        // Customers are independent: two halves are planned on two threads, then merged (every
        // list is sorted below, so the result does not depend on which thread did what).
        let groups = Array(byCustomer)
        let parts = groups.count >= 4_096 ? 2 : 1
        let results = PartialPlans(count: parts)
        forkJoin(parts) { part in
            var partial = PartialPlan()
            do {
                for index in stride(from: part, to: groups.count, by: parts) {
                    try planCustomer(groups[index].key, groups[index].value, items: items, customers: customers, placed: placed,
                                     placedElsewhere: placedElsewhere, otherOpenItems: otherOpenItems, erased: erased, into: &partial)
                }
            } catch {
                partial.failure = error
            }
            results.set(part, partial)
        }
        var newCandidates: [PartialPlan.Candidate] = []
        var updates: [PlannedAccount] = []
        var stillPlaced: Set<String> = []
        var recallReasons: [String: RecallReason] = [:]
        for partial in results.all {
            if let failure = partial.failure { throw failure }
            invoiceExclusions.merge(partial.invoiceExclusions, uniquingKeysWith: +)
            accountExclusions.merge(partial.accountExclusions, uniquingKeysWith: +)
            newCandidates += partial.newCandidates
            updates += partial.updates
            stillPlaced.formUnion(partial.stillPlaced)
            recallReasons.merge(partial.recallReasons) { first, _ in first }
        }
        // Placed accounts that vanished from the extract: paid only with evidence, else closed in the ERP.
        for ref in placed.keys where byCustomer[ref] == nil {
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
        accounts += updates.sorted { $0.accountRef < $1.accountRef }
        for (ref, reason) in recallReasons.sorted(by: { $0.key < $1.key }) where !stillPlaced.contains(ref) {
            accounts.append(PlannedAccount(action: .recall, accountRef: ref, itemIndices: [], balances: [], fingerprintValue: 0,
                                           daysPastDue: 0, recallReason: reason))
        }
        return PlacementPlan(accounts: accounts, invoiceExclusions: invoiceExclusions, accountExclusions: accountExclusions,
                             accountsRead: byCustomer.count, items: items, customers: customers, lastPayments: lastPayments,
                             minimisation: minimisation, asOf: asOf, buckets: policy.agingBuckets)
    }

    /// Plans one customer's account into `partial` (the body of ``plan(items:customers:lastPayments:placed:placedElsewhere:otherOpenItems:)``).
    func planCustomer(_ customerID: String, _ indices: [Int32], items: [OpenItem], customers: [String: Customer],
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
            case .excluded(let reason): partial.invoiceExclusions[reason, default: 0] += 1
            }
        }
        let isPlaced = placed[customerID] != nil
        func noteRecall() {
            guard isPlaced else { return }
            // No open item left means every item of the customer here is settled or has no open
            // amount: the extract itself is the evidence of payment.
            partial.recallReasons[customerID] = !anyOpen ? .paidToCreditor : (anyDisputed && policy.excludeDisputed ? .disputed : .noLongerEligible)
        }
        guard !eligible.isEmpty else {
            noteRecall()
            return
        }
        let eligibleCurrencies = Set(eligible.map { items[Int($0)].openAmount.currency })
        let accountIndices = (eligible + credits.filter { eligibleCurrencies.contains(items[Int($0)].openAmount.currency) })
            .sorted { (items[Int($0)].dueDate, items[Int($0)].invoiceNumber) < (items[Int($1)].dueDate, items[Int($1)].invoiceNumber) }
        let account = Account(reference: customerID, customer: customer, invoices: accountIndices.map { items[Int($0)] })
        let balances = try account.balances()
        let decision = policy.evaluate(customer: customer, balances: balances, placedElsewhere: !isPlaced && placedElsewhere.contains(customerID))
        if case .excluded(let reason) = decision {
            if !isPlaced { partial.accountExclusions[reason, default: 0] += 1 }
            noteRecall()
            return
        }
        let sortedBalances = balances.values.sorted { $0.currency < $1.currency }
        let planned = PlannedAccount(
            action: isPlaced ? .update : .place, accountRef: customerID, itemIndices: accountIndices,
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

/// What one thread of ``PlacementPlanner`` gathered over its share of the customers.
struct PartialPlan: Sendable {
    struct Candidate: Sendable { var account: PlannedAccount; var total: Int64 }
    var invoiceExclusions: [ExclusionReason: Int] = [:]
    var accountExclusions: [ExclusionReason: Int] = [:]
    var newCandidates: [Candidate] = []
    var updates: [PlannedAccount] = []
    var stillPlaced: Set<String> = []
    var recallReasons: [String: RecallReason] = [:]
    var failure: (any Error)?
}

/// The partial plans of the planning threads: each thread writes its own slot once, and they
/// are read after ``PlacementPlanner/forkJoin`` returned.
final class PartialPlans: Sendable {
    private let slots: Mutex<[PartialPlan]>

    init(count: Int) {
        slots = Mutex(Array(repeating: PartialPlan(), count: count))
    }

    func set(_ index: Int, _ plan: PartialPlan) { slots.withLock { $0[index] = plan } }

    var all: [PartialPlan] { slots.withLock { $0 } }
}
