public import ARLinkCore

/// The collection KPIs of one partner (or all) in one currency, for one period.
/// Amounts are minor units of ``currency``; see `docs/kpi.md` for each formula.
public struct CurrencyKPIs: Sendable, Hashable {
    public var currency: Currency
    public var placedAccounts = 0
    public var placedInvoices = 0
    public var placedMinor: Int64 = 0
    public var recalledAccounts = 0
    public var recalledByReason: [String: Int] = [:]
    public var activeAccounts = 0
    public var activeMinor: Int64 = 0
    public var paymentsMinor: Int64 = 0
    public var reversalsMinor: Int64 = 0
    public var cohortRecoveredMinor: Int64 = 0
    /// Days from placement to first payment of each account placed in the period that paid by its end.
    public var firstPaymentDays: [Int] = []
    public var promisesMade = 0
    public var promisedMinor: Int64 = 0
    public var promisesKept = 0
    public var promisesBroken = 0
    public var promisedDueMinor: Int64 = 0
    public var keptMinor: Int64 = 0

    public init(currency: Currency) {
        self.currency = currency
    }

    public var recoveredMinor: Int64 { paymentsMinor - reversalsMinor }
    public var recoveryRate: Double? { KPIValue.ratio(cohortRecoveredMinor, placedMinor) }
    public var promiseKeptRate: Double? { KPIValue.ratio(Int64(promisesKept), Int64(promisesKept + promisesBroken)) }

    public var averageDaysToFirstPayment: Double? {
        firstPaymentDays.isEmpty ? nil : Double(firstPaymentDays.reduce(0, +)) / Double(firstPaymentDays.count)
    }

    public var medianDaysToFirstPayment: Double? {
        guard !firstPaymentDays.isEmpty else { return nil }
        let sorted = firstPaymentDays.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[middle]) : Double(sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Whether nothing at all happened in this currency.
    public var isEmpty: Bool { self == CurrencyKPIs(currency: currency) }

    /// Adds another partner's figures in the same currency (rates and medians follow from the sums).
    public mutating func merge(_ other: CurrencyKPIs) {
        placedAccounts += other.placedAccounts
        placedInvoices += other.placedInvoices
        placedMinor += other.placedMinor
        recalledAccounts += other.recalledAccounts
        recalledByReason.merge(other.recalledByReason, uniquingKeysWith: +)
        activeAccounts += other.activeAccounts
        activeMinor += other.activeMinor
        paymentsMinor += other.paymentsMinor
        reversalsMinor += other.reversalsMinor
        cohortRecoveredMinor += other.cohortRecoveredMinor
        firstPaymentDays += other.firstPaymentDays
        promisesMade += other.promisesMade
        promisedMinor += other.promisedMinor
        promisesKept += other.promisesKept
        promisesBroken += other.promisesBroken
        promisedDueMinor += other.promisedDueMinor
        keptMinor += other.keptMinor
    }

    /// The figures every format shows, in order: the one list behind the JSON keys, the CSV
    /// columns and the HTML tables.
    public static let fields: [(name: String, value: @Sendable (CurrencyKPIs) -> KPIValue)] = [
        ("placed_accounts", { .count($0.placedAccounts) }),
        ("placed_invoices", { .count($0.placedInvoices) }),
        ("placed_amount", { .money($0.placedMinor, $0.currency) }),
        ("recalled_accounts", { .count($0.recalledAccounts) }),
        ("recalled_by_reason", { .counts($0.recalledByReason) }),
        ("active_accounts", { .count($0.activeAccounts) }),
        ("active_amount", { .money($0.activeMinor, $0.currency) }),
        ("payments_amount", { .money($0.paymentsMinor, $0.currency) }),
        ("reversals_amount", { .money($0.reversalsMinor, $0.currency) }),
        ("recovered_amount", { .money($0.recoveredMinor, $0.currency) }),
        ("cohort_recovered_amount", { .money($0.cohortRecoveredMinor, $0.currency) }),
        ("recovery_rate", { .rate($0.recoveryRate) }),
        ("days_to_first_payment_avg", { .days($0.averageDaysToFirstPayment) }),
        ("days_to_first_payment_median", { .days($0.medianDaysToFirstPayment) }),
        ("promises_made", { .count($0.promisesMade) }),
        ("promised_amount", { .money($0.promisedMinor, $0.currency) }),
        ("promises_kept", { .count($0.promisesKept) }),
        ("promises_broken", { .count($0.promisesBroken) }),
        ("promise_kept_rate", { .rate($0.promiseKeptRate) }),
        ("promised_due_amount", { .money($0.promisedDueMinor, $0.currency) }),
        ("kept_amount", { .money($0.keptMinor, $0.currency) }),
    ]
}
