public import ARLinkCore
public import ARLinkStore

/// Computes a ``KPIReport`` from the state database: the placement ledger, the inbound tables
/// and the KPI facts the runs recorded. Reads only; personal data is never read.
public enum KPICalculator {
    /// - Parameters:
    ///   - partners: the configured partners, in order (a partner with no data gets zeros).
    ///   - from: the first day of the period; `to`: the last, inclusive.
    ///   - generatedAt: when the report is made (shown in it).
    public static func build(store: StateStore, partners: [String], from: LocalDate, to: LocalDate, generatedAt: String) throws -> KPIReport {
        let period = KPIPeriod(from: from, to: to)
        return try store.readKPIs { source in
            var partnerReports: [PartnerKPIs] = []
            for partner in partners {
                let data = try PartnerData(source, partner: partner)
                var months: [MonthKPIs] = []
                for (label, month) in period.months {
                    months.append(MonthKPIs(month: label, kpis: try currencyKPIs(data, month, source: source), activity: try activity(data, month, source: source)))
                }
                partnerReports.append(PartnerKPIs(partner: partner, kpis: try currencyKPIs(data, period, source: source), activity: try activity(data, period, source: source),
                                                  cohorts: cohorts(data, period), risk: risk(data, period), months: months))
            }
            let origins = try source.origins()
            let extracts = try source.extractFacts(through: to)
            var report = KPIReport(from: from, to: to, generatedAt: generatedAt, partners: partnerReports,
                                   overall: overall(partnerReports, period: period, extracts: extracts),
                                   feedbackFactsSince: origins[.feedback], extractFactsSince: origins[.extract])
            report.notes = notes(report, period: period)
            return report
        }
    }

    // MARK: - Per currency

    static func currencyKPIs(_ data: PartnerData, _ period: KPIPeriod, source: KPISource) throws -> [CurrencyKPIs] {
        var byCode: [String: CurrencyKPIs] = [:]
        func update(_ code: String, _ change: (inout CurrencyKPIs) -> Void) {
            guard let currency = try? Currency(code) else { return }
            var entry = byCode[code] ?? CurrencyKPIs(currency: currency)
            change(&entry)
            byCode[code] = entry
        }
        // Placements and recalls in the period.
        var before: [String: [Money]] = [:]
        for step in data.steps where step.asOf <= period.to {
            defer { if step.action != "recall" || before[step.accountRef] == nil { before[step.accountRef] = step.balances } }
            guard period.contains(step.asOf) else { continue }
            switch step.action {
            case "place":
                for money in step.balances {
                    update(money.currency.code) {
                        $0.placedAccounts += 1
                        $0.placedMinor += money.minorUnits
                    }
                }
            case "recall":
                let balances = step.balances.isEmpty ? before[step.accountRef] ?? [] : step.balances
                for code in Set(balances.map(\.currency.code)) {
                    update(code) {
                        $0.recalledAccounts += 1
                        $0.recalledByReason[step.recallReason ?? "none", default: 0] += 1
                    }
                }
            default:
                break
            }
        }
        for batch in data.invoices where period.contains(batch.asOf) {
            update(batch.currency) { $0.placedInvoices += batch.invoices }
        }
        for (_, standing) in data.standing(through: period.to) where standing.active {
            for money in standing.balances {
                update(money.currency.code) {
                    $0.activeAccounts += 1
                    $0.activeMinor += money.minorUnits
                }
            }
        }
        // Cohort recovery and days to first payment of the accounts placed in the period.
        for (ref, placed) in data.placements(in: period) {
            let payments = data.payments[ref] ?? []
            for money in placed.balances {
                let code = money.currency.code
                let mine = payments.filter { $0.currency == code && $0.day <= period.to }
                let recovered = mine.reduce(Int64(0)) { $0 + $1.minor }
                let first = mine.first { $0.paid }
                update(code) {
                    $0.cohortRecoveredMinor += recovered
                    if let first { $0.firstPaymentDays.append(max(0, first.day.days(since: placed.day))) }
                }
            }
        }
        // Payments, reversals and promises dated in the period.
        for fact in try source.eventFacts(partner: data.partner, from: period.from, to: period.to) where !fact.currency.isEmpty {
            switch fact.measure {
            case FeedbackFacts.Measure.payment.rawValue: update(fact.currency) { $0.paymentsMinor += fact.minor }
            case FeedbackFacts.Measure.reversal.rawValue: update(fact.currency) { $0.reversalsMinor += fact.minor }
            case FeedbackFacts.Measure.promise.rawValue:
                update(fact.currency) {
                    $0.promisesMade += fact.events
                    $0.promisedMinor += fact.minor
                }
            default: break
            }
        }
        for promise in try source.judgedPromises(partner: data.partner, from: period.from, to: period.to) {
            update(promise.currency) {
                $0.promisedDueMinor += promise.amountMinor
                if promise.kept {
                    $0.promisesKept += 1
                    $0.keptMinor += promise.amountMinor
                } else {
                    $0.promisesBroken += 1
                }
            }
        }
        return byCode.values.sorted { $0.currency.code < $1.currency.code }
    }

