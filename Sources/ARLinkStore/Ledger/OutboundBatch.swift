/// The state of an outbound batch: built → sealed → delivered → acknowledged.
public enum BatchState: String, Sendable, Comparable, CaseIterable {
    case built, sealed, delivered, acknowledged

    private var rank: Int { BatchState.allCases.firstIndex(of: self) ?? 0 }
    public static func < (lhs: BatchState, rhs: BatchState) -> Bool { lhs.rank < rhs.rank }
}

/// One outbound batch as the ledger records it (ids, hashes, counts; no personal data).
public struct OutboundBatch: Sendable, Hashable {
    public var batchID: String
    public var partner: String
    /// `YYYY-MM-DD`.
    public var asOf: String
    public var sequence: Int
    public var fileID: String
    /// The final (sealed) file name delivered to the partner.
    public var fileName: String
    public var state: BatchState
    public var createdAt: String
    public var plaintextPath: String
    public var plaintextSHA256: String
    public var plaintextBytes: Int64
    public var sealedPath: String?
    public var sealedSHA256: String?
    public var sealedBytes: Int64?
    /// Record counts per action, as JSON text (`{"place":12,"recall":1}`).
    public var recordCountsJSON: String
    /// Totals per currency, as JSON text (`{"EUR":"1234.50"}`).
    public var totalsJSON: String
    public var invoiceCount: Int
    public var deliveredAt: String?

    public init(
        batchID: String, partner: String, asOf: String, sequence: Int, fileID: String, fileName: String,
        state: BatchState, createdAt: String, plaintextPath: String, plaintextSHA256: String, plaintextBytes: Int64,
        sealedPath: String? = nil, sealedSHA256: String? = nil, sealedBytes: Int64? = nil,
        recordCountsJSON: String, totalsJSON: String, invoiceCount: Int, deliveredAt: String? = nil
    ) {
        self.batchID = batchID; self.partner = partner; self.asOf = asOf; self.sequence = sequence
        self.fileID = fileID; self.fileName = fileName; self.state = state; self.createdAt = createdAt
        self.plaintextPath = plaintextPath; self.plaintextSHA256 = plaintextSHA256; self.plaintextBytes = plaintextBytes
        self.sealedPath = sealedPath; self.sealedSHA256 = sealedSHA256; self.sealedBytes = sealedBytes
        self.recordCountsJSON = recordCountsJSON; self.totalsJSON = totalsJSON; self.invoiceCount = invoiceCount
        self.deliveredAt = deliveredAt
    }
}
