import ARLinkCore
@testable import ARLinkLayouts
import Foundation
import Testing

/// Property: arlink's portfolio records rendered through a layout and parsed back are the
/// same records, as far as the layout carries them (random portfolios, fixed seeds).
@Suite("portfolio → layout → parse", .timeLimit(.minutes(10)))
struct RoundTripPropertyTests {
    /// A small deterministic generator (SplitMix64), so a failure names its seed.
    struct Rng: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func portfolio(seed: UInt64, currency: Currency) -> (records: [PortfolioRecord], previous: [String: Money]) {
        var rng = Rng(state: seed)
        var records: [PortfolioRecord] = []
        var previous: [String: Money] = [:]
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜßéabcdefghijklmnopqrstuvwxyz -.'&")
        func text(_ n: Int) -> String {
            var s = String((0..<Int.random(in: 1...n, using: &rng)).map { _ in letters.randomElement(using: &rng)! })
            while s.first == " " { s.removeFirst() }
            while s.last == " " { s.removeLast() }
            return s.isEmpty ? "X" : s
        }
        func date() -> LocalDate { LocalDate(daysSinceEpoch: Int32.random(in: 18000...21000, using: &rng)) }
        for i in 0..<Int.random(in: 1...40, using: &rng) {
            let account = "ACC-\(i)-\(Int.random(in: 0...99999, using: &rng))"
            let balance = Money(minorUnits: Int64.random(in: 1...99_999_999, using: &rng), currency: currency)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:
                var fields: [DebtorField: String] = [:]
                for f in DebtorField.allCases where Bool.random(using: &rng) { fields[f] = text(40) }
                records.append(PortfolioRecord(
                    action: .place, accountRef: account, debtor: fields.isEmpty ? nil : DebtorData(fields: fields), invoices: [],
                    balances: [balance], aging: [], oldestDueDate: Bool.random(using: &rng) ? date() : nil, daysPastDue: 0,
                    lastPaymentDate: Bool.random(using: &rng) ? date() : nil))
            case 1:
                previous[account] = Money(minorUnits: Int64.random(in: 1...99_999_999, using: &rng), currency: currency)
                records.append(PortfolioRecord(action: .update, accountRef: account, debtor: nil, invoices: [], balances: [balance], aging: [], oldestDueDate: nil, daysPastDue: 0))
            default:
                records.append(PortfolioRecord(
                    action: .recall, accountRef: account, debtor: nil, invoices: [], balances: [], aging: [], oldestDueDate: nil, daysPastDue: 0,
                    recallReason: RecallReason.allCases.randomElement(using: &rng)!))
            }
        }
        return (records, previous)
    }

    @Test("through Latitude AIM, both variants", arguments: Array(UInt64(1)...UInt64(40)))
    func aim(seed: UInt64) throws {
        for pipe in [false, true] {
            let layout = try LayoutFixtures.aim(.portfolio, pipe: pipe)
            let (records, previous) = Self.portfolio(seed: seed, currency: try Currency("USD"))
            var numbers = FileNumberTable()
            for r in records { _ = numbers.assign(r.accountRef) }
            let bytes = try PortfolioLayout(layout: layout).render(records, fileNumbers: numbers, previousBalances: previous, context: LayoutFixtures.context)
            let file = try LayoutReader(layout: layout).read(bytes, name: "seed-\(seed)")
            let back = try PortfolioLayout(layout: layout).read(file, previousBalances: previous)
            #expect(back == records.map { $0.projected() }, "seed \(seed), pipe \(pipe)")
        }
    }

    @Test("through the custom layout", arguments: Array(UInt64(100)...UInt64(120)))
    func custom(seed: UInt64) throws {
        let layout = try CustomLayoutTests.layout(.portfolio)
        var (records, _) = Self.portfolio(seed: seed, currency: try Currency("EUR"))
        records.removeAll { $0.action == .update }  // the custom layout has no update record: updates go out as placements
        var numbers = FileNumberTable()
        for r in records { _ = numbers.assign(r.accountRef) }
        let bytes = try PortfolioLayout(layout: layout).render(records, fileNumbers: numbers, context: LayoutFixtures.context)
        let back = try PortfolioLayout(layout: layout).read(try LayoutReader(layout: layout).read(bytes, name: "seed-\(seed)"))
        #expect(back == records.map { $0.projected() }, "seed \(seed)")
    }
}
