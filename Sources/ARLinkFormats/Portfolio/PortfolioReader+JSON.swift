import ARLinkCore

extension PortfolioReader {
    static let headerKeys = ["record_type", "schema", "file_id", "kind", "direction", "batch_id", "sequence", "sender", "recipient",
                             "recipient_key_sha256", "created_at", "previous_file_sha256", "as_of", "audit_checkpoint"]
    static let detailKeys = ["record_type", "account_ref", "debtor", "invoices", "balances", "aging", "oldest_due_date",
                             "days_past_due", "last_payment_date", "recall_reason"]
    static let invoiceKeys = ["number", "invoice_date", "due_date", "currency", "amount", "open_amount", "days_past_due"]
    static let trailerKeys = ["record_type", "counts", "record_count", "totals"]

    static func readJSONL(path: String, onRecord: (PortfolioRecord) throws -> Void) throws -> (header: FileHeader, totals: ControlTotals) {
        let lines = try TextLineReader(path: path)
        let file = lines.displayName
        var header: FileHeader?
        var computed = ControlTotals(counts: ["place": 0, "update": 0, "recall": 0])
        var trailerSeen = false
        while let value = try lines.next({ bytes -> LineJSON? in
            if bytes.isEmpty { return nil }
            do {
                let bom = lines.line == 1 && bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
                let body = bom ? bytes.extracting(3...) : bytes
                // LineJSONParser reads from a buffer pointer.
                return try unsafe body.withUnsafeBufferPointer { buffer throws(LineJSONParser.Failure) in try unsafe LineJSONParser.parse(buffer) }
            } catch let error as LineJSONParser.Failure {
                throw FormatError(.badJSON, "\(file) line \(Location.grouped(lines.line)) is not valid JSON (\(error.reason) at byte \(error.offset + 1))")
            }
        }) {
            let place = "\(file) line \(Location.grouped(lines.line))"
            guard let value else {
                throw FormatError(.badRecord, "\(place) is empty (expected one JSON record per line)")
            }
            if trailerSeen {
                throw FormatError(.badRecord, "\(place): a record follows the trailer (the trailer must be the last line)")
            }
            let fields = try PortfolioFields(value, place: place)
            let type = try fields.string("record_type")
            if header == nil {
                guard type == "header" else {
                    throw FormatError(.missingHeader, "\(place): the first record is \"\(type.prefix(20))\", expected the header record")
                }
                header = try parseHeader(fields)
                continue
            }
            switch type {
            case "header":
                throw FormatError(.badRecord, "\(place): a second header record (expected one header, first)")
            case "trailer":
                try fields.exactly(trailerKeys)
                let (trailer, recordCount) = try parseTrailer(fields)
                try checkTrailer(file: file, line: lines.line, trailer: trailer, trailerRecordCount: recordCount, computed: computed)
                trailerSeen = true
            case "place", "update", "recall":
                let record = try parseDetail(fields)
                try computed.add(type: record.action.rawValue, amounts: record.invoices.map { $0.openAmount })
                try onRecord(record)
            default:
                throw FormatError(.badRecord, "\(place), field \"record_type\": \"\(type.prefix(20))\" is not a portfolio record type (expected header, place, update, recall or trailer)")
            }
        }
        guard let header else { throw FormatError(.emptyFile, "\(file) is empty (expected a portfolio header record)") }
        guard trailerSeen else { throw missingTrailer(file, records: computed.recordCount) }
        return (header, computed)
    }

    static func parseHeader(_ f: PortfolioFields) throws -> FileHeader {
        try f.exactly(headerKeys)
        return FileHeader(
            schema: try f.string("schema"), fileID: try f.string("file_id"), kind: try f.string("kind"),
            direction: try f.string("direction"), batchID: try f.string("batch_id"), sequence: try f.int("sequence", min: 1),
            sender: try f.string("sender"), recipient: try f.string("recipient"),
            recipientKeySHA256: try f.string("recipient_key_sha256"), createdAt: try f.string("created_at"),
            previousFileSHA256: try f.optionalString("previous_file_sha256"), asOf: try f.optionalDate("as_of"),
            auditCheckpoint: try f.optionalString("audit_checkpoint"))
    }

