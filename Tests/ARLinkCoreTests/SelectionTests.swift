import ARLinkCore
import Testing

/// Builds small extracts for the selection tests.
struct Fixture {
    static let eur = try! Currency("EUR")
    static let usd = try! Currency("USD")
    static let asOf = LocalDate(iso: "2026-06-30")!

    static func item(_ number: String, _ customer: String, daysPastDue: Int, open: Int64, currency: Currency = eur,
                     disputed: Bool = false, blocked: Bool = false, promise: Int? = nil, settled: Bool = false) -> OpenItem {
        OpenItem(invoiceNumber: number, customerID: customer, dueDate: asOf.adding(days: -daysPastDue),
                 amount: Money(minorUnits: max(open, 0), currency: currency), openAmount: Money(minorUnits: open, currency: currency),
                 disputed: disputed, blocked: blocked, promiseDate: promise.map { asOf.adding(days: $0) }, settled: settled)
    }

    static func customers(_ ids: [String], blocked: Set<String> = [], groups: [String: String] = [:]) -> [String: Customer] {
        Dictionary(uniqueKeysWithValues: ids.map { ($0, Customer(id: $0, name: "Name \($0)", taxID: "TAX\($0)", group: groups[$0], blocked: blocked.contains($0))) })
    }
}

@Suite("Selection policy", .timeLimit(.minutes(10)))
struct SelectionTests {
    let policy = SelectionPolicy(minDaysPastDue: 60, minBalance: [Fixture.eur: Money(minorUnits: 5000, currency: Fixture.eur)],
                                 excludedGroups: ["intercompany"])

    @Test("invoice rules: every exclusion reason", arguments: [
        (Fixture.item("I", "C", daysPastDue: 90, open: 100, settled: true), ExclusionReason.settled),
        (Fixture.item("I", "C", daysPastDue: 90, open: 0), .noOpenBalance),
        (Fixture.item("I", "C", daysPastDue: 90, open: 100, disputed: true), .disputed),
        (Fixture.item("I", "C", daysPastDue: 90, open: 100, blocked: true), .invoiceBlocked),
        (Fixture.item("I", "C", daysPastDue: 90, open: 100, promise: 0), .openPromise),
        (Fixture.item("I", "C", daysPastDue: 59, open: 100), .notOverdueEnough),
    ])
    func invoiceExclusions(item: OpenItem, reason: ExclusionReason) {
        #expect(policy.evaluate(invoice: item, asOf: Fixture.asOf) == .excluded(reason))
    }

    @Test("days-past-due boundary: 60 is in, 59 is out; a promise that passed no longer protects")
    func daysBoundary() {
        #expect(policy.evaluate(invoice: Fixture.item("I", "C", daysPastDue: 60, open: 1), asOf: Fixture.asOf) == .included)
        #expect(policy.evaluate(invoice: Fixture.item("I", "C", daysPastDue: 59, open: 1), asOf: Fixture.asOf) == .excluded(.notOverdueEnough))
        #expect(policy.evaluate(invoice: Fixture.item("I", "C", daysPastDue: 90, open: 1, promise: -1), asOf: Fixture.asOf) == .included)
    }

    @Test("balance boundary: exactly the minimum is placed, one cent less is not")
    func balanceBoundary() {
        let c = Customer(id: "C", name: "n")
        #expect(policy.evaluate(customer: c, balances: [Fixture.eur: Money(minorUnits: 5000, currency: Fixture.eur)], placedElsewhere: false) == .included)
        #expect(policy.evaluate(customer: c, balances: [Fixture.eur: Money(minorUnits: 4999, currency: Fixture.eur)], placedElsewhere: false) == .excluded(.belowMinimumBalance))
        // A currency without a configured minimum needs a positive balance.
        #expect(policy.evaluate(customer: c, balances: [Fixture.usd: Money(minorUnits: 1, currency: Fixture.usd)], placedElsewhere: false) == .included)
    }

