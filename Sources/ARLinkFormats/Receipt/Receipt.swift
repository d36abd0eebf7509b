public import ARLinkCore

/// Our receipt to the partner for one feedback file (`receipt.v1`): the file's id and
/// SHA-256, how many events were accepted, and each rejected event with its reason.
public struct Receipt: Sendable, Hashable {
    /// The partner's `file_id` of the feedback file.
    public var fileID: String
    /// SHA-256 (lowercase hex) of the feedback file as received (sealed bytes).
    public var fileSHA256: String
    /// The feedback file's sequence number.
    public var sequence: Int
    /// `applied` or `quarantined`.
    public var outcome: String
    public var eventsAccepted: Int
    /// Rejected events, in file order.
    public var rejected: [(eventID: String, reason: String)]
    /// The refusal code when the whole file was quarantined.
    public var errorCode: String?

    public init(fileID: String, fileSHA256: String, sequence: Int, outcome: String, eventsAccepted: Int,
                rejected: [(eventID: String, reason: String)], errorCode: String? = nil) {
        self.fileID = fileID
        self.fileSHA256 = fileSHA256
        self.sequence = sequence
        self.outcome = outcome
        self.eventsAccepted = eventsAccepted
        self.rejected = rejected
        self.errorCode = errorCode
    }

    public static func == (lhs: Receipt, rhs: Receipt) -> Bool {
        lhs.fileID == rhs.fileID && lhs.fileSHA256 == rhs.fileSHA256 && lhs.sequence == rhs.sequence && lhs.outcome == rhs.outcome
            && lhs.eventsAccepted == rhs.eventsAccepted && lhs.errorCode == rhs.errorCode
            && lhs.rejected.map(\.eventID) == rhs.rejected.map(\.eventID) && lhs.rejected.map(\.reason) == rhs.rejected.map(\.reason)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(fileID)
        hasher.combine(fileSHA256)
    }
}

/// Writes a plaintext receipt file: header, one `file` record, one `rejected` record per
/// rejected event, and the trailer.
public enum ReceiptWriter {
    /// Writes `receipt` under `header` to `path` atomically.
    public static func write(_ receipt: Receipt, header: FileHeader, to path: String) throws {
        let file = try AtomicTextFile(path: path)
        try file.writeLine(FeedbackJSON.header(header))
        try file.writeLine(JSONText.object([
            ("record_type", .string("file")), ("file_id", .string(receipt.fileID)), ("sha256", .string(receipt.fileSHA256)),
            ("sequence", .int(receipt.sequence)), ("outcome", .string(receipt.outcome)),
            ("events_accepted", .int(receipt.eventsAccepted)), ("events_rejected", .int(receipt.rejected.count)),
            ("error_code", receipt.errorCode.map { .string($0) }),
        ]))
        for item in receipt.rejected {
            try file.writeLine(JSONText.object([("record_type", .string("rejected")), ("event_id", .string(item.eventID)),
                                                ("reason", .string(item.reason))]))
        }
        try file.writeLine(JSONText.object([("record_type", .string("trailer")),
                                            ("counts", .raw(JSONText.counts(["file": 1, "rejected": receipt.rejected.count]))),
                                            ("totals", .raw("{}"))]))
        try file.commit()
    }
}
