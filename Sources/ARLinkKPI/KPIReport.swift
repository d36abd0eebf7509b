public import ARLinkCore

/// The collection KPIs of a period: per partner, per currency and overall, for the whole
/// period and month by month, with the receivables figures of the ERP extracts the runs read.
/// Built by ``KPICalculator``; rendered as JSON, CSV or one self-contained HTML page.
public struct KPIReport: Sendable {
    public var from: LocalDate
    public var to: LocalDate
    public var generatedAt: String
    public var partners: [PartnerKPIs]
    public var overall: OverallKPIs
    /// The first day the feedback facts (payments by account, disputes, statuses, risk) and the
    /// extract facts were recorded; nil: never (the database predates them or nothing ran yet).
    public var feedbackFactsSince: LocalDate?
    public var extractFactsSince: LocalDate?
    /// Sentences the report shows about what a figure cannot say (data not yet available, DSO's basis).
    public var notes: [String] = []

    /// The months the period touches, `YYYY-MM`, oldest first.
    public var months: [String] { KPIPeriod(from: from, to: to).months.map(\.label) }
}

/// One partner's KPIs.
public struct PartnerKPIs: Sendable {
    public var partner: String
    public var kpis: [CurrencyKPIs]
    public var activity: ActivityKPIs
    public var cohorts: [CohortRow]
    public var risk: RiskKPIs
    public var months: [MonthKPIs]
}

/// The KPIs of one calendar month of the period (clipped to the period).
public struct MonthKPIs: Sendable {
    public var month: String
    public var kpis: [CurrencyKPIs]
    public var activity: ActivityKPIs
}

/// Accounts first placed in one month of the period, and what they have paid since.
public struct CohortRow: Sendable, Hashable {
    /// `YYYY-MM`.
    public var month: String
    public var currency: Currency
    public var accounts: Int
    public var placedMinor: Int64
    /// Net payments from placement through the period's end.
    public var recoveredMinor: Int64
    /// Net payments by month since placement: index 0 is the placement month.
    public var recoveredByAge: [Int64]

    public var recoveryRate: Double? { KPIValue.ratio(recoveredMinor, placedMinor) }
}

/// The partner's latest risk scores at the period's end, and what each segment paid.
public struct RiskKPIs: Sendable, Hashable {
    public struct Segment: Sendable, Hashable {
        public var segment: String
        public var accounts: Int
        public var averageScore: Double
        /// Net payments of the segment's accounts dated in the period, by currency code.
        public var recoveredMinor: [String: Int64]
        /// What was last placed for the segment's accounts, by currency code.
        public var placedMinor: [String: Int64]
    }

    public var segments: [Segment] = []
    /// Accounts by score band (`0-199`, ..., `800-1000`).
    public var scoreBands: [String: Int] = [:]

    public static let bandLabels = ["0-199", "200-399", "400-599", "600-799", "800-1000"]

    static func band(_ score: Int) -> String { bandLabels[min(4, max(0, score / 200))] }
}

/// All partners together, and the receivables of the ERP extracts.
public struct OverallKPIs: Sendable {
    public var kpis: [CurrencyKPIs]
    public var activity: ActivityKPIs
    public var months: [MonthKPIs]
    public var receivables: [ReceivablesKPIs]
    /// Aging of the receivables at each month's last extract in the period.
    public var aging: [AgingPoint]
}

/// The receivables of the last extract read by the period's end, in one currency.
public struct ReceivablesKPIs: Sendable, Hashable {
    public var currency: Currency
    /// The as-of date of that extract.
    public var asOf: LocalDate
    public var receivablesMinor: Int64
    public var overdueMinor: Int64
    /// Invoices dated in the period that the extract lists (original amounts).
    public var creditSalesMinor: Int64
    /// Invoices in the extract without an invoice date.
    public var undatedInvoices: Int
    /// Days in the period.
    public var days: Int
    /// Why DSO is not given, when it is not.
    public var dsoUnavailable: String?

    public var overdueShare: Double? { KPIValue.ratio(overdueMinor, receivablesMinor) }

    /// Receivables / credit sales × days; nil when the extract cannot support it.
    public var dso: Double? {
        guard dsoUnavailable == nil, creditSalesMinor > 0 else { return nil }
        return Double(receivablesMinor) / Double(creditSalesMinor) * Double(days)
    }
}

/// The aging buckets of one month's last extract, in one currency.
public struct AgingPoint: Sendable, Hashable {
    public var month: String
    public var asOf: LocalDate
    public var currency: Currency
    /// Minor units by bucket label (`current`, `1-30`, ..., `over-365`).
    public var buckets: [String: Int64]

    /// The bucket labels in order.
    public static let labels = ["current"] + AgingBuckets.standard.labels
}
