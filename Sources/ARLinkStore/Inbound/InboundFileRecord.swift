/// One received feedback file as recorded in the state database, claimed by the SHA-256 of
/// its received (sealed) bytes.
public struct InboundFileRecord: Sendable, Hashable {
    /// `applied`, `quarantined` or `duplicate`.
    public enum State: String, Sendable {
        case applied, quarantined, duplicate
    }

    public var partner: String
    public var sha256: String
    public var fileName: String
    public var fileID: String?
    public var sequence: Int?
    public var state: State
    public var plaintextSHA256: String?
    public var errorCode: String?
    public var eventsAccepted: Int
    public var eventsRejected: Int
    /// The receipt for the partner (name, file id, sequence), when one is due.
    public var receiptName: String?
    public var receiptFileID: String?
    public var receiptSequence: Int?
    public var receivedAt: String
    /// The receipt is delivered, the file archived and the remote copy moved.
    public var finished: Bool
    /// SHA-256 of the receipt's plaintext, once sealed (the next receipt chains to it).
    public var receiptPlaintextSHA256: String?

    public init(partner: String, sha256: String, fileName: String, fileID: String?, sequence: Int?, state: State,
                plaintextSHA256: String?, errorCode: String?, eventsAccepted: Int, eventsRejected: Int,
                receiptName: String?, receiptFileID: String?, receiptSequence: Int?, receivedAt: String, finished: Bool,
                receiptPlaintextSHA256: String? = nil) {
        self.partner = partner; self.sha256 = sha256; self.fileName = fileName; self.fileID = fileID
        self.sequence = sequence; self.state = state; self.plaintextSHA256 = plaintextSHA256; self.errorCode = errorCode
        self.eventsAccepted = eventsAccepted; self.eventsRejected = eventsRejected; self.receiptName = receiptName
        self.receiptFileID = receiptFileID; self.receiptSequence = receiptSequence; self.receivedAt = receivedAt
        self.finished = finished
        self.receiptPlaintextSHA256 = receiptPlaintextSHA256
    }
}

/// An open payment promise.
public struct OpenPromise: Sendable, Hashable {
    /// Its row in the promise table.
    public var id: Int64
    public var partner: String
    public var eventID: String
    public var accountRef: String
    public var invoiceNumber: String?
    public var currency: String
    public var amountMinor: Int64
    public var promisedDate: String
    public var paidBaselineMinor: Int64
}

/// A claimed ERP export: the outbox rows it covers.
public struct ERPExportClaim: Sendable, Hashable {
    public var exportID: String
    public var firstSeq: Int64
    public var lastSeq: Int64
    public var count: Int
    public var createdAt: String
}
