public import ARLinkCore

/// JSON Lines text of `feedback.v1` (and the shared header) records.
public enum FeedbackJSON {
    /// The header record of any exchange file.
    public static func header(_ h: FileHeader) -> String {
        JSONText.object([
            ("record_type", .string("header")), ("schema", .string(h.schema)), ("file_id", .string(h.fileID)),
            ("kind", .string(h.kind)), ("direction", .string(h.direction)), ("batch_id", .string(h.batchID)),
            ("sequence", .int(h.sequence)), ("sender", .string(h.sender)), ("recipient", .string(h.recipient)),
            ("recipient_key_sha256", .string(h.recipientKeySHA256)), ("created_at", .string(h.createdAt)),
            ("previous_file_sha256", h.previousFileSHA256.map { .string($0) } ?? .null),
            ("audit_checkpoint", h.auditCheckpoint.map { .string($0) }),
        ])
    }

    /// The trailer record.
    public static func trailer(_ totals: ControlTotals) -> String {
        JSONText.object([("record_type", .string("trailer")), ("counts", .raw(JSONText.counts(totals.counts))),
                         ("totals", .raw(JSONText.totals(totals.totals)))])
    }

    /// One event record.
    public static func event(_ e: FeedbackEvent) -> String {
        var m: [(String, JSONText.Field?)] = [("record_type", .string(e.type.rawValue)), ("event_id", .string(e.eventID))]
        if e.type != .acknowledgement { m.append(("account_ref", .string(e.accountRef))) }
        m.append(("invoice_number", e.invoiceNumber.map { .string($0) }))
        m.append(("occurred_on", e.occurredOn.map { .string($0.iso) }))
        if let amount = e.amount {
            m.append(("amount", .string(amount.decimalString)))
            m.append(("currency", .string(amount.currency.code)))
        }
        m.append(("reverses_event_id", e.reversesEventID.map { .string($0) }))
        m.append(("promised_date", e.promisedDate.map { .string($0.iso) }))
        m.append(("instalments", e.instalments.map { .int($0) }))
        m.append(("reason", e.disputeReason.map { .string($0) }))
        m.append(("status", e.status.map { .string($0.rawValue) }))
        if let contact = e.contact {
            m.append(("contact", .raw(JSONText.object(contact.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))))
        }
        m.append(("score", e.riskScore.map { .int($0) }))
        m.append(("segment", e.riskSegment.map { .string($0) }))
        if let batch = e.acknowledgedBatchID {
            let totals = e.acknowledgedTotals ?? ControlTotals()
            m.append(("batch_id", .string(batch)))
            m.append(("counts", .raw(JSONText.counts(totals.counts))))
            m.append(("totals", .raw(JSONText.totals(totals.totals))))
        }
        m.append(("comment", e.comment.map { .string($0) }))
        return JSONText.object(m)
    }
}

/// Writes a plaintext `feedback.v1` JSON Lines file (the partner's side: the simulator,
/// tests and the benchmark), computing the trailer from the events written.
public final class FeedbackWriter {
    private let file: AtomicTextFile
    private let format: FeedbackFormat
    public private(set) var totals = ControlTotals()

    /// Creates the file and writes the header.
    public init(path: String, header: FileHeader, format: FeedbackFormat = .jsonl) throws {
        file = try AtomicTextFile(path: path)
        self.format = format
        try file.writeLine(format == .csv ? FeedbackCSV.headerRow(header) : FeedbackJSON.header(header))
    }

    /// Writes one event and counts it.
    public func write(_ event: FeedbackEvent) throws {
        try file.writeLine(format == .csv ? FeedbackCSV.eventRow(event) : FeedbackJSON.event(event))
        totals.counts[event.type.rawValue, default: 0] += 1
        if event.type == .payment, let amount = event.amount {
            totals.totals[amount.currency] = try (totals.totals[amount.currency] ?? .zero(amount.currency)).adding(amount)
        }
    }

    /// Writes a raw line (tests of bad input).
    public func writeRaw(_ line: String) throws { try file.writeLine(line) }

    /// Writes the trailer (or `override`, for tests) and makes the file appear.
    @discardableResult
    public func finish(trailer override: ControlTotals? = nil, omitTrailer: Bool = false) throws -> ControlTotals {
        if !omitTrailer {
            let trailer = override ?? totals
            try file.writeLine(format == .csv ? FeedbackCSV.trailerRow(trailer) : FeedbackJSON.trailer(trailer))
        }
        try file.commit()
        return totals
    }
}
