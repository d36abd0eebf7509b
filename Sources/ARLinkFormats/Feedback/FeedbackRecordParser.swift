public import ARLinkCore

/// Turns parsed JSON records of a `feedback.v1` file into headers, events and trailers,
/// checking each against the schema (`schemas/feedback.v1.schema.json`).
public enum FeedbackRecordParser {
    static let common: Set<String> = ["record_type", "event_id", "account_ref", "occurred_on", "comment"]
    static let allowed: [FeedbackEventType: Set<String>] = [
        .acknowledgement: ["record_type", "event_id", "occurred_on", "comment", "batch_id", "counts", "totals"],
        .payment: common.union(["invoice_number", "amount", "currency", "payment_reference"]),
        .paymentReversal: common.union(["invoice_number", "amount", "currency", "reverses_event_id"]),
        .promise: common.union(["invoice_number", "amount", "currency", "promised_date", "instalments"]),
        .dispute: common.union(["invoice_number", "amount", "currency", "reason"]),
        .status: common.union(["status"]),
        .contactUpdate: common.union(["contact"]),
        .risk: common.union(["score", "segment"]),
    ]
    static let contactFields: Set<String> = ["street", "postal_code", "city", "country", "phone", "email"]
    static let headerFields: Set<String> = [
        "record_type", "schema", "file_id", "kind", "direction", "batch_id", "sequence", "sender", "recipient",
        "recipient_key_sha256", "created_at", "previous_file_sha256", "audit_checkpoint",
    ]

    /// The record type of a record (`header`, `trailer` or an event type), nil when absent.
    public static func recordType(_ value: LineJSON) -> String? {
        if case .string(let s)? = value["record_type"] { return s }
        return nil
    }

    /// Parses the header record of a file of `schema` (`feedback.v1`, `receipt.v1`).
    public static func header(_ value: LineJSON, schema: String, kind: String, place: String, lineNumber: Int = 1) throws(FeedbackError) -> FileHeader {
        var f = try RecordFields(value, place: place, lineNumber: lineNumber)
        f.errorCode = .badHeader
        try f.only(headerFields)
        let found = try f.string("schema", max: 32)
        guard found == schema else { throw f.fail("schema", "is \(Excerpt.quoted(found)), expected \"\(schema)\"") }
        let foundKind = try f.string("kind", max: 32)
        guard foundKind == kind else { throw f.fail("kind", "is \(Excerpt.quoted(foundKind)), expected \"\(kind)\"") }
        let direction = try f.string("direction", max: 16)
        guard direction == "inbound" || direction == "outbound" else { throw f.fail("direction", "must be inbound or outbound") }
        let fileID = try f.string("file_id", max: 64, identifier: true)
        let keyHash = try f.string("recipient_key_sha256", max: 64)
        guard isHex64(keyHash) else { throw f.fail("recipient_key_sha256", "must be 64 lowercase hex digits") }
        let previous = try f.optionalString("previous_file_sha256", max: 64)
        if let previous, !isHex64(previous) { throw f.fail("previous_file_sha256", "must be 64 lowercase hex digits or null") }
        let createdAt = try f.string("created_at", max: 32)
        guard Timestamps.parse(createdAt) != nil else { throw f.fail("created_at", "\(Excerpt.quoted(createdAt)) is not a UTC time like 2026-11-29T05:00:00Z") }
        return FileHeader(
            schema: found, fileID: fileID, kind: foundKind, direction: direction,
            batchID: try f.string("batch_id", max: 64, identifier: true),
            sequence: try f.int("sequence", range: 1...Int(Int32.max)),
            sender: try f.string("sender", max: 64, identifier: true),
            recipient: try f.string("recipient", max: 64, identifier: true),
            recipientKeySHA256: keyHash, createdAt: createdAt, previousFileSHA256: previous,
            auditCheckpoint: try f.optionalString("audit_checkpoint", max: 4096, lines: true)
        )
    }

