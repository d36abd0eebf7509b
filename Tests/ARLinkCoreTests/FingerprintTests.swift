import ARLinkCore
import Dispatch
import Testing

@Suite("Account fingerprints", .timeLimit(.minutes(10)))
struct FingerprintTests {
    /// Expected values from an independent implementation (Python, FNV-1a 64 over each invoice's
    /// number, due date, open minor units and currency, each followed by 0x1F, invoices in
    /// number order). Stored fingerprints decide `update` versus nothing on the next run, so they
    /// must never change between versions.
    @Test("a fingerprint is FNV-1a over the sorted invoices' fields, as stored by earlier versions")
    func stable() throws {
        let eur = try Currency("EUR"), jpy = try Currency("JPY")
        func item(_ number: String, _ due: String, _ minor: Int64, _ currency: Currency) throws -> OpenItem {
            let date = try #require(LocalDate(iso: due))
            return OpenItem(invoiceNumber: number, customerID: "C1", dueDate: date, amount: Money(minorUnits: minor, currency: currency),
                            openAmount: Money(minorUnits: minor, currency: currency))
        }
        let items = [try item("INV-2", "2026-01-31", -150, eur), try item("INV-10", "2025-12-01", 123_456, eur), try item("Ü-1", "2026-02-28", 0, jpy)]
        #expect(PlacementPlanner.fingerprint(of: items) == "5ef1fc0183f8e394")
        #expect(PlacementPlanner.fingerprint(of: items.reversed()) == "5ef1fc0183f8e394", "order of the extract does not matter")
        #expect(PlacementPlanner.fingerprint(of: []) == "cbf29ce484222325")
    }
}

@Suite("Planning on several threads", .timeLimit(.minutes(10)))
struct ParallelPlanTests {
    /// As the outbound job plans: the parts at once on the machine's cores.
    static let threaded: @Sendable (Int, @Sendable (Int) -> Void) -> Void = { count, body in
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }

    @Test("a plan made in two halves on two threads is the plan made in one go", arguments: [0, 1, 2])
    func sameResult(_ seed: Int) throws {
        var rng = seed &* 2_654_435_761 &+ 1
        func next(_ bound: Int) -> Int {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((UInt64(bitPattern: Int64(rng)) >> 33) % UInt64(bound))
        }
        var items: [OpenItem] = []
        var ids: [String] = []
        var blocked: Set<String> = []
        for c in 0..<6_000 {
            let id = "C\(c)"
            ids.append(id)
            if next(50) == 0 { blocked.insert(id) }
            for i in 0..<(1 + next(4)) {
                items.append(Fixture.item("I\(c)-\(i)", id, daysPastDue: next(400) - 30, open: Int64(next(20_000)) - 1_000,
                                          currency: next(10) == 0 ? Fixture.usd : Fixture.eur, disputed: next(30) == 0, settled: next(25) == 0))
            }
        }
        let customers = Fixture.customers(ids, blocked: blocked)
        var placed: [String: PlacedAccount] = [:]
        for c in stride(from: 0, to: 6_000, by: 7) { placed["C\(c)"] = PlacedAccount(accountRef: "C\(c)", fingerprint: "0000000000000000") }
        let policy = SelectionPolicy(minDaysPastDue: 60, minBalance: [Fixture.eur: Money(minorUnits: 5000, currency: Fixture.eur)],
                                     maxAccountsPerBatch: 1_500)
        var planner = PlacementPlanner(policy: policy, minimisation: DataMinimisation(allowed: [.name]), asOf: Fixture.asOf)
        let one = try planner.plan(items: items, customers: customers, placed: placed, placedElsewhere: ["C3", "C5"])
        planner.forkJoin = Self.threaded
        let two = try planner.plan(items: items, customers: customers, placed: placed, placedElsewhere: ["C3", "C5"])
        #expect(one.accounts.count > 1_000)
        #expect(one.accounts.map(\.accountRef) == two.accounts.map(\.accountRef))
        #expect(one.accounts.map(\.action) == two.accounts.map(\.action))
        #expect(one.accounts.map(\.fingerprint) == two.accounts.map(\.fingerprint))
        #expect(one.accounts.map(\.itemIndices) == two.accounts.map(\.itemIndices))
        #expect(one.accounts.map(\.recallReason) == two.accounts.map(\.recallReason))
        #expect(one.invoiceExclusions == two.invoiceExclusions)
        #expect(one.accountExclusions == two.accountExclusions)

        // And the halves add up to what planning each customer alone gives (no batch limit here).
        var unlimited = PlacementPlanner(policy: SelectionPolicy(minDaysPastDue: 60, minBalance: policy.minBalance), minimisation: planner.minimisation,
                                         asOf: Fixture.asOf)
        unlimited.forkJoin = Self.threaded
        let whole = try unlimited.plan(items: items, customers: customers, placed: placed, placedElsewhere: ["C3", "C5"])
        var alone: [String] = []
        let byCustomer = Dictionary(grouping: items, by: \.customerID)
        for id in ids {
            let plan = try unlimited.plan(items: byCustomer[id] ?? [], customers: [id: customers[id]!], placed: placed.filter { $0.key == id },
                                          placedElsewhere: ["C3", "C5"])
            alone += plan.accounts.map { "\($0.accountRef) \($0.action) \($0.fingerprint)" }
        }
        #expect(whole.accounts.map { "\($0.accountRef) \($0.action) \($0.fingerprint)" }.sorted() == alone.sorted())
    }
}
