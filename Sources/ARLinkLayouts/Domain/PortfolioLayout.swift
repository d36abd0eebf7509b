public import ARLinkCore

/// What a portfolio file written through a layout says besides its records: who sends it
/// and when (the values of header and trailer fields by their `domain` name).
public struct LayoutFileContext: Sendable, Hashable {
    /// The sender's id at the agency (AIM: the agency's code for the creditor).
    public var agencyID: String
    public var agencyName: String
    public var createdOn: LocalDate
    /// The as-of date of the data.
    public var asOf: LocalDate

    public init(agencyID: String, agencyName: String, createdOn: LocalDate, asOf: LocalDate) {
        self.agencyID = agencyID; self.agencyName = agencyName; self.createdOn = createdOn; self.asOf = asOf
    }

    var fileValues: [String: LayoutValue] {
        ["agency_id": .text(agencyID), "agency_name": .text(agencyName), "created_on": .date(createdOn), "as_of": .date(asOf)]
    }
}

/// Renders arlink's portfolio records through a partner layout, and reads such a file back.
///
/// A `place` becomes the layout's `placement` records (AIM `CACT`) plus one `debtor_field`
/// record (AIM `CMIS`) per debtor field the partner may receive; an `update` becomes its
/// `update` record (AIM `CPAY`, the balance change since the last placement, with its
/// direction); a `recall` its `recall` record (AIM `CFIN`, the reason through the field's
/// code map). Values are taken by the fields' `domain` names (docs/layouts.md lists them).
public struct PortfolioLayout: Sendable {
    public let layout: Layout

    public init(layout: Layout) { self.layout = layout }

    /// The whole file for `records`, in order.
    /// - Parameters:
    ///   - fileNumbers: every account's file number (assign them before rendering).
    ///   - previousBalances: the balance last placed per account, for `update` records.
    /// - Throws: ``LayoutError/Code/cannotRender`` naming the account.
    public func render(
        _ records: [PortfolioRecord], fileNumbers: any FileNumberDirectory, previousBalances: [String: Money] = [:],
        context: LayoutFileContext
    ) throws -> [UInt8] {
        var out: [OutRecord] = []
        for record in records {
            out += try self.records(for: record, fileNumbers: fileNumbers, previousBalance: previousBalances[record.accountRef], asOf: context.asOf)
        }
        return try LayoutWriter(layout: layout).render(out, fileValues: context.fileValues)
    }

    /// The layout records for one portfolio record.
    public func records(for record: PortfolioRecord, fileNumbers: any FileNumberDirectory, previousBalance: Money?, asOf: LocalDate) throws -> [OutRecord] {
        let context = "account \(Excerpt.quoted(record.accountRef))"
        guard let fileNumber = fileNumbers.fileNumber(forAccount: record.accountRef) else {
            throw LayoutError(.cannotRender, "\(context) has no file number (assign one before rendering)")
        }
        var base: [String: LayoutValue] = [
            "file_number": .integer(fileNumber), "account_ref": .text(record.accountRef), "placed_on": .date(asOf),
            "days_past_due": .integer(Int64(record.daysPastDue)),
        ]
        if let d = record.lastPaymentDate { base["last_payment_date"] = .date(d) }
        if let d = record.oldestDueDate { base["oldest_due_date"] = .date(d) }
        let balance = try singleBalance(record, context: context)
        base["balance"] = .money(balance)
        switch record.action {
        case .place:
            var out = try kinds([.placement], context: context).map { try make($0, base, context) }
            if let debtor = record.debtor, let fieldRecord = layout.records.first(where: { $0.mapsTo == .debtorField }) {
                for field in DebtorField.allCases {
                    guard let value = debtor.fields[field] else { continue }
                    var values = base
                    values["debtor_field_name"] = .text(field.rawValue)
                    values["debtor_field_value"] = .text(value)
                    out.append(try make(fieldRecord, values, "\(context), debtor field \(field.rawValue)"))
                }
            }
            return out
        case .update:
            let targets = layout.records.filter { $0.mapsTo == .update }
            guard !targets.isEmpty else { return try kinds([.placement], context: context).map { try make($0, base, context) } }
            guard let previousBalance else {
                throw LayoutError(.cannotRender, "\(context): an update through layout \(layout.name) states the balance change, and the balance last placed is unknown")
            }
            let change = try previousBalance.subtracting(balance)
            var values = base
            values["balance_change"] = .money(Money(minorUnits: Int64(change.minorUnits.magnitude), currency: change.currency))
            values["balance_change_direction"] = .text(change.minorUnits >= 0 ? "decrease" : "increase")
            values["record_id"] = .text("\(asOf.compact)-\(fileNumber)")
            return try targets.map { try make($0, values, context) }
        case .recall:
            var values = base
            values["recall_reason"] = .text(record.recallReason?.rawValue ?? "")
            return try kinds([.recall], context: context).map { try make($0, values, context) }
        }
    }

    private func kinds(_ kinds: [DomainKind], context: String) throws -> [RecordLayout] {
        let found = layout.records.filter { $0.role == .detail && kinds.contains($0.mapsTo ?? .ignore) }
        guard !found.isEmpty else {
            throw LayoutError(.cannotRender, "\(context): layout \(layout.name) has no record that maps to \(kinds.map(\.rawValue).joined(separator: " or "))")
        }
        return found
    }

    /// The account's one balance in the layout's currency (zero when it has none).
    private func singleBalance(_ record: PortfolioRecord, context: String) throws -> Money {
        let others = record.balances.filter { $0.currency != layout.currency && !$0.isZero }
        if let other = others.first {
            throw LayoutError(.cannotRender, "\(context) has a balance in \(other.currency), and layout \(layout.name) carries \(layout.currency) only")
        }
        return record.balances.first { $0.currency == layout.currency } ?? .zero(layout.currency)
    }