    // MARK: - Activity

    static func activity(_ data: PartnerData, _ period: KPIPeriod, source: KPISource) throws -> ActivityKPIs {
        var out = ActivityKPIs()
        for fact in try source.eventFacts(partner: data.partner, from: period.from, to: period.to) {
            switch fact.measure {
            case FeedbackFacts.Measure.dispute.rawValue:
                out.disputes += fact.events
                out.disputesByReason[fact.key, default: 0] += fact.events
            case FeedbackFacts.Measure.status.rawValue:
                out.statusesByCode[fact.key, default: 0] += fact.events
            default: break
            }
        }
        out.disputedAccounts = data.disputes.values.filter(period.contains).count
        let atStart = data.standing(through: period.from.adding(days: -1)).filter(\.value.active).keys
        out.accountsUnderManagement = Set(atStart).union(data.placements(in: period).keys).count
        let files = try source.fileActivity(partner: data.partner, from: period.from, to: period.to)
        out.filesReceived = files.received
        out.filesApplied = files.applied
        out.filesQuarantined = files.quarantined
        out.filesDuplicate = files.duplicates
        out.filesHeld = files.held
        out.eventsAccepted = files.eventsAccepted
        out.eventsRejected = files.eventsRejected
        out.rejectedByReason = files.rejectedByReason
        out.erpUpdatesExported = files.erpUpdatesExported
        return out
    }

    // MARK: - Cohorts and risk

    static func cohorts(_ data: PartnerData, _ period: KPIPeriod) -> [CohortRow] {
        var rows: [String: CohortRow] = [:]
        let months = period.months.count
        for (ref, placed) in data.placements(in: period) {
            for money in placed.balances {
                let code = money.currency.code
                let key = placed.day.month + " " + code
                var row = rows[key] ?? CohortRow(month: placed.day.month, currency: money.currency, accounts: 0, placedMinor: 0, recoveredMinor: 0,
                                                 recoveredByAge: Array(repeating: 0, count: max(1, months)))
                row.accounts += 1
                row.placedMinor += money.minorUnits
                for payment in data.payments[ref] ?? [] where payment.currency == code && payment.day <= period.to {
                    row.recoveredMinor += payment.minor
                    let age = max(0, monthsBetween(placed.day, payment.day))
                    if age < row.recoveredByAge.count { row.recoveredByAge[age] += payment.minor }
                }
                rows[key] = row
            }
        }
        return rows.values.sorted { ($0.month, $0.currency.code) < ($1.month, $1.currency.code) }
    }

    static func monthsBetween(_ a: LocalDate, _ b: LocalDate) -> Int {
        let (ya, ma, _) = a.components, (yb, mb, _) = b.components
        return (yb - ya) * 12 + (mb - ma)
    }

    static func risk(_ data: PartnerData, _ period: KPIPeriod) -> RiskKPIs {
        var out = RiskKPIs()
        let standing = data.standing(through: period.to)
        var segments: [String: (accounts: Int, scores: Int, recovered: [String: Int64], placed: [String: Int64])] = [:]
        for (ref, risk) in data.risks where risk.scoredOn <= period.to {
            out.scoreBands[RiskKPIs.band(risk.score), default: 0] += 1
            let name = risk.segment.isEmpty ? "none" : risk.segment
            var entry = segments[name] ?? (0, 0, [:], [:])
            entry.accounts += 1
            entry.scores += risk.score
            for payment in data.payments[ref] ?? [] where period.contains(payment.day) { entry.recovered[payment.currency, default: 0] += payment.minor }
            for money in standing[ref]?.balances ?? [] { entry.placed[money.currency.code, default: 0] += money.minorUnits }
            segments[name] = entry
        }
        out.segments = segments.map { name, e in
            RiskKPIs.Segment(segment: name, accounts: e.accounts, averageScore: Double(e.scores) / Double(e.accounts), recoveredMinor: e.recovered,
                             placedMinor: e.placed)
        }.sorted { $0.segment < $1.segment }
        return out
    }
}
