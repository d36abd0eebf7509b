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
    public private(set) var figures: [Key: FactFigure] = [:]
    private let labels: [String]

    public init(asOf: LocalDate, buckets: AgingBuckets = .standard) {
        self.asOf = asOf
        self.buckets = buckets
        labels = buckets.labels
    }

    /// Adds one open-items row of the extract.
    public mutating func add(_ item: OpenItem) {
        let currency = item.openAmount.currency.code
        if item.amount.minorUnits > 0 {
            if let date = item.invoiceDate {
                figures[Key(currency: currency, measure: .creditSales, key: date.iso), default: FactFigure()].add(item.amount.minorUnits)
            } else {
                figures[Key(currency: currency, measure: .undatedSales), default: FactFigure()].add(item.amount.minorUnits)
            }
        }
        guard !item.settled, item.openAmount.minorUnits != 0 else { return }
        let open = item.openAmount.minorUnits
        figures[Key(currency: currency, measure: .receivables), default: FactFigure()].add(open)
        guard open > 0 else { return }
        let label = buckets.bucketIndex(daysPastDue: item.daysPastDue(asOf: asOf)).map { labels[$0] } ?? "current"
        figures[Key(currency: currency, measure: .aging, key: label), default: FactFigure()].add(open)
        if label != "current" {
            figures[Key(currency: currency, measure: .overdue), default: FactFigure()].add(open)
        }
    }
}
