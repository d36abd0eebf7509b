import ARLinkCore

extension KPIReport {
    /// One self-contained HTML page: inline CSS and SVG charts (recovery by cohort month, aging
    /// over time, promise outcomes, rejected events by reason), each with a title, a
    /// description and a table of its figures beside it; readable when printed. No script, no
    /// font or image loaded from anywhere. Figure cells carry `data-partner`, `data-currency`
    /// and `data-field` (the JSON key) so that the page can be checked against the JSON.
    public func html() -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>arlink collection KPIs \(from.iso) to \(to.iso)</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1d2330;max-width:1200px}
            h1{font-size:1.5rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccd;padding-bottom:.2rem}h3{font-size:1.05rem}
            table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0 1rem}
            th,td{border:1px solid #d5d9e2;padding:.25rem .5rem;text-align:left;vertical-align:top}
            th{background:#eef1f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
            .pair{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}.pair svg{flex:none;max-width:100%;height:auto}
            .notes li{margin:.2rem 0}
            @media print{body{margin:0;max-width:none}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
            h2{break-before:auto;break-after:avoid}.pair,table,svg{break-inside:avoid}}
            </style></head><body>
            <h1>Collection KPIs: \(from.iso) to \(to.iso)</h1>
            <p>Generated \(HTMLText.escape(generatedAt)) (UTC). Amounts in major units of each currency; rates from 0 to 1. Each figure is defined in <code>docs/kpi.md</code>.</p>

            """
        if !notes.isEmpty {
            out += "<h2>About these figures</h2>\n<ul class=\"notes\">\n" + notes.map { "<li>\(HTMLText.escape($0))</li>\n" }.joined() + "</ul>\n"
        }
        out += "<h2>All partners</h2>\n" + kpiTable(overall.kpis, partner: "*")
        out += "<h2>Recovery by cohort month</h2>\n" + cohortSection()
        out += "<h2>Receivables and aging</h2>\n" + receivablesSection()
        out += "<h2>Promise outcomes</h2>\n" + promiseSection()
        out += "<h2>Data quality</h2>\n" + qualitySection()
        out += activityTable([("*", overall.activity)] + partners.map { ($0.partner, $0.activity) })
        for p in partners {
            out += "<h2>Partner \(HTMLText.escape(p.partner))</h2>\n"
            out += p.kpis.isEmpty ? "<p>No placements, payments or promises with this partner in the period.</p>\n" : kpiTable(p.kpis, partner: p.partner)
            out += "<h3>Month by month</h3>\n" + monthTable(p.months, partner: p.partner)
            out += "<h3>Risk segments (latest scores)</h3>\n" + riskTable(p.risk)
        }
        out += "<h2>All partners month by month</h2>\n" + monthTable(overall.months, partner: "*")
        return out + "</body></html>\n"
    }

    // MARK: - Tables

    /// Figures down, currencies across.
    func kpiTable(_ kpis: [CurrencyKPIs], partner: String) -> String {
        guard !kpis.isEmpty else { return "<p>Nothing in this period.</p>\n" }
        var out = "<table><caption>KPIs of \(HTMLText.escape(partner == "*" ? "all partners" : partner)) by currency</caption>\n<tr><th scope=\"col\">figure</th>"
        for k in kpis { out += "<th scope=\"col\">\(k.currency.code)</th>" }
        out += "</tr>\n"
        for field in CurrencyKPIs.fields {
            out += "<tr><th scope=\"row\">\(field.name)</th>"
            for k in kpis {
                out += "<td class=\"num\" data-partner=\"\(HTMLText.escape(partner))\" data-currency=\"\(k.currency.code)\" data-field=\"\(field.name)\">"
                out += HTMLText.escape(field.value(k).text) + "</td>"
            }
            out += "</tr>\n"
        }
        return out + "</table>\n"
    }

    func activityTable(_ rows: [(String, ActivityKPIs)]) -> String {
        var out = "<table><tr><th scope=\"col\">figure</th>" + rows.map { "<th scope=\"col\">\(HTMLText.escape($0.0 == "*" ? "all partners" : $0.0))</th>" }.joined() + "</tr>\n"
        for field in ActivityKPIs.fields {
            out += "<tr><th scope=\"row\">\(field.name)</th>"
            for (partner, activity) in rows {
                out += "<td class=\"num\" data-partner=\"\(HTMLText.escape(partner))\" data-field=\"\(field.name)\">\(HTMLText.escape(field.value(activity).text))</td>"
            }
            out += "</tr>\n"
        }
        return out + "</table>\n"
    }

    func monthTable(_ months: [MonthKPIs], partner: String) -> String {
        let shown = ["placed_accounts", "placed_amount", "recovered_amount", "recovery_rate", "promises_made", "promises_kept", "promises_broken"]
        let fields = CurrencyKPIs.fields.filter { shown.contains($0.name) }
        var out = "<table><tr><th scope=\"col\">month</th><th scope=\"col\">currency</th>" + fields.map { "<th scope=\"col\">\($0.name)</th>" }.joined()
        out += "<th scope=\"col\">disputes</th><th scope=\"col\">events_rejected</th></tr>\n"
        for month in months {
            if month.kpis.isEmpty {
                out += "<tr><td>\(month.month)</td><td></td>" + fields.map { _ in "<td></td>" }.joined()
                out += "<td class=\"num\">\(month.activity.disputes)</td><td class=\"num\">\(month.activity.eventsRejected)</td></tr>\n"
            }
            for k in month.kpis {
                out += "<tr><td>\(month.month)</td><td>\(k.currency.code)</td>"
                out += fields.map { "<td class=\"num\">\(HTMLText.escape($0.value(k).text))</td>" }.joined()
                out += "<td class=\"num\">\(month.activity.disputes)</td><td class=\"num\">\(month.activity.eventsRejected)</td></tr>\n"
            }
        }
        return out + "</table>\n"
    }

    func riskTable(_ risk: RiskKPIs) -> String {
        guard !risk.segments.isEmpty else { return "<p>No risk scores received.</p>\n" }
        var out = "<table><tr><th scope=\"col\">segment</th><th scope=\"col\">accounts</th><th scope=\"col\">average score</th><th scope=\"col\">placed</th><th scope=\"col\">recovered in period</th></tr>\n"
        for s in risk.segments {
            out += "<tr><td>\(HTMLText.escape(s.segment))</td><td class=\"num\">\(s.accounts)</td><td class=\"num\">\(KPIValue.fixed(s.averageScore, digits: 1))</td>"
            out += "<td class=\"num\">\(Self.amountsText(s.placedMinor))</td><td class=\"num\">\(Self.amountsText(s.recoveredMinor))</td></tr>\n"
        }
        out += "</table>\n<table><tr>" + RiskKPIs.bandLabels.map { "<th scope=\"col\">score \($0)</th>" }.joined() + "</tr><tr>"
        out += RiskKPIs.bandLabels.map { "<td class=\"num\">\(risk.scoreBands[$0] ?? 0)</td>" }.joined()
        return out + "</tr></table>\n"
    }

    static func amountsText(_ byCode: [String: Int64]) -> String {
        byCode.sorted { $0.key < $1.key }.compactMap { code, minor in
            (try? Currency(code)).map { "\(Money(minorUnits: minor, currency: $0).decimalString) \(code)" }
        }.joined(separator: "<br>")
    }

    // MARK: - Charts with their tables

    /// The partners' cohorts merged by month and currency.
    var overallCohorts: [CohortRow] {
        var rows: [String: CohortRow] = [:]
        for p in partners {
            for c in p.cohorts {
                let key = c.month + " " + c.currency.code
                if var row = rows[key] {
                    row.accounts += c.accounts
                    row.placedMinor += c.placedMinor
                    row.recoveredMinor += c.recoveredMinor
                    for i in row.recoveredByAge.indices where i < c.recoveredByAge.count { row.recoveredByAge[i] += c.recoveredByAge[i] }
                    rows[key] = row
                } else {
                    rows[key] = c
                }
            }
        }
        return rows.values.sorted { ($0.month, $0.currency.code) < ($1.month, $1.currency.code) }
    }

    func cohortSection() -> String {
        let cohorts = overallCohorts
        let currencies = Array(Set(cohorts.map(\.currency.code))).sorted()
        let months = Array(Set(cohorts.map(\.month))).sorted()
        let series = currencies.enumerated().map { index, code in
            SVGBarChart.Series(name: code, color: SVGBarChart.palette[index % SVGBarChart.palette.count], values: months.map { month in
                (cohorts.first { $0.month == month && $0.currency.code == code }?.recoveryRate ?? 0) * 100
            })
        }
        let chart = SVGBarChart(id: "chart-cohorts", title: "Recovery rate by placement month",
                                description: "Net payments through \(to.iso) as a share of the amount placed, for accounts placed in each month of the period, one bar per currency.",
                                categories: months, series: series, unit: "%")
        var table = "<table><tr><th scope=\"col\">placed in</th><th scope=\"col\">currency</th><th scope=\"col\">accounts</th><th scope=\"col\">placed</th><th scope=\"col\">recovered</th><th scope=\"col\">recovery rate</th><th scope=\"col\">by month since placement</th></tr>\n"
        for c in cohorts {
            let money = { (minor: Int64) in Money(minorUnits: minor, currency: c.currency).decimalString }
            table += "<tr><td>\(c.month)</td><td>\(c.currency.code)</td><td class=\"num\">\(c.accounts)</td>"
            table += "<td class=\"num\" data-cohort=\"\(c.month) \(c.currency.code)\" data-field=\"placed_amount\">\(money(c.placedMinor))</td>"
            table += "<td class=\"num\" data-cohort=\"\(c.month) \(c.currency.code)\" data-field=\"recovered_amount\">\(money(c.recoveredMinor))</td>"
            table += "<td class=\"num\">\(KPIValue.rate(c.recoveryRate).text)</td><td class=\"num\">\(c.recoveredByAge.map(money).joined(separator: " / "))</td></tr>\n"
        }
        if cohorts.isEmpty { table = "<p>No accounts were placed in this period.</p>\n" } else { table += "</table>\n" }
        return "<div class=\"pair\">\n" + chart.svg + table + "</div>\n"
    }

    func receivablesSection() -> String {
        var out = ""
        if overall.receivables.isEmpty {
            out += "<p>No ERP extract facts up to \(to.iso).</p>\n"
        } else {
            out += "<table><tr><th scope=\"col\">currency</th><th scope=\"col\">as of</th><th scope=\"col\">receivables</th><th scope=\"col\">overdue</th><th scope=\"col\">overdue share</th><th scope=\"col\">credit sales in period</th><th scope=\"col\">days</th><th scope=\"col\">DSO</th></tr>\n"
            for r in overall.receivables {
                let money = { (minor: Int64) in Money(minorUnits: minor, currency: r.currency).decimalString }
                out += "<tr><td>\(r.currency.code)</td><td>\(r.asOf.iso)</td>"
                out += "<td class=\"num\" data-currency=\"\(r.currency.code)\" data-field=\"receivables_amount\">\(money(r.receivablesMinor))</td>"
                out += "<td class=\"num\" data-currency=\"\(r.currency.code)\" data-field=\"overdue_amount\">\(money(r.overdueMinor))</td>"
                out += "<td class=\"num\">\(KPIValue.rate(r.overdueShare).text)</td><td class=\"num\">\(money(r.creditSalesMinor))</td><td class=\"num\">\(r.days)</td>"
                out += "<td class=\"num\" data-currency=\"\(r.currency.code)\" data-field=\"dso\">\(r.dso.map { KPIValue.fixed($0, digits: 1) } ?? "not available")</td></tr>\n"
            }
            out += "</table>\n"
        }
        let currencies = Array(Set(overall.aging.map(\.currency.code))).sorted()
        if currencies.isEmpty {
            out += SVGBarChart(id: "chart-aging", title: "Aging of receivables over time", description: "No extract was read in this period.",
                               categories: [], series: []).svg
        }
        for code in currencies {
            let points = overall.aging.filter { $0.currency.code == code }
            let series = AgingPoint.labels.enumerated().map { index, label in
                SVGBarChart.Series(name: label, color: SVGBarChart.palette[index % SVGBarChart.palette.count], values: points.map { point in
                    Double(point.buckets[label] ?? 0) / Double(Self.scale(point.currency))
                })
            }
            let chart = SVGBarChart(id: "chart-aging-\(code)", title: "Aging of \(code) receivables over time",
                                    description: "Open \(code) amounts by days past due at the last extract of each month, stacked by bucket.",
                                    categories: points.map(\.month), series: series, stacked: true, unit: code)
            var table = "<table><tr><th scope=\"col\">month (extract)</th>" + AgingPoint.labels.map { "<th scope=\"col\">\($0)</th>" }.joined() + "</tr>\n"
            for point in points {
                table += "<tr><td>\(point.month) (\(point.asOf.iso))</td>"
                table += AgingPoint.labels.map { "<td class=\"num\">\(Money(minorUnits: point.buckets[$0] ?? 0, currency: point.currency).decimalString)</td>" }.joined()
                table += "</tr>\n"
            }
            out += "<div class=\"pair\">\n" + chart.svg + table + "</table>\n</div>\n"
        }
        return out
    }

    static func scale(_ currency: Currency) -> Int64 {
        var scale: Int64 = 1
        for _ in 0..<currency.exponent { scale *= 10 }
        return scale
    }

    func promiseSection() -> String {
        let months = overall.months
        let made = months.map { Double($0.kpis.reduce(0) { $0 + $1.promisesMade }) }
        let kept = months.map { Double($0.kpis.reduce(0) { $0 + $1.promisesKept }) }
        let broken = months.map { Double($0.kpis.reduce(0) { $0 + $1.promisesBroken }) }
        let chart = SVGBarChart(id: "chart-promises", title: "Promises to pay by month",
                                description: "Promises made in each month, and promises falling due in each month that were kept or broken, all partners and currencies.",
                                categories: months.map(\.month), series: [
                                    .init(name: "made", color: SVGBarChart.palette[0], values: made),
                                    .init(name: "kept", color: SVGBarChart.palette[2], values: kept),
                                    .init(name: "broken", color: SVGBarChart.palette[3], values: broken),
                                ])
        var table = "<table><tr><th scope=\"col\">month</th><th scope=\"col\">made</th><th scope=\"col\">kept</th><th scope=\"col\">broken</th></tr>\n"
        for (index, month) in months.enumerated() {
            table += "<tr><td>\(month.month)</td><td class=\"num\">\(Int(made[index]))</td><td class=\"num\">\(Int(kept[index]))</td><td class=\"num\">\(Int(broken[index]))</td></tr>\n"
        }
        return "<div class=\"pair\">\n" + chart.svg + table + "</table>\n</div>\n"
    }

    func qualitySection() -> String {
        let reasons = overall.activity.rejectedByReason.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let chart = SVGBarChart(id: "chart-rejections", title: "Rejected feedback events by reason",
                                description: "Events of applied feedback files rejected one by one in the period, by reason, all partners.",
                                categories: reasons.map(\.key), series: [.init(name: "rejected events", color: SVGBarChart.palette[4], values: reasons.map { Double($0.value) })])
        var table = "<table><tr><th scope=\"col\">reason</th><th scope=\"col\">events</th></tr>\n"
        for (reason, count) in reasons {
            table += "<tr><td>\(HTMLText.escape(reason))</td><td class=\"num\" data-partner=\"*\" data-reason=\"\(HTMLText.escape(reason))\">\(count)</td></tr>\n"
        }
        if reasons.isEmpty { table += "<tr><td colspan=\"2\">No event was rejected.</td></tr>\n" }
        return "<div class=\"pair\">\n" + chart.svg + table + "</table>\n</div>\n"
    }
}