    static func parseDetail(_ f: PortfolioFields) throws -> PortfolioRecord {
        try f.exactly(detailKeys, optional: ["itemization", "flags"])
        let type = try f.string("record_type")
        guard let action = PlacementAction(rawValue: type) else { throw f.bad("record_type", "place, update or recall") }
        var debtor: DebtorData?
        switch f.members["debtor"] {
        case .null?: debtor = nil
        case .object(let members)?:
            var fields: [DebtorField: String] = [:]
            for (key, value) in members {
                guard let field = DebtorField(rawValue: key) else { throw f.bad("debtor", "only the fields \(DebtorField.allCases.map(\.rawValue).joined(separator: ", ")) (found \"\(key.prefix(30))\")") }
                guard case .string(let s) = value else { throw f.bad("debtor", "string values (\"\(key)\" is not a string)") }
                fields[field] = s
            }
            debtor = DebtorData(fields: fields)
        default: throw f.bad("debtor", "an object or null")
        }
        var invoices: [PortfolioInvoice] = []
        for (i, item) in try f.array("invoices").enumerated() {
            let inv = try PortfolioFields(item, place: "\(f.place), invoices[\(i)]")
            try inv.exactly(invoiceKeys)
            let currency = try inv.currency("currency")
            invoices.append(PortfolioInvoice(
                number: try inv.string("number"), invoiceDate: try inv.optionalDate("invoice_date"), dueDate: try inv.date("due_date"),
                amount: try inv.money("amount", currency: currency), openAmount: try inv.money("open_amount", currency: currency),
                daysPastDue: try inv.int("days_past_due")))
        }
        var balances: [Money] = []
        for (i, item) in try f.array("balances").enumerated() {
            let b = try PortfolioFields(item, place: "\(f.place), balances[\(i)]")
            try b.exactly(["currency", "amount"])
            balances.append(try b.money("amount", currency: try b.currency("currency")))
        }
        var aging: [AgingAmount] = []
        for (i, item) in try f.array("aging").enumerated() {
            let a = try PortfolioFields(item, place: "\(f.place), aging[\(i)]")
            try a.exactly(["bucket", "currency", "amount"])
            aging.append(AgingAmount(bucket: try a.string("bucket"), amount: try a.money("amount", currency: try a.currency("currency"))))
        }
        var reason: RecallReason?
        if let text = try f.optionalString("recall_reason") {
            guard let r = RecallReason(rawValue: text) else { throw f.bad("recall_reason", "paid_to_creditor, disputed, no_longer_eligible, closed_in_erp, erasure_request or null") }
            reason = r
        }
        let record = PortfolioRecord(
            action: action, accountRef: try f.string("account_ref"), debtor: debtor, invoices: invoices, balances: balances,
            aging: aging, oldestDueDate: try f.optionalDate("oldest_due_date"), daysPastDue: try f.int("days_past_due"),
            lastPaymentDate: try f.optionalDate("last_payment_date"), recallReason: reason,
            itemization: f.members["itemization"] == nil ? nil : try parseItemization(f),
            flags: f.members["flags"] == nil ? nil : try parseFlags(f))
        do {
            try PortfolioWriter.validate(record)
        } catch let error as FormatError {
            throw FormatError(.badRecord, "\(f.place): \(error.message)")
        }
        return record
    }

    static func parseTrailer(_ f: PortfolioFields) throws -> (ControlTotals, Int) {
        guard case .object(let counts)? = f.members["counts"] else { throw f.bad("counts", "an object with place, update and recall counts") }
        var totals = ControlTotals()
        let countFields = try PortfolioFields(.object(counts), place: "\(f.place), counts")
        try countFields.exactly(PortfolioVocabulary.recordTypes)
        for type in PortfolioVocabulary.recordTypes { totals.counts[type] = try countFields.int(type, min: 0) }
        for (i, item) in try f.array("totals").enumerated() {
            let t = try PortfolioFields(item, place: "\(f.place), totals[\(i)]")
            try t.exactly(["currency", "amount"])
            let currency = try t.currency("currency")
            guard totals.totals[currency] == nil else { throw t.bad("currency", "each currency once (\(currency.code) repeats)") }
            totals.totals[currency] = try t.money("amount", currency: currency)
        }
        return (totals, try f.int("record_count", min: 0))
    }

    /// The optional `flags` member of a detail record.
    static func parseFlags(_ f: PortfolioFields) throws -> AccountFlags {
        let t = try PortfolioFields(f.members["flags"] ?? .null, place: "\(f.place), flags")
        try t.exactly(["communication_restricted", "communication_restriction", "disputed", "bankruptcy_chapter", "deceased", "attorney_represented"])
        func flag(_ key: String) throws -> Bool {
            switch t.members[key] {
            case .bool(let b)?: return b
            default: throw t.bad(key, "true or false")
            }
        }
        var chapter: Int?
        if case .null? = t.members["bankruptcy_chapter"] {} else {
            chapter = try t.int("bankruptcy_chapter", min: 1)
            guard chapter ?? 0 <= 99 else { throw t.bad("bankruptcy_chapter", "a whole number from 1 to 99 or null") }
        }
        return AccountFlags(
            communicationRestricted: try flag("communication_restricted"), communicationRestriction: try t.optionalString("communication_restriction"),
            disputed: try flag("disputed"), bankruptcyChapter: chapter, deceased: try flag("deceased"),
            attorneyRepresented: try flag("attorney_represented"))
    }

    /// The optional `itemization` member of a detail record.
    static func parseItemization(_ f: PortfolioFields) throws -> Itemization {
        let t = try PortfolioFields(f.members["itemization"] ?? .null, place: "\(f.place), itemization")
        try t.exactly(["date", "type", "currency", "amount", "interest", "fees", "payments", "credits", "creditor_name", "creditor_account"])
        guard let type = ItemizationType(rawValue: try t.string("type")) else {
            throw t.bad("type", ItemizationType.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let c = try t.currency("currency")
        func amount(_ key: String) throws -> Money {
            let m = try t.money(key, currency: c)
            guard m.minorUnits >= 0 else { throw t.bad(key, "an amount of zero or more") }
            return m
        }
        return Itemization(
            date: try t.date("date"), type: type, amount: try amount("amount"), interest: try amount("interest"),
            fees: try amount("fees"), payments: try amount("payments"), credits: try amount("credits"),
            creditorName: try t.string("creditor_name"), creditorAccount: try t.string("creditor_account"))
    }
}