    static func isHex64(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// Parses the trailer record: counts per record type and totals per currency.
    public static func trailer(_ value: LineJSON, place: String, lineNumber: Int) throws(FeedbackError) -> ControlTotals {
        let f = try RecordFields(value, place: place, lineNumber: lineNumber)
        try f.only(["record_type", "counts", "totals"])
        return ControlTotals(counts: try f.counts("counts"), totals: try f.totals("totals"))
    }

    /// Parses one event record.
    /// - Throws: `.unknownEventType` for an unknown `record_type`, `.badRecord` for shape errors.
    public static func event(_ value: LineJSON, place: String, lineNumber: Int) throws(FeedbackError) -> FeedbackEvent {
        let f = try RecordFields(value, place: place, lineNumber: lineNumber)
        let typeName = try f.string("record_type", max: 32)
        guard let type = FeedbackEventType(rawValue: typeName) else {
            throw FeedbackError(.unknownEventType, "\(place): record type \(Excerpt.quoted(typeName)) is not a feedback.v1 event type (expected one of \(FeedbackEventType.allCases.map(\.rawValue).joined(separator: ", ")))", lineNumber: lineNumber)
        }
        try f.only(allowed[type] ?? common)
        let eventID = try f.string("event_id", max: 64, identifier: true)
        var event = FeedbackEvent(type: type, eventID: eventID, accountRef: "")
        event.occurredOn = try f.optionalDate("occurred_on")
        event.comment = try f.optionalString("comment", max: 500)
        if type != .acknowledgement {
            event.accountRef = try f.string("account_ref", max: 64)
        }
        switch type {
        case .acknowledgement:
            event.acknowledgedBatchID = try f.string("batch_id", max: 64, identifier: true)
            event.acknowledgedTotals = ControlTotals(counts: try f.counts("counts"), totals: try f.totals("totals"))
        case .payment, .paymentReversal:
            event.invoiceNumber = try f.optionalString("invoice_number", max: 64)
            let currency = try f.currency("currency")
            event.amount = try f.money("amount", currency: currency)
            event.occurredOn = try f.date("occurred_on")
            if type == .paymentReversal {
                event.reversesEventID = try f.string("reverses_event_id", max: 64, identifier: true)
            } else {
                _ = try f.optionalString("payment_reference", max: 64)
            }
        case .promise:
            event.invoiceNumber = try f.optionalString("invoice_number", max: 64)
            let currency = try f.currency("currency")
            event.amount = try f.money("amount", currency: currency)
            event.promisedDate = try f.date("promised_date")
            event.instalments = try f.optionalInt("instalments", range: 1...120)
        case .dispute:
            event.invoiceNumber = try f.string("invoice_number", max: 64)
            event.disputeReason = try f.string("reason", max: 32)
            if f.members["amount"] != nil || f.members["currency"] != nil {
                let currency = try f.currency("currency")
                event.amount = try f.money("amount", currency: currency)
            }
        case .status:
            let text = try f.string("status", max: 32)
            guard let status = PartnerStatus(rawValue: text) else {
                throw f.fail("status", "\(Excerpt.quoted(text)) is not one of \(PartnerStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            event.status = status
        case .contactUpdate:
            guard case .object(let contact)? = f.members["contact"], !contact.isEmpty else {
                throw f.fail("contact", "must be an object with at least one of \(contactFields.sorted().joined(separator: ", "))")
            }
            var out: [String: String] = [:]
            for (key, value) in contact {
                guard contactFields.contains(key) else {
                    // The name is the partner's choice and may be personal data: not repeated.
                    throw f.fail("contact", "has a field that is not a contact field (its name is not repeated here; allowed: \(contactFields.sorted().joined(separator: ", ")))")
                }
                guard case .string(let s) = value, !s.isEmpty, s.utf8.count <= 200,
                      !s.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                    throw f.fail("contact", "field \"\(key)\" must be a string of 1-200 characters without control characters")
                }
                out[key] = s
            }
            event.contact = out
        case .risk:
            event.riskScore = try f.int("score", range: 0...1000)
            event.riskSegment = try f.string("segment", max: 32, identifier: true)
        }
        return event
    }
}
