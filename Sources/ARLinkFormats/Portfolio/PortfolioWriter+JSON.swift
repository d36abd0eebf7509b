import ARLinkCore

extension PortfolioWriter {
    func writeJSONHeader() throws {
        let s = sinkForExtensions
        let h = header
        try s.raw("{\"record_type\":\"header\",")
        try s.jsonKey("schema"); try s.jsonString(h.schema); try s.raw(",")
        try s.jsonKey("file_id"); try s.jsonString(h.fileID); try s.raw(",")
        try s.jsonKey("kind"); try s.jsonString(h.kind); try s.raw(",")
        try s.jsonKey("direction"); try s.jsonString(h.direction); try s.raw(",")
        try s.jsonKey("batch_id"); try s.jsonString(h.batchID); try s.raw(",")
        try s.jsonKey("sequence"); try s.integer(Int64(h.sequence)); try s.raw(",")
        try s.jsonKey("sender"); try s.jsonString(h.sender); try s.raw(",")
        try s.jsonKey("recipient"); try s.jsonString(h.recipient); try s.raw(",")
        try s.jsonKey("recipient_key_sha256"); try s.jsonString(h.recipientKeySHA256); try s.raw(",")
        try s.jsonKey("created_at"); try s.jsonString(h.createdAt); try s.raw(",")
        try s.jsonKey("previous_file_sha256"); try s.jsonOptional(h.previousFileSHA256); try s.raw(",")
        try s.jsonKey("as_of"); try s.jsonDate(h.asOf); try s.raw(",")
        try s.jsonKey("audit_checkpoint"); try s.jsonOptional(h.auditCheckpoint)
        try s.raw("}\n")
    }

    func writeJSON(_ r: PortfolioRecord) throws {
        let s = sinkForExtensions
        try s.raw("{\"record_type\":\"")
        try s.raw(r.action.staticName)
        try s.raw("\",")
        try s.jsonKey("account_ref"); try s.jsonString(r.accountRef); try s.raw(",")
        try s.jsonKey("debtor")
        if let debtor = r.debtor, !debtor.fields.isEmpty {
            try s.raw("{")
            // Fixed order without hashing: place the (few) entries by field ordinal.
            var ordered: [(DebtorField, String)?] = Array(repeating: nil, count: DebtorField.allCases.count)
            for (field, value) in debtor.fields { ordered[field.ordinal] = (field, value) }
            var first = true
            for case let (field, value)? in ordered {
                if !first { try s.raw(",") }
                first = false
                try s.jsonString(field.rawValue)
                try s.raw(":")
                try s.jsonString(value)
            }
            try s.raw("}")
        } else {
            try s.raw("null")
        }
        try s.raw(",")
        try s.jsonKey("invoices"); try s.raw("[")
        for (i, inv) in r.invoices.enumerated() {
            if i > 0 { try s.raw(",") }
            try s.raw("{")
            try s.jsonKey("number"); try s.jsonString(inv.number); try s.raw(",")
            try s.jsonKey("invoice_date"); try s.jsonDate(inv.invoiceDate); try s.raw(",")
            try s.jsonKey("due_date"); try s.jsonDate(inv.dueDate); try s.raw(",")
            try s.jsonKey("currency"); try s.jsonString(inv.openAmount.currency.code); try s.raw(",")
            try s.jsonKey("amount"); try s.jsonMoney(inv.amount); try s.raw(",")
            try s.jsonKey("open_amount"); try s.jsonMoney(inv.openAmount); try s.raw(",")
            try s.jsonKey("days_past_due"); try s.integer(Int64(inv.daysPastDue))
            try s.raw("}")
        }
        try s.raw("],")
        try s.jsonKey("balances"); try s.raw("[")
        for (i, m) in r.balances.enumerated() {
            if i > 0 { try s.raw(",") }
            try s.raw("{")
            try s.jsonKey("currency"); try s.jsonString(m.currency.code); try s.raw(",")
            try s.jsonKey("amount"); try s.jsonMoney(m)
            try s.raw("}")
        }
        try s.raw("],")
        try s.jsonKey("aging"); try s.raw("[")
        for (i, a) in r.aging.enumerated() {
            if i > 0 { try s.raw(",") }
            try s.raw("{")
            try s.jsonKey("bucket"); try s.jsonString(a.bucket); try s.raw(",")
            try s.jsonKey("currency"); try s.jsonString(a.amount.currency.code); try s.raw(",")
            try s.jsonKey("amount"); try s.jsonMoney(a.amount)
            try s.raw("}")
        }
        try s.raw("],")
        try s.jsonKey("oldest_due_date"); try s.jsonDate(r.oldestDueDate); try s.raw(",")
        try s.jsonKey("days_past_due"); try s.integer(Int64(r.daysPastDue)); try s.raw(",")
        try s.jsonKey("last_payment_date"); try s.jsonDate(r.lastPaymentDate); try s.raw(",")
        try s.jsonKey("recall_reason"); try s.jsonOptional(r.recallReason?.rawValue)
        if let item = r.itemization { try writeJSON(item) }
        if let flags = r.flags { try writeJSON(flags) }
        try s.raw("}\n")
    }

