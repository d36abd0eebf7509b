import ARLinkCore

extension PortfolioReader {
    /// Reads the CSV flavour (layout in ``PortfolioWriter``'s CSV extension and docs/portfolio-format.md).
    static func readCSV(path: String, onRecord: (PortfolioRecord) throws -> Void) throws -> (header: FileHeader, totals: ControlTotals) {
        let csv = try CSVReader(path: path, options: CSVOptions(maxRecordBytes: 16 << 20))
        let file = csv.displayName
        var header: FileHeader?
        var computed = ControlTotals(counts: ["place": 0, "update": 0, "recall": 0])
        var current: PortfolioRecord?
        var trailerSeen = false

        func place() -> String { "\(file) line \(Location.grouped(csv.line))" }
        func field(_ i: Int, _ name: String, trim: Bool = true) throws -> String {
            guard i < csv.fieldCount else { throw FormatError(.badRecord, "\(place()): the column \"\(name)\" is missing") }
            return try csv.string(i, column: name, trim: trim)
        }
        func count(_ expected: Int, _ kind: String) throws {
            guard csv.fieldCount == expected else {
                if !csv.recordHasLineEnd { throw missingTrailer(file, records: computed.recordCount) }
                throw FormatError(.badRecord, "\(place()): a \(kind) line has \(csv.fieldCount) columns, expected \(expected)")
            }
        }
        func date(_ i: Int, _ name: String) throws -> LocalDate? {
            let text = try field(i, name)
            if text.isEmpty { return nil }
            guard let d = LocalDate(iso: text) else { throw FormatError(.badRecord, "\(place()), column \"\(name)\": \(Location.quote(text)) is not a date (expected YYYY-MM-DD)") }
            return d
        }
        func integer(_ i: Int, _ name: String, min: Int = Int.min) throws -> Int {
            let text = try field(i, name)
            guard let v = Int(text), v >= min else { throw FormatError(.badRecord, "\(place()), column \"\(name)\": \(Location.quote(text)) is not a whole number") }
            return v
        }
        func currency(_ i: Int) throws -> Currency {
            let code = try field(i, "currency")
            guard code.utf8.count == 3, code == code.uppercased(), let c = try? Currency(code) else {
                throw FormatError(.badRecord, "\(place()), column \"currency\": \(Location.quote(code)) is not an ISO 4217 code")
            }
            return c
        }
        func money(_ i: Int, _ name: String, _ currency: Currency) throws -> Money {
            let text = try field(i, name)
            guard PortfolioFields.isCanonicalDecimal(text, exponent: currency.exponent),
                  let minor = try? Money.parseMinorUnits(text, exponent: currency.exponent) else {
                throw FormatError(.badRecord, "\(place()), column \"\(name)\": \(Location.quote(text)) is not an amount with exactly \(currency.exponent) decimals for \(currency.code)")
            }
            return Money(minorUnits: minor, currency: currency)
        }
        func flush() throws {
            guard let record = current else { return }
            do { try PortfolioWriter.validate(record) } catch let error as FormatError {
                throw FormatError(.badRecord, "\(file), account record ending before line \(Location.grouped(csv.line)): \(error.message)")
            }
            try computed.add(type: record.action.rawValue, amounts: record.invoices.map { $0.openAmount })
            try onRecord(record)
            current = nil
        }

        while try csv.nextRecord() {
            let type = try field(0, "record_type")
            if trailerSeen { throw FormatError(.badRecord, "\(place()): a line follows the trailer (the trailer must be the last line)") }
            if header == nil {
                guard type == "H" else { throw FormatError(.missingHeader, "\(place()): the first line is not a header line (expected H)") }
                try count(PortfolioVocabulary.headerFieldCount, "header")
                let sequence = try integer(6, "sequence", min: 1)
                let previous = try field(11, "previous_file_sha256")
                let checkpoint = try field(13, "audit_checkpoint", trim: false)
                header = FileHeader(
                    schema: try field(1, "schema"), fileID: try field(2, "file_id"), kind: try field(3, "kind"),
                    direction: try field(4, "direction"), batchID: try field(5, "batch_id"), sequence: sequence,
                    sender: try field(7, "sender"), recipient: try field(8, "recipient"),
                    recipientKeySHA256: try field(9, "recipient_key_sha256"), createdAt: try field(10, "created_at"),
                    previousFileSHA256: previous.isEmpty ? nil : previous, asOf: try date(12, "as_of"),
                    auditCheckpoint: checkpoint.isEmpty ? nil : checkpoint)
                continue
            }
            switch type {
            case "D":
                try flush()
                try count(7 + DebtorField.allCases.count, "detail")
                let actionText = try field(1, "record_type")
                guard let action = PlacementAction(rawValue: actionText) else {
                    throw FormatError(.badRecord, "\(place()), column \"record_type\": \(Location.quote(actionText)) is not place, update or recall")
                }
                let reasonText = try field(6, "recall_reason")
                var reason: RecallReason?
                if !reasonText.isEmpty {
                    guard let r = RecallReason(rawValue: reasonText) else {
                        throw FormatError(.badRecord, "\(place()), column \"recall_reason\": \(Location.quote(reasonText)) is not a recall reason")
                    }
                    reason = r
                }
                var debtor: [DebtorField: String] = [:]
                for (k, f) in DebtorField.allCases.enumerated() {
                    let value = try field(7 + k, f.rawValue, trim: false)
                    if !value.isEmpty { debtor[f] = value }
                }
                let ref = try field(2, "account_ref")
                guard !ref.isEmpty else { throw FormatError(.badRecord, "\(place()), column \"account_ref\": the value is empty") }
                current = PortfolioRecord(
                    action: action, accountRef: ref, debtor: debtor.isEmpty ? nil : DebtorData(fields: debtor), invoices: [],
                    balances: [], aging: [], oldestDueDate: try date(3, "oldest_due_date"), daysPastDue: try integer(4, "days_past_due"),
                    lastPaymentDate: try date(5, "last_payment_date"), recallReason: reason)
            case "I", "B", "A":
                guard current != nil else { throw FormatError(.badRecord, "\(place()): an \(type) line before any D line (invoice, balance and aging lines follow their account)") }
                if type == "I" {
                    try count(8, "invoice")
                    let c = try currency(4)
                    guard let due = try date(3, "due_date") else { throw FormatError(.badRecord, "\(place()), column \"due_date\": the value is empty") }
                    let number = try field(1, "number")
                    guard !number.isEmpty else { throw FormatError(.badRecord, "\(place()), column \"number\": the value is empty") }
                    current?.invoices.append(PortfolioInvoice(
                        number: number, invoiceDate: try date(2, "invoice_date"), dueDate: due, amount: try money(5, "amount", c),
                        openAmount: try money(6, "open_amount", c), daysPastDue: try integer(7, "days_past_due")))
                } else if type == "B" {
                    try count(3, "balance")
                    current?.balances.append(try money(2, "amount", try currency(1)))
                } else {
                    try count(4, "aging")
                    let bucket = try field(1, "bucket")
                    guard !bucket.isEmpty else { throw FormatError(.badRecord, "\(place()), column \"bucket\": the value is empty") }
                    current?.aging.append(AgingAmount(bucket: bucket, amount: try money(3, "amount", try currency(2))))
                }
            case "R":
                guard current != nil else { throw FormatError(.badRecord, "\(place()): an R line before any D line (the itemization line follows its account)") }
                guard current?.itemization == nil else { throw FormatError(.badRecord, "\(place()): a second R line for the same account (at most one itemization per account)") }
                try count(11, "itemization")
                guard let date = try date(1, "date") else { throw FormatError(.badRecord, "\(place()), column \"date\": the value is empty") }
                let typeText = try field(2, "type")
                guard let type = ItemizationType(rawValue: typeText) else {
                    throw FormatError(.badRecord, "\(place()), column \"type\": \(Location.quote(typeText)) is not an itemization type (expected \(ItemizationType.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                let c = try currency(3)
                var amounts: [Money] = []
                for (i, name) in ["amount", "interest", "fees", "payments", "credits"].enumerated() {
                    let m = try money(4 + i, name, c)
                    guard m.minorUnits >= 0 else { throw FormatError(.badRecord, "\(place()), column \"\(name)\": the amount is negative (expected zero or more)") }
                    amounts.append(m)
                }
                let creditor = try field(9, "creditor_name", trim: false)
                let account = try field(10, "creditor_account", trim: false)
                guard !creditor.isEmpty, !account.isEmpty else {
                    throw FormatError(.badRecord, "\(place()): an R line needs the creditor's name and account number")
                }
                current?.itemization = Itemization(
                    date: date, type: type, amount: amounts[0], interest: amounts[1], fees: amounts[2], payments: amounts[3],
                    credits: amounts[4], creditorName: creditor, creditorAccount: account)
            case "F":
                guard current != nil else { throw FormatError(.badRecord, "\(place()): an F line before any D line (the flags line follows its account)") }
                guard current?.flags == nil else { throw FormatError(.badRecord, "\(place()): a second F line for the same account (at most one per account)") }
                try count(7, "flags")
                func flag(_ i: Int, _ name: String) throws -> Bool {
                    let text = try field(i, name)
                    guard text == "true" || text == "false" else { throw FormatError(.badRecord, "\(place()), column \"\(name)\": \(Location.quote(text)) is not true or false") }
                    return text == "true"
                }
                let chapterText = try field(4, "bankruptcy_chapter")
                if !chapterText.isEmpty, (Int(chapterText) ?? 0) > 99 {
                    throw FormatError(.badRecord, "\(place()), column \"bankruptcy_chapter\": \(Location.quote(chapterText)) is not a chapter from 1 to 99")
                }
                let text = try field(2, "communication_restriction", trim: false)
                current?.flags = AccountFlags(
                    communicationRestricted: try flag(1, "communication_restricted"), communicationRestriction: text.isEmpty ? nil : text,
                    disputed: try flag(3, "disputed"), bankruptcyChapter: chapterText.isEmpty ? nil : try integer(4, "bankruptcy_chapter", min: 1),
                    deceased: try flag(5, "deceased"), attorneyRepresented: try flag(6, "attorney_represented"))
            case "T":
                try flush()
                guard csv.fieldCount >= 5, (csv.fieldCount - 5) % 2 == 0 else {
                    throw FormatError(.badRecord, "\(place()): the trailer has \(csv.fieldCount) columns, expected 5 plus a currency and amount pair per currency")
                }
                var trailer = ControlTotals()
                for (k, t) in PortfolioVocabulary.recordTypes.enumerated() { trailer.counts[t] = try integer(1 + k, t, min: 0) }
                let recordCount = try integer(4, "record_count", min: 0)
                var i = 5
                while i + 1 < csv.fieldCount {
                    let c = try currency(i)
                    guard trailer.totals[c] == nil else { throw FormatError(.badRecord, "\(place()): the trailer lists \(c.code) twice") }
                    trailer.totals[c] = try money(i + 1, "amount", c)
                    i += 2
                }
                try checkTrailer(file: file, line: csv.line, trailer: trailer, trailerRecordCount: recordCount, computed: computed)
                trailerSeen = true
            case "H":
                throw FormatError(.badRecord, "\(place()): a second header line (expected one header, first)")
            default:
                throw FormatError(.badRecord, "\(place()): \(Location.quote(type)) is not a portfolio line type (expected H, D, I, B, A or T)")
            }
        }
        guard let header else { throw FormatError(.emptyFile, "\(file) is empty (expected a portfolio header line)") }
        guard trailerSeen else { throw missingTrailer(file, records: computed.recordCount + (current == nil ? 0 : 1)) }
        return (header, computed)
    }
}
