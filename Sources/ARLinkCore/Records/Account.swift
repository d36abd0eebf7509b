/// A debtor account: one customer's open invoices grouped together, with totals per currency.
///
/// The account reference sent to the partner is derived from the ERP customer id, so the
/// same customer is the same account across runs.
public struct Account: Sendable, Hashable {
    public var reference: String
    public var customer: Customer
    public var invoices: [OpenItem]

    public init(reference: String, customer: Customer, invoices: [OpenItem]) {
        self.reference = reference
        self.customer = customer
        self.invoices = invoices
    }

    /// Open balance per currency (sum of open amounts, credit notes included).
    public func balances() throws -> [Currency: Money] {
        var totals: [Currency: Money] = [:]
        for item in invoices {
            totals[item.openAmount.currency] = try (totals[item.openAmount.currency] ?? .zero(item.openAmount.currency)).adding(item.openAmount)
        }
        return totals
    }

    /// The earliest due date among the account's invoices.
    public var oldestDueDate: LocalDate? { invoices.map(\.dueDate).min() }

    /// Days past due of the oldest invoice at `asOf`.
    public func maxDaysPastDue(asOf: LocalDate) -> Int { oldestDueDate.map { asOf.days(since: $0) } ?? 0 }

    /// Open amounts per aging bucket and currency; invoices not yet due are left out.
    public func aging(asOf: LocalDate, buckets: AgingBuckets) throws -> [AgingAmount] {
        var sums: [Int: [Currency: Money]] = [:]
        for item in invoices {
            guard let index = buckets.bucketIndex(daysPastDue: item.daysPastDue(asOf: asOf)) else { continue }
            let c = item.openAmount.currency
            sums[index, default: [:]][c] = try (sums[index]?[c] ?? .zero(c)).adding(item.openAmount)
        }
        let labels = buckets.labels
        return sums.keys.sorted().flatMap { index in
            sums[index, default: [:]].values.sorted { $0.currency < $1.currency }.map {
                AgingAmount(bucket: labels[index], amount: $0)
            }
        }
    }
}

/// The open amount of one aging bucket in one currency.
public struct AgingAmount: Sendable, Hashable {
    public var bucket: String
    public var amount: Money
    public init(bucket: String, amount: Money) {
        self.bucket = bucket
        self.amount = amount
    }
}