    /// `,"itemization":{...}`: written only when the account has one, so records without it
    /// are unchanged.
    private func writeJSON(_ item: Itemization) throws {
        let s = sinkForExtensions
        try s.raw(",")
        try s.jsonKey("itemization"); try s.raw("{")
        try s.jsonKey("date"); try s.jsonDate(item.date); try s.raw(",")
        try s.jsonKey("type"); try s.jsonString(item.type.rawValue); try s.raw(",")
        try s.jsonKey("currency"); try s.jsonString(item.currency.code); try s.raw(",")
        try s.jsonKey("amount"); try s.jsonMoney(item.amount); try s.raw(",")
        try s.jsonKey("interest"); try s.jsonMoney(item.interest); try s.raw(",")
        try s.jsonKey("fees"); try s.jsonMoney(item.fees); try s.raw(",")
        try s.jsonKey("payments"); try s.jsonMoney(item.payments); try s.raw(",")
        try s.jsonKey("credits"); try s.jsonMoney(item.credits); try s.raw(",")
        try s.jsonKey("creditor_name"); try s.jsonString(item.creditorName); try s.raw(",")
        try s.jsonKey("creditor_account"); try s.jsonString(item.creditorAccount)
        try s.raw("}")
    }

    /// `,"flags":{...}`: written only when the account has a flag set.
    private func writeJSON(_ flags: AccountFlags) throws {
        let s = sinkForExtensions
        try s.raw(",")
        try s.jsonKey("flags"); try s.raw("{")
        try s.jsonKey("communication_restricted"); try s.raw(flags.communicationRestricted ? "true," : "false,")
        try s.jsonKey("communication_restriction"); try s.jsonOptional(flags.communicationRestriction); try s.raw(",")
        try s.jsonKey("disputed"); try s.raw(flags.disputed ? "true," : "false,")
        try s.jsonKey("bankruptcy_chapter")
        if let chapter = flags.bankruptcyChapter { try s.integer(Int64(chapter)) } else { try s.raw("null") }
        try s.raw(",")
        try s.jsonKey("deceased"); try s.raw(flags.deceased ? "true," : "false,")
        try s.jsonKey("attorney_represented"); try s.raw(flags.attorneyRepresented ? "true" : "false")
        try s.raw("}")
    }

    func writeJSONTrailer() throws {
        let s = sinkForExtensions
        let t = currentTotals
        try s.raw("{\"record_type\":\"trailer\",")
        try s.jsonKey("counts"); try s.raw("{")
        for (i, type) in PortfolioVocabulary.recordTypes.enumerated() {
            if i > 0 { try s.raw(",") }
            try s.jsonString(type); try s.raw(":"); try s.integer(Int64(t.counts[type] ?? 0))
        }
        try s.raw("},")
        try s.jsonKey("record_count"); try s.integer(Int64(t.recordCount)); try s.raw(",")
        try s.jsonKey("totals"); try s.raw("[")
        for (i, m) in t.totals.values.sorted(by: { $0.currency < $1.currency }).enumerated() {
            if i > 0 { try s.raw(",") }
            try s.raw("{")
            try s.jsonKey("currency"); try s.jsonString(m.currency.code); try s.raw(",")
            try s.jsonKey("amount"); try s.jsonMoney(m)
            try s.raw("}")
        }
        try s.raw("]}\n")
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
