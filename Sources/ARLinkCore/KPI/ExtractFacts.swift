/// The small aggregate facts of one ERP extract that the KPI report needs: receivables,
/// overdue amounts and aging per currency, and credit sales by invoice date. No customer,
/// invoice or personal data: only sums and counts.
///
/// Fed every good open-items row of an outbound run's extract (``add(_:)``), recorded with
/// the run's as-of date.
public struct ExtractFacts: Sendable {
    /// What a figure measures.
    public enum Measure: String, Sendable, CaseIterable {
        /// Everything open and not settled (credit notes negative): the receivables.
        case receivables
        /// The open amount of invoices at least one day past due.
        case overdue
        /// The open amount of invoices by aging bucket (`current` when not yet due).
        case aging
        /// The original amount of invoices by invoice date (`YYYY-MM-DD`), settled ones included.
        case creditSales = "credit_sales"
        /// The original amount of invoices without an invoice date (not in `credit_sales`).
        case undatedSales = "undated_sales"
    }

    /// One figure's place: currency, measure and key (bucket label, invoice date, or empty).
    public struct Key: Hashable, Sendable {
        public var currency: String
        public var measure: Measure
        public var key: String

        public init(currency: String, measure: Measure, key: String = "") {
            self.currency = currency
            self.measure = measure
            self.key = key
        }
    }

    public let asOf: LocalDate
    public let buckets: AgingBuckets
    private let labels: [String]
    /// One accumulator per currency, in the order met; `index` finds them by code.
    private var totals: [CurrencyTotals] = []
    private var index: [String: Int] = [:]
    /// The last currency's place in `totals`: an extract's rows are mostly in one currency, so
    /// most rows find theirs without hashing.
    private var last = -1

    /// The figures of one currency while rows are added (no hashing per row but the invoice date's).
    struct CurrencyTotals {
        let code: String
        var receivables = FactFigure()
        var overdue = FactFigure()
        /// Index 0 is `current`, then the buckets in order.
        var aging: [FactFigure]
        var sales: [LocalDate: FactFigure] = [:]
        var undated = FactFigure()
    }

    public init(asOf: LocalDate, buckets: AgingBuckets = .standard) {
        self.asOf = asOf
        self.buckets = buckets
        labels = buckets.labels
    }

    /// Every non-empty figure, by currency, measure and key.
    public var figures: [Key: FactFigure] {
        var out: [Key: FactFigure] = [:]
        for t in totals {
            if t.receivables.count > 0 { out[Key(currency: t.code, measure: .receivables)] = t.receivables }
            if t.overdue.count > 0 { out[Key(currency: t.code, measure: .overdue)] = t.overdue }
            for (slot, figure) in t.aging.enumerated() where figure.count > 0 {
                out[Key(currency: t.code, measure: .aging, key: slot == 0 ? "current" : labels[slot - 1])] = figure
            }
            for (day, figure) in t.sales { out[Key(currency: t.code, measure: .creditSales, key: day.iso)] = figure }
            if t.undated.count > 0 { out[Key(currency: t.code, measure: .undatedSales)] = t.undated }
        }
        return out
    }

    /// Adds one open-items row of the extract.
    public mutating func add(_ item: OpenItem) {
        let code = item.openAmount.currency.code
        if last < 0 || totals[last].code != code {
            if let known = index[code] {
                last = known
            } else {
                last = totals.count
                index[code] = last
                totals.append(CurrencyTotals(code: code, aging: Array(repeating: FactFigure(), count: labels.count + 1)))
            }
        }
        if item.amount.minorUnits > 0 {
            if let date = item.invoiceDate {
                totals[last].sales[date, default: FactFigure()].add(item.amount.minorUnits)
            } else {
                totals[last].undated.add(item.amount.minorUnits)
            }
        }
        guard !item.settled, item.openAmount.minorUnits != 0 else { return }
        let open = item.openAmount.minorUnits
        totals[last].receivables.add(open)
        guard open > 0 else { return }
        let slot = buckets.bucketIndex(daysPastDue: item.daysPastDue(asOf: asOf)).map { $0 + 1 } ?? 0
        totals[last].aging[slot].add(open)
        if slot > 0 { totals[last].overdue.add(open) }
    }
}