    /// One record, its fields filled from `values` by domain name.
    private func make(_ record: RecordLayout, _ values: [String: LayoutValue], _ context: String) throws -> OutRecord {
        var out: [String: LayoutValue] = [:]
        for field in record.fields {
            guard let domain = field.domain, let value = values[domain] else { continue }
            out[field.name] = try fieldValue(value, field: field, record: record, context: context)
        }
        return OutRecord(type: record.name, values: out, context: context)
    }

    private func fieldValue(_ value: LayoutValue, field: FieldLayout, record: RecordLayout, context: String) throws -> LayoutValue {
        switch (field.type, value) {
        case (.code(let map, _, _), .text(let meaning)):
            guard let code = map.filter({ $0.value == meaning }).keys.sorted().first else {
                throw LayoutError(.cannotRender, "\(context), record \(record.name): field \(field.name) has no code for \"\(meaning)\" (add one to its codes)")
            }
            return .text(code)
        case (.decimal(let places, _, _), .amount(let minor)):
            // `.money` values carry the layout currency's minor units.
            guard let units = LayoutAmounts.units(Money(minorUnits: minor, currency: layout.currency), places: places) else {
                throw LayoutError(.cannotRender, "\(context), record \(record.name): field \(field.name) cannot hold the amount with \(places) decimals")
            }
            return .amount(units)
        case (.text, .integer(let v)):
            return .text(String(v))
        default:
            return value
        }
    }

    // MARK: - Reading a portfolio file back (the agency's side, and tests)

    /// The portfolio records a file written through this layout carries, as far as the layout
    /// carries them: action, account, balance, dates, recall reason, debtor fields.
    /// - Parameters:
    ///   - previousBalances: the balance before each `update`, to turn a change back into a balance.
    /// - Throws: ``LayoutError``.
    public func read(_ file: ParsedFile, previousBalances: [String: Money] = [:]) throws -> [PortfolioRecord] {
        var out: [PortfolioRecord] = []
        var indexByAccount: [String: Int] = [:]
        for r in file.records {
            guard let recordLayout = layout.record(named: r.type) else { continue }
            let account = value(r, recordLayout, "account_ref")?.text ?? ""
            let place = LayoutPlace(file: file.name, line: r.line, recordType: r.type)
            switch r.kind {
            case .placement?:
                let balance = try money(r, recordLayout, "balance", place) ?? .zero(layout.currency)
                var p = PortfolioRecord(
                    action: .place, accountRef: account, debtor: nil, invoices: [], balances: balance.isZero ? [] : [balance], aging: [],
                    oldestDueDate: value(r, recordLayout, "oldest_due_date")?.date, daysPastDue: 0,
                    lastPaymentDate: value(r, recordLayout, "last_payment_date")?.date)
                p.daysPastDue = Int(value(r, recordLayout, "days_past_due")?.integer ?? 0)
                indexByAccount[account] = out.count
                out.append(p)
            case .debtorField?:
                guard let i = indexByAccount[account], let name = value(r, recordLayout, "debtor_field_name")?.text,
                      let field = DebtorField(rawValue: name) else {
                    throw LayoutError(.badValue, "\(place): a debtor field record without its placement, or with an unknown title")
                }
                var fields = out[i].debtor?.fields ?? [:]
                fields[field] = value(r, recordLayout, "debtor_field_value")?.text ?? ""
                out[i].debtor = DebtorData(fields: fields)
            case .update?:
                guard let change = try money(r, recordLayout, "balance_change", place), let before = previousBalances[account] else {
                    throw LayoutError(.badValue, "\(place): an update whose previous balance is unknown")
                }
                let up = value(r, recordLayout, "balance_change_direction")?.text.flatMap { code in codeMeaning(recordLayout, "balance_change_direction", code) } == "increase"
                let balance = up ? try before.adding(change) : try before.subtracting(change)
                out.append(PortfolioRecord(
                    action: .update, accountRef: account, debtor: nil, invoices: [], balances: balance.isZero ? [] : [balance], aging: [],
                    oldestDueDate: nil, daysPastDue: 0))
            case .recall?:
                let code = value(r, recordLayout, "recall_reason")?.text
                let reason = code.flatMap { codeMeaning(recordLayout, "recall_reason", $0) }.flatMap(RecallReason.init(rawValue:))
                out.append(PortfolioRecord(
                    action: .recall, accountRef: account, debtor: nil, invoices: [], balances: [], aging: [], oldestDueDate: nil,
                    daysPastDue: 0, recallReason: reason))
            default:
                continue
            }
        }
        return out
    }

    private func value(_ r: ParsedRecord, _ layout: RecordLayout, _ domain: String) -> LayoutValue? {
        guard let f = layout.field(domain: domain) else { return nil }
        let v = r[f.name]
        return v == .null ? nil : v
    }

    private func codeMeaning(_ layout: RecordLayout, _ domain: String, _ code: String) -> String? {
        guard let f = layout.field(domain: domain), case .code(let map, _, _) = f.type else { return nil }
        return map[code]
    }

    private func money(_ r: ParsedRecord, _ recordLayout: RecordLayout, _ domain: String, _ place: LayoutPlace) throws -> Money? {
        guard let f = recordLayout.field(domain: domain), let units = r[f.name].amount, let places = LayoutAmounts.places(f) else { return nil }
        guard let m = LayoutAmounts.money(units, places: places, currency: layout.currency) else {
            throw LayoutError(.badValue, "\(place): field \(f.name) has more decimals than \(layout.currency) allows")
        }
        return m
    }
}

extension LayoutValue {
    /// An amount of the layout's currency in its minor units.
    static func money(_ m: Money) -> LayoutValue { .amount(m.minorUnits) }
}
