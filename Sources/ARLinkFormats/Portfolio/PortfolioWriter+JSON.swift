import ARLinkCore

extension PortfolioWriter {
    func writeJSONHeader() throws {
        let s = sinkForExtensions
        let h = header
        s.raw("{\"record_type\":\"header\",")
        s.jsonKey("schema"); s.jsonString(h.schema); s.raw(",")
        s.jsonKey("file_id"); s.jsonString(h.fileID); s.raw(",")
        s.jsonKey("kind"); s.jsonString(h.kind); s.raw(",")
        s.jsonKey("direction"); s.jsonString(h.direction); s.raw(",")
        s.jsonKey("batch_id"); s.jsonString(h.batchID); s.raw(",")
        s.jsonKey("sequence"); s.integer(Int64(h.sequence)); s.raw(",")
        s.jsonKey("sender"); s.jsonString(h.sender); s.raw(",")
        s.jsonKey("recipient"); s.jsonString(h.recipient); s.raw(",")
        s.jsonKey("recipient_key_sha256"); s.jsonString(h.recipientKeySHA256); s.raw(",")
        s.jsonKey("created_at"); s.jsonString(h.createdAt); s.raw(",")
        s.jsonKey("previous_file_sha256"); s.jsonOptional(h.previousFileSHA256); s.raw(",")
        s.jsonKey("as_of"); s.jsonDate(h.asOf); s.raw(",")
        s.jsonKey("audit_checkpoint"); s.jsonOptional(h.auditCheckpoint)
        s.raw("}\n")
    }

    func writeJSON(_ r: PortfolioRecord) throws {
        let s = sinkForExtensions
        s.raw("{\"record_type\":\"")
        s.raw(r.action.staticName)
        s.raw("\",")
        s.jsonKey("account_ref"); s.jsonString(r.accountRef); s.raw(",")
        s.jsonKey("debtor")
        if let debtor = r.debtor, !debtor.fields.isEmpty {
            s.raw("{")
            // Fixed order without hashing: place the (few) entries by field ordinal.
            var ordered: [(DebtorField, String)?] = Array(repeating: nil, count: DebtorField.allCases.count)
            for (field, value) in debtor.fields { ordered[field.ordinal] = (field, value) }
            var first = true
            for case let (field, value)? in ordered {
                if !first { s.raw(",") }
                first = false
                s.jsonString(field.rawValue)
                s.raw(":")
                s.jsonString(value)
            }
            s.raw("}")
        } else {
            s.raw("null")
        }
        s.raw(",")
        s.jsonKey("invoices"); s.raw("[")
        for (i, inv) in r.invoices.enumerated() {
            if i > 0 { s.raw(",") }
            s.raw("{")
            s.jsonKey("number"); s.jsonString(inv.number); s.raw(",")
            s.jsonKey("invoice_date"); s.jsonDate(inv.invoiceDate); s.raw(",")
            s.jsonKey("due_date"); s.jsonDate(inv.dueDate); s.raw(",")
            s.jsonKey("currency"); s.jsonString(inv.openAmount.currency.code); s.raw(",")
            s.jsonKey("amount"); s.jsonMoney(inv.amount); s.raw(",")
            s.jsonKey("open_amount"); s.jsonMoney(inv.openAmount); s.raw(",")
            s.jsonKey("days_past_due"); s.integer(Int64(inv.daysPastDue))
            s.raw("}")
        }
        s.raw("],")
        s.jsonKey("balances"); s.raw("[")
        for (i, m) in r.balances.enumerated() {
            if i > 0 { s.raw(",") }
            s.raw("{")
            s.jsonKey("currency"); s.jsonString(m.currency.code); s.raw(",")
            s.jsonKey("amount"); s.jsonMoney(m)
            s.raw("}")
        }
        s.raw("],")
        s.jsonKey("aging"); s.raw("[")
        for (i, a) in r.aging.enumerated() {
            if i > 0 { s.raw(",") }
            s.raw("{")
            s.jsonKey("bucket"); s.jsonString(a.bucket); s.raw(",")
            s.jsonKey("currency"); s.jsonString(a.amount.currency.code); s.raw(",")
            s.jsonKey("amount"); s.jsonMoney(a.amount)
            s.raw("}")
        }
        s.raw("],")
        s.jsonKey("oldest_due_date"); s.jsonDate(r.oldestDueDate); s.raw(",")
        s.jsonKey("days_past_due"); s.integer(Int64(r.daysPastDue)); s.raw(",")
        s.jsonKey("last_payment_date"); s.jsonDate(r.lastPaymentDate); s.raw(",")
        s.jsonKey("recall_reason"); s.jsonOptional(r.recallReason?.rawValue)
        if let item = r.itemization { try writeJSON(item) }
        if let flags = r.flags { try writeJSON(flags) }
        s.raw("}\n")
    }

