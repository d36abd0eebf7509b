/// The signed manifest: the first record of every exchanged file (design section 4).
///
/// Because the envelope's signature covers it, a file signed for one recipient cannot be
/// re-encrypted to another, and a replayed, reordered, dropped or substituted file is detected.
public struct FileHeader: Sendable, Hashable {
    /// Schema id and version, e.g. `portfolio.v1`, `feedback.v1`, `receipt.v1`.
    public var schema: String
    /// Unique id of this file (UUID, lowercase).
    public var fileID: String
    /// `portfolio`, `feedback` or `receipt`.
    public var kind: String
    /// `outbound` (company to partner) or `inbound` (partner to company).
    public var direction: String
    public var batchID: String
    /// Per-direction sequence number between this sender and recipient, starting at 1.
    public var sequence: Int
    public var sender: String
    public var recipient: String
    /// SHA-256 (lowercase hex) of the DER of the recipient's encryption certificate.
    public var recipientKeySHA256: String
    /// UTC creation time, ISO 8601 with `Z`.
    public var createdAt: String
    /// SHA-256 of the previous file's plaintext in this direction, nil for the first file.
    public var previousFileSHA256: String?
    /// The as-of date of the data (outbound portfolios).
    public var asOf: LocalDate?
    /// The newest signed audit checkpoint (C2SP signed note text), so the partner keeps a copy.
    public var auditCheckpoint: String?

    public init(
        schema: String, fileID: String, kind: String, direction: String, batchID: String, sequence: Int,
        sender: String, recipient: String, recipientKeySHA256: String, createdAt: String,
        previousFileSHA256: String?, asOf: LocalDate? = nil, auditCheckpoint: String? = nil
    ) {
        self.schema = schema; self.fileID = fileID; self.kind = kind; self.direction = direction
        self.batchID = batchID; self.sequence = sequence; self.sender = sender; self.recipient = recipient
        self.recipientKeySHA256 = recipientKeySHA256; self.createdAt = createdAt
        self.previousFileSHA256 = previousFileSHA256; self.asOf = asOf; self.auditCheckpoint = auditCheckpoint
    }
}

/// Control totals: the trailer of every exchanged file.
public struct ControlTotals: Sendable, Hashable {
    /// Number of detail records per record type (`place`, `update`, `recall`, or event types).
    public var counts: [String: Int]
    /// Amount totals per currency (portfolio: open amounts of all invoices in the file).
    public var totals: [Currency: Money]

    public init(counts: [String: Int] = [:], totals: [Currency: Money] = [:]) {
        self.counts = counts
        self.totals = totals
    }

    public var recordCount: Int { counts.values.reduce(0, +) }

    /// Adds one record of `type` with the given amounts.
    public mutating func add(type: String, amounts: [Money]) throws {
        counts[type, default: 0] += 1
        for amount in amounts {
            totals[amount.currency] = try (totals[amount.currency] ?? .zero(amount.currency)).adding(amount)
        }
    }
}