    @Test("account rules: blocked customer, excluded group, segment, placed elsewhere")
    func accountExclusions() {
        let balances = [Fixture.eur: Money(minorUnits: 10_000, currency: Fixture.eur)]
        #expect(policy.evaluate(customer: Customer(id: "C", name: "n", blocked: true), balances: balances, placedElsewhere: false) == .excluded(.customerBlocked))
        #expect(policy.evaluate(customer: Customer(id: "C", name: "n", group: "intercompany"), balances: balances, placedElsewhere: false) == .excluded(.excludedGroup))
        #expect(policy.evaluate(customer: Customer(id: "C", name: "n"), balances: balances, placedElsewhere: true) == .excluded(.placedWithOtherPartner))
        var segmented = policy
        segmented.includedGroups = ["retail"]
        #expect(segmented.evaluate(customer: Customer(id: "C", name: "n", group: "wholesale"), balances: balances, placedElsewhere: false) == .excluded(.outsideSegment))
        #expect(segmented.evaluate(customer: Customer(id: "C", name: "n", group: "retail"), balances: balances, placedElsewhere: false) == .included)
    }

    @Test("require_itemization: an account without an itemization is excluded as missing_itemization")
    func requireItemization() throws {
        let balances = [Fixture.eur: Money(minorUnits: 10_000, currency: Fixture.eur)]
        let money = Money(minorUnits: 10_000, currency: Fixture.eur)
        let item = Itemization(date: Fixture.asOf, type: .chargeOff, amount: money, interest: .zero(Fixture.eur), fees: .zero(Fixture.eur),
                               payments: .zero(Fixture.eur), credits: .zero(Fixture.eur), creditorName: "Old Bank", creditorAccount: "1")
        #expect(policy.evaluate(customer: Customer(id: "C", name: "n"), balances: balances, placedElsewhere: false) == .included)
        var strict = policy
        strict.requireItemization = true
        #expect(strict.evaluate(customer: Customer(id: "C", name: "n"), balances: balances, placedElsewhere: false) == .excluded(.missingItemization))
        #expect(strict.evaluate(customer: Customer(id: "C", name: "n", itemization: item), balances: balances, placedElsewhere: false) == .included)
        #expect(ExclusionReason.missingItemization.rawValue == "missing_itemization")
    }
}

@Suite("Placement planner", .timeLimit(.minutes(10)))
struct PlannerTests {
    let policy = SelectionPolicy(minDaysPastDue: 60, minBalance: [Fixture.eur: Money(minorUnits: 5000, currency: Fixture.eur)])
    var planner: PlacementPlanner {
        PlacementPlanner(policy: policy, minimisation: DataMinimisation(allowed: [.name]), asOf: Fixture.asOf)
    }

    /// Applies a plan's ledger changes the way the ledger does.
    func apply(_ plan: PlacementPlan, to ledger: inout [String: PlacedAccount]) {
        for change in plan.changes {
            if change.action == .recall { ledger[change.accountRef] = nil }
            else { ledger[change.accountRef] = PlacedAccount(accountRef: change.accountRef, fingerprint: change.fingerprint) }
        }
    }

