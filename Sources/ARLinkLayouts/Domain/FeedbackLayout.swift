public import ARLinkCore

/// Turns a feedback file read through a layout into arlink's events.
///
/// Every record's file number must be one arlink assigned to this partner, and its account
/// (when the record has one) the account it was assigned to. A reversal whose payment is in
/// the same file refuses the whole file, as AIM does. Anything refused throws before any
/// event is returned: a file is applied completely or not at all.
///
/// Codes go through the layout's code maps: a close code to a ``PartnerStatus``; a note code
/// to `promise`, `dispute` or `status:<status>` (AIM has no promise record). A partner's own
/// code map (``noteCodes``) replaces the layout's for notes.
public struct FeedbackLayout: Sendable {
    public let layout: Layout
    /// Note code to meaning, replacing the note field's code map when not empty.
    public var noteCodes: [String: String]

    public init(layout: Layout, noteCodes: [String: String] = [:]) {
        self.layout = layout
        self.noteCodes = noteCodes
    }

    /// The events of `file`, in file order.
    /// - Throws: ``LayoutError`` `.unknownFileNumber`, `.reversalWithPayment`, `.badValue`.
    public func records(_ file: ParsedFile, fileNumbers: any FileNumberDirectory) throws -> [AgencyRecord] {
        var out: [AgencyRecord] = []
        var paymentLines: [String: Int] = [:]
        for r in file.records {
            guard let recordLayout = layout.record(named: r.type), let kind = r.kind else { continue }
            let place = LayoutPlace(file: file.name, line: r.line, recordType: r.type)
            let (fileNumber, account) = try resolve(r, recordLayout, place, fileNumbers)
            func eventID(_ prefix: String) -> String {
                var h = SHA256()
                h.update(Array(r.rawLine.utf8))
                return "\(prefix)-\(String(h.finalizeHex().prefix(24)))"
            }
            switch kind {
            case .payment, .paymentReversal:
                guard let id = text(r, recordLayout, "payment_id") else { throw missing(place, recordLayout, "payment_id") }
                guard let amount = try money(r, recordLayout, "amount", place) else { throw missing(place, recordLayout, "amount") }
                var e = FeedbackEvent(type: kind == .payment ? .payment : .paymentReversal, eventID: id, accountRef: account)
                e.amount = amount
                e.occurredOn = date(r, recordLayout, "occurred_on")
                e.comment = text(r, recordLayout, "comment")
                if kind == .payment {
                    paymentLines[id] = r.line
                } else {
                    e.eventID = "R-" + id
                    e.reversesEventID = id
                    if let paid = paymentLines[id] {
                        throw LayoutError(.reversalWithPayment, "\(place), field \(fieldName(recordLayout, "payment_id")): the reversal of payment \"\(id.prefix(30))\" is in the same file as the payment (line \(paid)); AIM refuses such a file: send the reversal in a later file")
                    }
                }
                out.append(.event(e, line: r.line, fileNumber: fileNumber))
            case .close, .status:
                guard let code = text(r, recordLayout, "status"), let meaning = codeMeaning(recordLayout, "status", code),
                      let status = PartnerStatus(rawValue: meaning) else {
                    throw LayoutError(.badValue, "\(place): its status code maps to no arlink status (expected one of \(PartnerStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                var e = FeedbackEvent(type: .status, eventID: eventID(r.type), accountRef: account)
                e.status = status
                e.occurredOn = date(r, recordLayout, "occurred_on")
                e.comment = text(r, recordLayout, "comment")
                out.append(.event(e, line: r.line, fileNumber: fileNumber))
            case .note:
                guard let code = text(r, recordLayout, "note_code") else { throw missing(place, recordLayout, "note_code") }
                let meaning = noteCodes.isEmpty ? codeMeaning(recordLayout, "note_code", code) : noteCodes[code]
                guard let meaning else { continue }
                let noteText = text(r, recordLayout, "note_text")
                var e: FeedbackEvent
                if meaning == "promise" {
                    e = FeedbackEvent(type: .promise, eventID: eventID(r.type), accountRef: account)
                    let (amount, due) = Self.promiseTerms(noteText ?? "", currency: layout.currency)
                    guard let amount, let due else {
                        throw LayoutError(.badValue, "\(place), field \(fieldName(recordLayout, "note_text")): a promise note states no amount and date (expected \"<amount> <CCYYMMDD>\" in the note, such as 125.00 20260115)")
                    }
                    e.amount = amount
                    e.promisedDate = due
                    e.instalments = 1
                } else if meaning == "dispute" {
                    e = FeedbackEvent(type: .dispute, eventID: eventID(r.type), accountRef: account)
                    e.disputeReason = DisputeReason.other.rawValue
                    e.comment = noteText
                } else if meaning.hasPrefix("status:"), let status = PartnerStatus(rawValue: String(meaning.dropFirst(7))) {
                    e = FeedbackEvent(type: .status, eventID: eventID(r.type), accountRef: account)
                    e.status = status
                } else {
                    throw LayoutError(.badLayout, "\(place): note code \"\(code.prefix(10))\" means \"\(meaning.prefix(30))\" (expected promise, dispute or status:<status>)")
                }
                e.occurredOn = date(r, recordLayout, "occurred_on")
                out.append(.event(e, line: r.line, fileNumber: fileNumber))
            case .acknowledgement, .reconciliation:
                guard let original = try money(r, recordLayout, "original_balance", place) else { throw missing(place, recordLayout, "original_balance") }
                guard let current = try money(r, recordLayout, "current_balance", place) else { throw missing(place, recordLayout, "current_balance") }
                let b = AgencyBalances(
                    line: r.line, fileNumber: fileNumber ?? 0, accountRef: account, originalBalance: original, currentBalance: current,
                    receivedOn: date(r, recordLayout, "occurred_on"), lastPaymentDate: date(r, recordLayout, "last_payment_date"),
                    lastPaymentAmount: try money(r, recordLayout, "last_payment_amount", place))
                out.append(kind == .acknowledgement ? .acknowledgement(b) : .reconciliation(b))
            case .recallObjection:
                out.append(.recallObjection(RecallObjection(
                    line: r.line, fileNumber: fileNumber ?? 0, accountRef: account,
                    reasonCode: text(r, recordLayout, "objection_reason") ?? "", date: date(r, recordLayout, "occurred_on"))))
            case .dispute:
                var e = FeedbackEvent(type: .dispute, eventID: text(r, recordLayout, "event_id") ?? eventID(r.type), accountRef: account)
                e.amount = try money(r, recordLayout, "amount", place)
                e.disputeReason = text(r, recordLayout, "dispute_reason").flatMap { codeMeaning(recordLayout, "dispute_reason", $0) ?? $0 }
                e.invoiceNumber = text(r, recordLayout, "invoice_number")
                e.occurredOn = date(r, recordLayout, "occurred_on")
                out.append(.event(e, line: r.line, fileNumber: fileNumber))
            case .promise:
                var e = FeedbackEvent(type: .promise, eventID: text(r, recordLayout, "event_id") ?? eventID(r.type), accountRef: account)
                e.amount = try money(r, recordLayout, "amount", place)
                e.promisedDate = date(r, recordLayout, "promised_date")
                e.instalments = (value(r, recordLayout, "instalments")?.integer).map(Int.init) ?? 1
                e.occurredOn = date(r, recordLayout, "occurred_on")
                out.append(.event(e, line: r.line, fileNumber: fileNumber))
            case .contactUpdate:
                var e = FeedbackEvent(type: .contactUpdate, eventID: text(r, recordLayout, "event_id") ?? eventID(r.type), accountRef: account)
                var contact: [String: String] = [:]
                for key in ["street", "postal_code", "city", "country", "phone", "email"] {
                    if let v = text(r, recordLayout, "contact." + key) { contact[key] = v }
                }
                e.contact = contact
                e.occurredOn = date(r, recordLayout, "occurred_on")
                out.append(.event(e, line: r.line, fileNumber: fileNumber))
            case .risk:
                var e = FeedbackEvent(type: .risk, eventID: text(r, recordLayout, "event_id") ?? eventID(r.type), accountRef: account)
                e.riskScore = (value(r, recordLayout, "risk_score")?.integer).map(Int.init)
                e.riskSegment = text(r, recordLayout, "risk_segment")
                e.occurredOn = date(r, recordLayout, "occurred_on")
                out.append(.event(e, line: r.line, fileNumber: fileNumber))
            case .ignore, .placement, .update, .recall, .pendingRecall, .debtorField:
                continue
            }
        }
        return out
    }

    /// The file number and account of a record: the account from the file number when the
    /// layout has one (and the record's account, when it has one too, must agree).
    private func resolve(_ r: ParsedRecord, _ recordLayout: RecordLayout, _ place: LayoutPlace, _ fileNumbers: any FileNumberDirectory) throws -> (Int64?, String) {
        let stated = text(r, recordLayout, "account_ref")
        guard let f = recordLayout.field(domain: "file_number") else {
            guard let stated else { throw missing(place, recordLayout, "account_ref") }
            return (nil, stated)
        }
        guard let number = r[f.name].integer else { throw missing(place, recordLayout, "file_number") }
        guard let account = fileNumbers.account(forFileNumber: number) else {
            throw LayoutError(.unknownFileNumber, "\(place), field \(f.name) (\(f.positionText)): file number \(number) was never assigned to a placement with this partner")
        }
        if let stated, stated != account {
            throw LayoutError(.badValue, "\(place), field \(fieldName(recordLayout, "account_ref")): the account does not match the one file number \(number) was assigned to")
        }
        return (number, account)
    }

    /// `<amount> <CCYYMMDD>` anywhere in a note.
    static func promiseTerms(_ text: String, currency: Currency) -> (Money?, LocalDate?) {
        var amount: Money?
        var date: LocalDate?
        for token in text.split(separator: " ") {
            if date == nil, token.count == 8, let d = DateFormat("CCYYMMDD")?.parse(String(token)) { date = d; continue }
            if amount == nil, token.contains("."), let m = try? Money(decimal: String(token), currency: currency), m.isPositive { amount = m }
        }
        return (amount, date)
    }

    private func missing(_ place: LayoutPlace, _ recordLayout: RecordLayout, _ domain: String) -> LayoutError {
        if let f = recordLayout.field(domain: domain) {
            return LayoutError(.missingValue, "\(place), field \(f.name) (\(f.positionText)) is blank (expected the \(domain.replacingAll("_", with: " ")))")
        }
        return LayoutError(.badLayout, "\(place): layout \(layout.name)'s record \(recordLayout.name) has no field with domain \(domain)")
    }

    private func fieldName(_ recordLayout: RecordLayout, _ domain: String) -> String {
        recordLayout.field(domain: domain).map { "\($0.name) (\($0.positionText))" } ?? domain
    }

    private func value(_ r: ParsedRecord, _ layout: RecordLayout, _ domain: String) -> LayoutValue? {
        guard let f = layout.field(domain: domain) else { return nil }
        let v = r[f.name]
        return v == .null ? nil : v
    }

    private func text(_ r: ParsedRecord, _ layout: RecordLayout, _ domain: String) -> String? {
        switch value(r, layout, domain) {
        case .text(let t)?: t
        case .integer(let v)?: String(v)
        default: nil
        }
    }

    private func date(_ r: ParsedRecord, _ layout: RecordLayout, _ domain: String) -> LocalDate? {
        value(r, layout, domain)?.date
    }

    private func codeMeaning(_ layout: RecordLayout, _ domain: String, _ code: String) -> String? {
        guard let f = layout.field(domain: domain), case .code(let map, _, _) = f.type else { return nil }
        return map[code]
    }

    private func money(_ r: ParsedRecord, _ recordLayout: RecordLayout, _ domain: String, _ place: LayoutPlace) throws -> Money? {
        guard let f = recordLayout.field(domain: domain), let units = r[f.name].amount, let places = LayoutAmounts.places(f) else { return nil }
        guard let m = LayoutAmounts.money(units, places: places, currency: layout.currency) else {
            throw LayoutError(.badValue, "\(place), field \(f.name) (\(f.positionText)): more decimals than \(layout.currency) has")
        }
        return m
    }
}
