import ARLinkCore

extension KPIReport {
    /// The report as JSON: `{"partners": [{"partner", "kpis", "activity", "cohorts", "risk",
    /// "months"}], "overall": {...}}`; amounts as decimal strings in major units, rates as
    /// numbers in [0, 1] (null without a denominator). See `docs/kpi.md`.
    public func json() -> String { jsonValue.text + "\n" }

    public var jsonValue: KPIJSON {
        .object([
            ("from", .string(from.iso)),
            ("to", .string(to.iso)),
            ("generated_at", .string(generatedAt)),
            ("feedback_facts_since", feedbackFactsSince.map { .string($0.iso) } ?? .null),
            ("extract_facts_since", extractFactsSince.map { .string($0.iso) } ?? .null),
            ("notes", .array(notes.map(KPIJSON.string))),
            ("partners", .array(partners.map { p in
                .object([
                    ("partner", .string(p.partner)),
                    ("kpis", Self.json(p.kpis)),
                    ("activity", Self.json(p.activity)),
                    ("cohorts", .array(p.cohorts.map(Self.json))),
                    ("risk", Self.json(p.risk)),
                    ("months", .array(p.months.map(Self.json))),
                ])
            })),
            ("overall", .object([
                ("kpis", Self.json(overall.kpis)),
                ("activity", Self.json(overall.activity)),
                ("months", .array(overall.months.map(Self.json))),
                ("receivables", .array(overall.receivables.map(Self.json))),
                ("aging", .array(overall.aging.map(Self.json))),
            ])),
        ])
    }

    static func json(_ kpis: [CurrencyKPIs]) -> KPIJSON {
        .array(kpis.map { k in .object([("currency", .string(k.currency.code))] + CurrencyKPIs.fields.map { ($0.name, $0.value(k).json) }) })
    }

    static func json(_ activity: ActivityKPIs) -> KPIJSON {
        .object(ActivityKPIs.fields.map { ($0.name, $0.value(activity).json) })
    }

    static func json(_ month: MonthKPIs) -> KPIJSON {
        .object([("month", .string(month.month)), ("kpis", json(month.kpis)), ("activity", json(month.activity))])
    }

    static func json(_ row: CohortRow) -> KPIJSON {
        let money = { (minor: Int64) in KPIJSON.string(Money(minorUnits: minor, currency: row.currency).decimalString) }
        return .object([
            ("month", .string(row.month)), ("currency", .string(row.currency.code)), ("accounts", .int(row.accounts)),
            ("placed_amount", money(row.placedMinor)), ("recovered_amount", money(row.recoveredMinor)),
            ("recovery_rate", row.recoveryRate.map(KPIJSON.double) ?? .null),
            ("recovered_by_months_since_placement", .array(row.recoveredByAge.map(money))),
        ])
    }

    static func json(_ risk: RiskKPIs) -> KPIJSON {
        .object([
            ("score_bands", .object(RiskKPIs.bandLabels.map { ($0, .int(risk.scoreBands[$0] ?? 0)) })),
            ("segments", .array(risk.segments.map { s in
                .object([
                    ("segment", .string(s.segment)), ("accounts", .int(s.accounts)), ("average_score", .double(s.averageScore)),
                    ("recovered", amounts(s.recoveredMinor)), ("placed", amounts(s.placedMinor)),
                ])
            })),
        ])
    }

    /// Minor units by currency code as decimal strings.
    static func amounts(_ byCode: [String: Int64]) -> KPIJSON {
        .object(byCode.sorted { $0.key < $1.key }.compactMap { code, minor in
            (try? Currency(code)).map { (code, .string(Money(minorUnits: minor, currency: $0).decimalString)) }
        })
    }

    static func json(_ r: ReceivablesKPIs) -> KPIJSON {
        let money = { (minor: Int64) in KPIJSON.string(Money(minorUnits: minor, currency: r.currency).decimalString) }
        return .object([
            ("currency", .string(r.currency.code)), ("as_of", .string(r.asOf.iso)), ("receivables_amount", money(r.receivablesMinor)),
            ("overdue_amount", money(r.overdueMinor)), ("overdue_share", r.overdueShare.map(KPIJSON.double) ?? .null),
            ("credit_sales_amount", money(r.creditSalesMinor)), ("undated_invoices", .int(r.undatedInvoices)), ("days", .int(r.days)),
            ("dso", r.dso.map(KPIJSON.double) ?? .null), ("dso_unavailable", r.dsoUnavailable.map(KPIJSON.string) ?? .null),
        ])
    }

    static func json(_ point: AgingPoint) -> KPIJSON {
        .object([
            ("month", .string(point.month)), ("as_of", .string(point.asOf.iso)), ("currency", .string(point.currency.code)),
            ("buckets", .object(AgingPoint.labels.map { ($0, .string(Money(minorUnits: point.buckets[$0] ?? 0, currency: point.currency).decimalString)) })),
        ])
    }
}