    @Test("groups invoices per customer, nets credit notes, counts exclusions, minimises debtor data")
    func groups() throws {
        let items = [
            Fixture.item("A1", "A", daysPastDue: 100, open: 4000),
            Fixture.item("A2", "A", daysPastDue: 70, open: 3000),
            Fixture.item("A3", "A", daysPastDue: 10, open: 9999),          // not overdue enough
            Fixture.item("A4", "A", daysPastDue: 5, open: -500),           // credit note, netted
            Fixture.item("B1", "B", daysPastDue: 100, open: 4999),         // below minimum
            Fixture.item("C1", "C", daysPastDue: 200, open: 8000, disputed: true),
        ]
        let plan = try planner.plan(items: items, customers: Fixture.customers(["A", "B", "C"]), placed: [:], placedElsewhere: [])
        #expect(try plan.records.map(\.accountRef) == ["A"])
        let a = try #require(try plan.records.first)
        #expect(a.action == .place)
        #expect(a.invoices.map(\.number) == ["A1", "A2", "A4"])
        #expect(a.balances == [Money(minorUnits: 6500, currency: Fixture.eur)])
        #expect(a.daysPastDue == 100)
        #expect(a.debtor?.fields == [.name: "Name A"])
        #expect(a.aging.map(\.bucket) == ["61-90", "91-180", "1-30"] || Set(a.aging.map(\.bucket)) == ["61-90", "91-180", "1-30"])
        #expect(plan.invoiceExclusions == [.notOverdueEnough: 1, .disputed: 1])
        #expect(plan.accountExclusions[.belowMinimumBalance] == 1)
    }

