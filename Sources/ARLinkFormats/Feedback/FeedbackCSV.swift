public import ARLinkCore

/// The CSV flavour of `feedback.v1`: RFC 4180 rows without a column-name line, the record
/// type first. Header rows carry the manifest fields in ``headerColumns`` order; event rows
/// the wide ``eventColumns`` (empty means absent); the trailer `trailer,COUNTS,TOTALS` with
/// counts as `payment=3;risk=2` and totals as `EUR=12.50;USD=1.00` (acknowledgements alike).
///
/// Each row is turned into the same record the JSON Lines flavour has, and validated by the
/// same rules.
public enum FeedbackCSV {
    /// Header row fields after `header`.
    public static let headerColumns = ["schema", "file_id", "kind", "direction", "batch_id", "sequence", "sender", "recipient",
                                       "recipient_key_sha256", "created_at", "previous_file_sha256", "audit_checkpoint"]
    /// Event row fields after the record type.
    public static let eventColumns = ["event_id", "account_ref", "invoice_number", "occurred_on", "amount", "currency",
                                      "payment_reference", "reverses_event_id", "promised_date", "instalments", "reason", "status",
                                      "contact_street", "contact_postal_code", "contact_city", "contact_country", "contact_phone",
                                      "contact_email", "score", "segment", "batch_id", "counts", "totals", "comment"]
    static let numeric: Set<String> = ["sequence", "instalments", "score"]

    /// Builds the record of one CSV row (`fields[0]` is the record type).
    static func record(_ fields: [String]) -> LineJSON? {
        guard let type = fields.first else { return nil }
        var members: [String: LineJSON] = ["record_type": .string(type)]
        switch type {
        case "header":
            for (index, name) in headerColumns.enumerated() {
                let value = index + 1 < fields.count ? fields[index + 1] : ""
                if name == "previous_file_sha256" && value.isEmpty { members[name] = .null; continue }
                if name == "audit_checkpoint" && value.isEmpty { continue }
                members[name] = numeric.contains(name) ? .number(value) : .string(value)
            }
            if fields.count > headerColumns.count + 1 { members["unexpected_field"] = .string("") }
        case "trailer":
            members["counts"] = pairs(fields.count > 1 ? fields[1] : "", numbers: true)
            members["totals"] = pairs(fields.count > 2 ? fields[2] : "", numbers: false)
            if fields.count > 3 { members["unexpected_field"] = .string("") }
        default:
            var contact: [String: LineJSON] = [:]
            for (index, name) in eventColumns.enumerated() {
                guard index + 1 < fields.count, !fields[index + 1].isEmpty else { continue }
                let value = fields[index + 1]
                if name.hasPrefix("contact_") {
                    contact[String(name.dropFirst("contact_".count))] = .string(value)
                } else if name == "counts" || name == "totals" {
                    members[name] = pairs(value, numbers: name == "counts")
                } else {
                    members[name] = numeric.contains(name) && Int(value) != nil ? .number(value) : .string(value)
                }
            }
            if !contact.isEmpty { members["contact"] = .object(contact) }
            if fields.count > eventColumns.count + 1 { members["unexpected_field"] = .string("") }
        }
        return .object(members)
    }

    /// `a=1;b=2` as an object of numbers or strings.
    static func pairs(_ text: String, numbers: Bool) -> LineJSON {
        var out: [String: LineJSON] = [:]
        for part in text.split(separator: ";") where !part.isEmpty {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0])
            let value = kv.count > 1 ? String(kv[1]) : ""
            out[key] = numbers && Int(value) != nil ? .number(value) : .string(value)
        }
        return .object(out)
    }

    /// The header row.
    public static func headerRow(_ h: FileHeader) -> String {
        CSVText.row(["header", h.schema, h.fileID, h.kind, h.direction, h.batchID, String(h.sequence), h.sender, h.recipient,
                     h.recipientKeySHA256, h.createdAt, h.previousFileSHA256 ?? ""] + (h.auditCheckpoint.map { [$0] } ?? []), guardFormulas: false)
    }

    /// The trailer row.
    public static func trailerRow(_ totals: ControlTotals) -> String {
        CSVText.row(["trailer", countsText(totals.counts), totalsText(totals.totals)], guardFormulas: false)
    }

    static func countsText(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
    }

    static func totalsText(_ totals: [Currency: Money]) -> String {
        totals.sorted { $0.key < $1.key }.map { "\($0.key.code)=\($0.value.decimalString)" }.joined(separator: ";")
    }

    /// One event row.
    public static func eventRow(_ e: FeedbackEvent) -> String {
        let c = e.contact ?? [:]
        let ack = e.acknowledgedTotals
        let values: [String] = [
            e.eventID, e.accountRef, e.invoiceNumber ?? "", e.occurredOn?.iso ?? "", e.amount?.decimalString ?? "",
            e.amount?.currency.code ?? "", "", e.reversesEventID ?? "", e.promisedDate?.iso ?? "", e.instalments.map(String.init) ?? "",
            e.disputeReason ?? "", e.status?.rawValue ?? "", c["street"] ?? "", c["postal_code"] ?? "", c["city"] ?? "",
            c["country"] ?? "", c["phone"] ?? "", c["email"] ?? "", e.riskScore.map(String.init) ?? "", e.riskSegment ?? "",
            e.acknowledgedBatchID ?? "", ack.map { countsText($0.counts) } ?? "", ack.map { totalsText($0.totals) } ?? "", e.comment ?? "",
        ]
        return CSVText.row([e.type.rawValue] + values, guardFormulas: false)
    }
}