    /// `,"itemization":{...}`: written only when the account has one, so records without it
    /// are unchanged.
    private func writeJSON(_ item: Itemization) throws {
        let s = sinkForExtensions
        s.raw(",")
        s.jsonKey("itemization"); s.raw("{")
        s.jsonKey("date"); s.jsonDate(item.date); s.raw(",")
        s.jsonKey("type"); s.jsonString(item.type.rawValue); s.raw(",")
        s.jsonKey("currency"); s.jsonString(item.currency.code); s.raw(",")
        s.jsonKey("amount"); s.jsonMoney(item.amount); s.raw(",")
        s.jsonKey("interest"); s.jsonMoney(item.interest); s.raw(",")
        s.jsonKey("fees"); s.jsonMoney(item.fees); s.raw(",")
        s.jsonKey("payments"); s.jsonMoney(item.payments); s.raw(",")
        s.jsonKey("credits"); s.jsonMoney(item.credits); s.raw(",")
        s.jsonKey("creditor_name"); s.jsonString(item.creditorName); s.raw(",")
        s.jsonKey("creditor_account"); s.jsonString(item.creditorAccount)
        s.raw("}")
    }

    /// `,"flags":{...}`: written only when the account has a flag set.
    private func writeJSON(_ flags: AccountFlags) throws {
        let s = sinkForExtensions
        s.raw(",")
        s.jsonKey("flags"); s.raw("{")
        s.jsonKey("communication_restricted"); s.raw(flags.communicationRestricted ? "true," : "false,")
        s.jsonKey("communication_restriction"); s.jsonOptional(flags.communicationRestriction); s.raw(",")
        s.jsonKey("disputed"); s.raw(flags.disputed ? "true," : "false,")
        s.jsonKey("bankruptcy_chapter")
        if let chapter = flags.bankruptcyChapter { s.integer(Int64(chapter)) } else { s.raw("null") }
        s.raw(",")
        s.jsonKey("deceased"); s.raw(flags.deceased ? "true," : "false,")
        s.jsonKey("attorney_represented"); s.raw(flags.attorneyRepresented ? "true" : "false")
        s.raw("}")
    }

    func writeJSONTrailer() throws {
        let s = sinkForExtensions
        let t = currentTotals
        s.raw("{\"record_type\":\"trailer\",")
        s.jsonKey("counts"); s.raw("{")
        for (i, type) in PortfolioVocabulary.recordTypes.enumerated() {
            if i > 0 { s.raw(",") }
            s.jsonString(type); s.raw(":"); s.integer(Int64(t.counts[type] ?? 0))
        }
        s.raw("},")
        s.jsonKey("record_count"); s.integer(Int64(t.recordCount)); s.raw(",")
        s.jsonKey("totals"); s.raw("[")
        for (i, m) in t.totals.values.sorted(by: { $0.currency < $1.currency }).enumerated() {
            if i > 0 { s.raw(",") }
            s.raw("{")
            s.jsonKey("currency"); s.jsonString(m.currency.code); s.raw(",")
            s.jsonKey("amount"); s.jsonMoney(m)
            s.raw("}")
        }
        s.raw("]}\n")
    }
}

extension DebtorField {
    /// Position in ``DebtorField/allCases`` (the order fields are written in).
    var ordinal: Int {
        switch self {
        case .name: 0
        case .taxID: 1
        case .email: 2
        case .phone: 3
        case .street: 4
        case .postalCode: 5
        case .city: 6
        case .country: 7
        case .language: 8
        }
    }
}

extension PlacementAction {
    var staticName: StaticString {
        switch self {
        case .place: "place"
        case .update: "update"
        case .recall: "recall"
        }
    }
}
