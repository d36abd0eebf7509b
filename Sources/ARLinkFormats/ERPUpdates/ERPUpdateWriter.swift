public import ARLinkCore
public import ARLinkSystem

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

    @usableFromInline let file: AtomicTextFile
    public let format: Format
    @usableFromInline var count = 0

    /// Creates the file and writes the header.
    /// - Parameters:
    ///   - exportID: the id of this export (also in its file name).
    ///   - createdAt: UTC time, ISO 8601.
    public init(path: String, format: Format, exportID: String, createdAt: String) throws {
        file = try AtomicTextFile(path: path, mode: 0o640, direct: true)
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
    @inlinable
    public func write<U: ERPUpdateFields>(_ u: U) throws {
        count += 1
        switch format {
        case .jsonl: try file.writeLine { ERPUpdateBytes.appendJSON(u, to: $0) }
        case .csv: try file.writeLine { ERPUpdateBytes.appendCSV(u, to: $0) }
        }
    }

    /// Writes one update to a JSON Lines writer and a CSV writer at once (each field read once).
    @inlinable
    public static func write<U: ERPUpdateFields>(_ u: U, json: ERPUpdateWriter, csv: ERPUpdateWriter) throws {
        precondition(json.format == .jsonl && csv.format == .csv, "ERPUpdateWriter.write(_:json:csv:) takes a JSON Lines writer and a CSV writer")
        json.count += 1
        csv.count += 1
        try json.file.writeLines(alongside: csv.file) { j, c in ERPUpdateBytes.appendBoth(u, json: j, csv: c) }
    }

    /// The number of updates written so far.
    public var recordCount: Int { count }

    /// Writes one update already rendered for this file's format (from the outbox).
    public func writeRecord(_ text: String) throws {
        count += 1
        try file.writeLine(text)
    }

    /// Writes the trailer and makes the file appear.
    public func finish() throws {
        try writeTrailer()
        try file.commit()
    }

    /// Writes the trailer and leaves the file fsynced under its temporary name, for
    /// ``AtomicTextFile/publish(path:expectedBytes:)`` once the caller recorded it.
    /// - Returns: the staged file's size in bytes.
    public func stage() throws -> Int64 {
        try writeTrailer()
        return try file.stage()
    }

    private func writeTrailer() throws {
        switch format {
        case .jsonl:
            try file.writeLine(JSONText.object([("record_type", .string("trailer")), ("counts", .raw(JSONText.counts(["update": count])))]))
        case .csv:
            try file.writeLine(CSVText.row(["trailer", String(count)] + Array(repeating: "", count: Self.csvColumns.count - 2)))
        }
    }
}

/// Text of one `erp-update.v1` record, as JSON or as a CSV row.
public enum ERPUpdateJSON {
    /// The CSV row (columns ``ERPUpdateWriter/csvColumns``).
    public static func csvRow(_ u: ERPUpdate) -> String {
        let bytes = ByteBuffer(capacity: 512)
        ERPUpdateBytes.appendCSV(u, to: bytes)
        return String(decoding: UnsafeBufferPointer(start: bytes.base, count: bytes.count), as: UTF8.self)
    }

    /// The JSON object of one update.
    public static func record(_ u: ERPUpdate) -> String {
        let bytes = ByteBuffer(capacity: 512)
        ERPUpdateBytes.appendJSON(u, to: bytes)
        return String(decoding: UnsafeBufferPointer(start: bytes.base, count: bytes.count), as: UTF8.self)
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
