import ARLinkCore
import ARLinkStore

/// All partners together, and the receivables figures of the ERP extracts.
extension KPICalculator {
    static func overall(_ partners: [PartnerKPIs], period: KPIPeriod, extracts: [KPIFacts.ExtractFact]) -> OverallKPIs {
        var activity = ActivityKPIs()
        for p in partners { activity.merge(p.activity) }
        var months: [MonthKPIs] = []
        for (index, (label, _)) in period.months.enumerated() {
            var monthActivity = ActivityKPIs()
            for p in partners { monthActivity.merge(p.months[index].activity) }
            months.append(MonthKPIs(month: label, kpis: merged(partners.map { $0.months[index].kpis }), activity: monthActivity))
        }
        return OverallKPIs(kpis: merged(partners.map(\.kpis)), activity: activity, months: months,
                           receivables: receivables(extracts, period: period), aging: aging(extracts, period: period))
    }

    /// Sums of the partners' figures per currency.
    static func merged(_ lists: [[CurrencyKPIs]]) -> [CurrencyKPIs] {
        var byCode: [String: CurrencyKPIs] = [:]
        for list in lists {
            for k in list {
                var entry = byCode[k.currency.code] ?? CurrencyKPIs(currency: k.currency)
                entry.merge(k)
                byCode[k.currency.code] = entry
            }
        }
        return byCode.values.sorted { $0.currency.code < $1.currency.code }
    }

    /// The receivables of the last extract read by the period's end, per currency, with DSO.
    static func receivables(_ extracts: [KPIFacts.ExtractFact], period: KPIPeriod) -> [ReceivablesKPIs] {
        guard let last = extracts.map(\.asOf).max() else { return [] }
        let facts = extracts.filter { $0.asOf == last }
        var byCode: [String: ReceivablesKPIs] = [:]
        for fact in facts {
            guard let currency = try? Currency(fact.currency) else { continue }
            var entry = byCode[fact.currency] ?? ReceivablesKPIs(currency: currency, asOf: last, receivablesMinor: 0, overdueMinor: 0, creditSalesMinor: 0,
                                                                 undatedInvoices: 0, days: period.days)
            switch ExtractFacts.Measure(rawValue: fact.measure) {
            case .receivables: entry.receivablesMinor += fact.minor
            case .overdue: entry.overdueMinor += fact.minor
            case .creditSales:
                if let day = LocalDate(iso: fact.key), period.contains(day) { entry.creditSalesMinor += fact.minor }
            case .undatedSales: entry.undatedInvoices += fact.items
            case .aging, nil: break
            }
            byCode[fact.currency] = entry
        }
        return byCode.values.map { r in
            var r = r
            if r.creditSalesMinor <= 0 {
                r.dsoUnavailable = r.undatedInvoices > 0
                    ? "the extract of \(last.iso) has no invoice dates (\(r.undatedInvoices) invoices without one), so credit sales cannot be told"
                    : "no invoice in the extract of \(last.iso) is dated in the period, so credit sales cannot be told"
            }
            return r
        }.sorted { $0.currency.code < $1.currency.code }
    }

    /// For each month of the period, the aging of its last extract, per currency.
    static func aging(_ extracts: [KPIFacts.ExtractFact], period: KPIPeriod) -> [AgingPoint] {
        var out: [AgingPoint] = []
        for (label, month) in period.months {
            guard let last = extracts.map(\.asOf).filter(month.contains).max() else { continue }
            var byCode: [String: [String: Int64]] = [:]
            for fact in extracts where fact.asOf == last && fact.measure == ExtractFacts.Measure.aging.rawValue {
                byCode[fact.currency, default: [:]][fact.key, default: 0] += fact.minor
            }
            for (code, buckets) in byCode.sorted(by: { $0.key < $1.key }) {
                guard let currency = try? Currency(code) else { continue }
                out.append(AgingPoint(month: label, asOf: last, currency: currency, buckets: buckets))
            }
        }
        return out
    }

    /// What the report says about the figures it cannot give, or gives on a partial basis.
    static func notes(_ report: KPIReport, period: KPIPeriod) -> [String] {
        var notes: [String] = []
        if let since = report.feedbackFactsSince {
            if since > period.from {
                notes.append("Figures from partner feedback (payments, reversals, promises made, disputes, statuses, risk scores) are kept for files applied from \(since.iso) on; files applied earlier count in none of them.")
            }
        } else {
            notes.append("No feedback file has been applied with KPI facts yet: payments, promises made, disputes, statuses and risk scores are not yet available.")
        }
        if let since = report.extractFactsSince {
            if since > period.from {
                notes.append("Receivables, aging and credit sales come from the extracts of outbound runs from \(since.iso) on; no earlier extract was kept.")
            }
        } else {
            notes.append("No outbound run has kept an ERP extract's facts yet: receivables, aging and DSO are not yet available.")
        }
        for r in report.overall.receivables {
            if r.asOf < period.to {
                notes.append("\(r.currency.code) receivables are those of the last extract read by the period's end, as of \(r.asOf.iso).")
            }
            if let reason = r.dsoUnavailable {
                notes.append("\(r.currency.code) DSO is not given: \(reason).")
            } else {
                notes.append("\(r.currency.code) DSO counts as credit sales the invoices dated in the period that the extract of \(r.asOf.iso) lists (open or settled); invoices already paid and gone from the extract are missing, so it overstates DSO when the ERP exports open items only.")
            }
        }
        return notes
    }
}
