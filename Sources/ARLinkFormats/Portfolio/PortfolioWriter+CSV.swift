import ARLinkCore

/// The CSV flavour (docs/portfolio-format.md): every line starts with its record type.
///
///     H,schema,file_id,kind,direction,batch_id,sequence,sender,recipient,recipient_key_sha256,created_at,previous_file_sha256,as_of,audit_checkpoint
///     D,record_type,account_ref,oldest_due_date,days_past_due,last_payment_date,recall_reason,name,tax_id,email,phone,street,postal_code,city,country,language
///     I,number,invoice_date,due_date,currency,amount,open_amount,days_past_due
///     B,currency,amount
///     A,bucket,currency,amount
///     R,date,type,currency,amount,interest,fees,payments,credits,creditor_name,creditor_account
///     F,communication_restricted,communication_restriction,disputed,bankruptcy_chapter,deceased,attorney_represented
///     T,place,update,recall,record_count[,currency,amount]...
extension PortfolioWriter {
    func writeCSVHeader() throws {
        let h = header
        try csvLine(["H", h.schema, h.fileID, h.kind, h.direction, h.batchID, String(h.sequence), h.sender, h.recipient,
                     h.recipientKeySHA256, h.createdAt, h.previousFileSHA256 ?? "", h.asOf?.iso ?? "", h.auditCheckpoint ?? ""])
    }

    func writeCSV(_ r: PortfolioRecord) throws {
        var fields = ["D", r.action.rawValue, r.accountRef, r.oldestDueDate?.iso ?? "", String(r.daysPastDue),
                      r.lastPaymentDate?.iso ?? "", r.recallReason?.rawValue ?? ""]
        for field in DebtorField.allCases { fields.append(r.debtor?.fields[field] ?? "") }
        try csvLine(fields)
        for inv in r.invoices {
            try csvLine(["I", inv.number, inv.invoiceDate?.iso ?? "", inv.dueDate.iso, inv.openAmount.currency.code,
                         inv.amount.decimalString, inv.openAmount.decimalString, String(inv.daysPastDue)])
        }
        for m in r.balances { try csvLine(["B", m.currency.code, m.decimalString]) }
        for a in r.aging { try csvLine(["A", a.bucket, a.amount.currency.code, a.amount.decimalString]) }
        if let t = r.itemization {
            try csvLine(["R", t.date.iso, t.type.rawValue, t.currency.code, t.amount.decimalString, t.interest.decimalString,
                         t.fees.decimalString, t.payments.decimalString, t.credits.decimalString, t.creditorName, t.creditorAccount])
        }
        if let f = r.flags {
            func yes(_ b: Bool) -> String { b ? "true" : "false" }
            try csvLine(["F", yes(f.communicationRestricted), f.communicationRestriction ?? "", yes(f.disputed),
                         f.bankruptcyChapter.map(String.init) ?? "", yes(f.deceased), yes(f.attorneyRepresented)])
        }
    }

    func writeCSVTrailer() throws {
        let t = currentTotals
        var fields = ["T"]
        for type in PortfolioVocabulary.recordTypes { fields.append(String(t.counts[type] ?? 0)) }
        fields.append(String(t.recordCount))
        for m in t.totals.values.sorted(by: { $0.currency < $1.currency }) {
            fields.append(m.currency.code)
            fields.append(m.decimalString)
        }
        try csvLine(fields)
    }

    /// One RFC 4180 line with CRLF-free `\n` ending; fields quoted when they hold a comma,
    /// quote, line break or leading/trailing space.
    private func csvLine(_ fields: [String]) throws {
        let s = sinkForExtensions
        for (i, field) in fields.enumerated() {
            if i > 0 { s.append(UInt8(ascii: ",")) }
            let needsQuotes = field.utf8.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }
                || field.utf8.first == 32 || field.utf8.last == 32
            if needsQuotes {
                s.append(UInt8(ascii: "\""))
                for b in field.utf8 {
                    if b == 34 { s.append(34) }
                    s.append(b)
                }
                s.append(UInt8(ascii: "\""))
            } else {
                s.append(field)
            }
        }
        s.append(10)
    }
}
