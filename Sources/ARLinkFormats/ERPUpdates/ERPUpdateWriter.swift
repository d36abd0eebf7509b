public import ARLinkCore

/// Writes one ERP import file of status updates (`erp-update.v1`), JSON Lines or CSV,
/// atomically: header, one record per update, trailer with the count.
public final class ERPUpdateWriter {
    /// The two file flavours.
    public enum Format: String, Sendable, CaseIterable {
        case jsonl, csv
    }

    /// CSV columns, in order; the first is the record type.
    public static let csvColumns = [
        "record_type", "update_id", "partner", "source_event_id", "source_event_type", "source_file_id", "account_ref",
        "invoice_number", "status", "amount", "open_amount", "currency", "date", "comment", "contact_street",
        "contact_postal_code", "contact_city", "contact_country", "contact_phone", "contact_email", "risk_score", "risk_segment",
    ]

    private let file: AtomicTextFile
    private let format: Format
    private var count = 0

    /// Creates the file and writes the header.
    /// - Parameters:
    ///   - exportID: the id of this export (also in its file name).
    ///   - createdAt: UTC time, ISO 8601.
    public init(path: String, format: Format, exportID: String, createdAt: String) throws {
        file = try AtomicTextFile(path: path, mode: 0o640)
        self.format = format
        switch format {
        case .jsonl:
            try file.writeLine(JSONText.object([("record_type", .string("header")), ("schema", .string("erp-update.v1")),
                                                ("export_id", .string(exportID)), ("created_at", .string(createdAt))]))
        case .csv:
            try file.writeLine(Self.csvColumns.joined(separator: ","))
            try file.writeLine(CSVText.row(["header", exportID, "", "", "", "", "", "", "erp-update.v1", "", "", "", createdAt]
                                            + Array(repeating: "", count: Self.csvColumns.count - 13)))
        }
    }

    /// Writes one update.
    public func write(_ u: ERPUpdate) throws {
        try writeRecord(format == .jsonl ? ERPUpdateJSON.record(u) : ERPUpdateJSON.csvRow(u))
    }

    /// Writes one update already rendered for this file's format (from the outbox).
    public func writeRecord(_ text: String) throws {
        count += 1
        try file.writeLine(text)
    }

    /// Writes the trailer and makes the file appear.
    public func finish() throws {
        switch format {
        case .jsonl:
            try file.writeLine(JSONText.object([("record_type", .string("trailer")), ("counts", .raw(JSONText.counts(["update": count])))]))
        case .csv:
            try file.writeLine(CSVText.row(["trailer", String(count)] + Array(repeating: "", count: Self.csvColumns.count - 2)))
        }
        try file.commit()
    }
}

/// Text of one `erp-update.v1` record, as JSON or as a CSV row.
public enum ERPUpdateJSON {
    /// The CSV row (columns ``ERPUpdateWriter/csvColumns``).
    public static func csvRow(_ u: ERPUpdate) -> String {
        let c = u.contact ?? [:]
        let currency = u.amount?.currency.code ?? u.openAmount?.currency.code ?? ""
        return CSVText.row([
            "update", u.updateID, u.partner, u.sourceEventID, u.sourceEventType, u.sourceFileID ?? "", u.accountRef,
            u.invoiceNumber ?? "", u.status.rawValue, u.amount?.decimalString ?? "", u.openAmount?.decimalString ?? "", currency,
            u.date?.iso ?? "", u.comment ?? "", c["street"] ?? "", c["postal_code"] ?? "", c["city"] ?? "", c["country"] ?? "",
            c["phone"] ?? "", c["email"] ?? "", u.riskScore.map(String.init) ?? "", u.riskSegment ?? "",
        ])
    }

    public static func record(_ u: ERPUpdate) -> String {
        let currency = u.amount?.currency.code ?? u.openAmount?.currency.code
        return JSONText.object([
            ("record_type", .string("update")), ("update_id", .string(u.updateID)), ("partner", .string(u.partner)),
            ("source_event_id", .string(u.sourceEventID)), ("source_event_type", .string(u.sourceEventType)),
            ("source_file_id", u.sourceFileID.map { .string($0) }), ("account_ref", .string(u.accountRef)),
            ("invoice_number", u.invoiceNumber.map { .string($0) } ?? .null), ("status", .string(u.status.rawValue)),
            ("amount", u.amount.map { .string($0.decimalString) }), ("open_amount", u.openAmount.map { .string($0.decimalString) }),
            ("currency", currency.map { .string($0) }), ("date", u.date.map { .string($0.iso) }),
            ("comment", u.comment.map { .string($0) }),
            ("contact", u.contact.map { c in .raw(JSONText.object(c.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })) }),
            ("risk_score", u.riskScore.map { .int($0) }), ("risk_segment", u.riskSegment.map { .string($0) }),
        ])
    }
}

/// RFC 4180 field quoting for the CSV flavours.
public enum CSVText {
    /// One CSV row: fields with a comma, quote, CR or LF are quoted; quotes doubled. Fields
    /// starting with `=`, `+`, `-`, `@` that are not numbers get a leading `'` against formula injection.
    /// - Parameter guardFormulas: prefix formula-like values (ERP files, opened in spreadsheets); off for exchange files.
    public static func row(_ fields: [String], guardFormulas: Bool = true) -> String {
        fields.map { field($0, guardFormulas: guardFormulas) }.joined(separator: ",")
    }

    static func field(_ s: String, guardFormulas: Bool) -> String {
        var value = s
        if guardFormulas, let first = value.utf8.first, first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "@")
            || (first == UInt8(ascii: "-") && Double(value) == nil) {
            value = "'" + value
        }
        guard value.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return value }
        return "\"" + value.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