    @Test("place, update and recall across three consecutive runs")
    func threeRuns() throws {
        var ledger: [String: PlacedAccount] = [:]
        let customers = Fixture.customers(["A", "B", "C", "D"])
        // Run 1: A, B, C placed.
        let run1 = [
            Fixture.item("A1", "A", daysPastDue: 90, open: 10_000), Fixture.item("B1", "B", daysPastDue: 90, open: 10_000),
            Fixture.item("C1", "C", daysPastDue: 90, open: 10_000), Fixture.item("D1", "D", daysPastDue: 30, open: 10_000),
        ]
        let plan1 = try planner.plan(items: run1, customers: customers, placed: ledger, placedElsewhere: [])
        #expect(try plan1.records.map { "\($0.action.rawValue):\($0.accountRef)" } == ["place:A", "place:B", "place:C"])
        apply(plan1, to: &ledger)
        // Same extract again: nothing to do.
        #expect(try planner.plan(items: run1, customers: customers, placed: ledger, placedElsewhere: []).isEmpty)
        // Run 2: A partly paid (update), B gone from the extract without evidence of payment
        // (recall closed_in_erp), C disputed (recall disputed), D now overdue (place).
        let run2 = [
            Fixture.item("A1", "A", daysPastDue: 120, open: 6_000), Fixture.item("C1", "C", daysPastDue: 120, open: 10_000, disputed: true),
            Fixture.item("D1", "D", daysPastDue: 60, open: 10_000),
        ]
        let plan2 = try planner.plan(items: run2, customers: customers, placed: ledger, placedElsewhere: [])
        #expect(try plan2.records.map { "\($0.action.rawValue):\($0.accountRef)" } == ["place:D", "update:A", "recall:B", "recall:C"])
        #expect(try plan2.records.first { $0.accountRef == "B" }?.recallReason == .closedInERP)
        #expect(try plan2.records.first { $0.accountRef == "C" }?.recallReason == .disputed)
        #expect(try plan2.records.first { $0.action == .recall }?.debtor == nil)
        apply(plan2, to: &ledger)
        // Run 3: A falls below the minimum (recall no_longer_eligible); D settled in the ERP (recall paid_to_creditor).
        let run3 = [Fixture.item("A1", "A", daysPastDue: 150, open: 1_000), Fixture.item("D1", "D", daysPastDue: 90, open: 10_000, settled: true)]
        let plan3 = try planner.plan(items: run3, customers: customers, placed: ledger, placedElsewhere: [])
        #expect(try plan3.records.map { "\($0.action.rawValue):\($0.accountRef):\($0.recallReason?.rawValue ?? "")" } ==
                ["recall:A:no_longer_eligible", "recall:D:paid_to_creditor"])
        apply(plan3, to: &ledger)
        #expect(ledger.isEmpty)
    }

    @Test("paid_to_creditor only with evidence; vanished invoices are closed_in_erp")
    func recallEvidence() throws {
        let customers = Fixture.customers(["A", "B", "C", "D"])
        let ledger = Dictionary(uniqueKeysWithValues: ["A", "B", "C", "D"].map { ($0, PlacedAccount(accountRef: $0, fingerprint: "x")) })
        // A: its invoice is present with nothing open; B: present and settled; C: gone, but the
        // caller has evidence (payments file); D: gone, nothing shows a payment.
        let items = [
            Fixture.item("A1", "A", daysPastDue: 90, open: 0), Fixture.item("B1", "B", daysPastDue: 90, open: 10_000, settled: true),
        ]
        let plan = try planner.plan(items: items, customers: customers, placed: ledger, placedElsewhere: [], paidEvidence: ["C"])
        #expect(try plan.records.map { "\($0.accountRef):\($0.recallReason?.rawValue ?? "")" } ==
                ["A:paid_to_creditor", "B:paid_to_creditor", "C:paid_to_creditor", "D:closed_in_erp"])
        // With an empty extract every placed account would be closed_in_erp, never paid.
        let empty = try planner.plan(items: [], customers: customers, placed: ledger, placedElsewhere: [])
        #expect(try empty.records.allSatisfy { $0.recallReason == .closedInERP })
    }

    @Test("groups and segments match case-insensitively after trimming; unmatched entries are listed")
    func groupMatching() throws {
        var segmented = SelectionPolicy(excludedGroups: [" InterCompany ", "public-sectr"], includedGroups: ["Retail"])
        let balances = [Fixture.eur: Money(minorUnits: 10_000, currency: Fixture.eur)]
        #expect(segmented.evaluate(customer: Customer(id: "C", name: "n", group: "Intercompany"), balances: balances, placedElsewhere: false) == .excluded(.excludedGroup))
        #expect(segmented.evaluate(customer: Customer(id: "C", name: "n", group: " retail"), balances: balances, placedElsewhere: false) == .included)
        #expect(segmented.evaluate(customer: Customer(id: "C", name: "n", group: "Wholesale"), balances: balances, placedElsewhere: false) == .excluded(.outsideSegment))
        let present = [Customer(id: "A", name: "n", group: "INTERCOMPANY"), Customer(id: "B", name: "n", group: "Retail")]
        #expect(segmented.unmatchedGroupRules(present).excluded == ["public-sectr"])
        #expect(segmented.unmatchedGroupRules(present).segments == [])
        // Set after creation (as the configuration loader does): normalised too.
        segmented.excludedGroups = ["  PUBLIC-SECTOR"]
        #expect(segmented.evaluate(customer: Customer(id: "C", name: "n", group: "public-sector"), balances: balances, placedElsewhere: false) == .excluded(.excludedGroup))
    }

    @Test("batch limit keeps the highest-priority new accounts and counts the rest")
    func batchLimit() throws {
        var limited = policy
        limited.maxAccountsPerBatch = 2
        let planner = PlacementPlanner(policy: limited, minimisation: DataMinimisation(allowed: []), asOf: Fixture.asOf)
        let items = [
            Fixture.item("A1", "A", daysPastDue: 90, open: 10_000), Fixture.item("B1", "B", daysPastDue: 300, open: 10_000),
            Fixture.item("C1", "C", daysPastDue: 200, open: 10_000),
        ]
        let plan = try planner.plan(items: items, customers: Fixture.customers(["A", "B", "C"]), placed: [:], placedElsewhere: [])
        #expect(try plan.records.map(\.accountRef) == ["B", "C"])
        #expect(plan.accountExclusions[.batchLimit] == 1)
    }

    @Test("an account active with another partner is not placed again")
    func placedElsewhere() throws {
        let items = [Fixture.item("A1", "A", daysPastDue: 90, open: 10_000)]
        let plan = try planner.plan(items: items, customers: Fixture.customers(["A"]), placed: [:], placedElsewhere: ["A"])
        #expect(plan.isEmpty)
        #expect(plan.accountExclusions[.placedWithOtherPartner] == 1)
    }
}
