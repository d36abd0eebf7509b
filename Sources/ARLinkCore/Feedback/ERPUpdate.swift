/// One ERP status update: a changed invoice or account, ready for the ERP's import.
public struct ERPUpdate: Sendable, Hashable {
    /// Unique across all exports; the ERP de-duplicates by it.
    public var updateID: String
    public var partner: String
    public var sourceEventID: String
    public var sourceEventType: String
    public var sourceFileID: String?
    public var accountRef: String
    public var invoiceNumber: String?
    public var status: CollectionStatus
    /// The amount the event carried (payment, reversal, promise, dispute).
    public var amount: Money?
    /// After a payment or reversal: what is still open on the invoice.
    public var openAmount: Money?
    /// The date of the event (payment date, promised date...).
    public var date: LocalDate?
    public var comment: String?
    /// New contact data (contact updates only).
    public var contact: [String: String]?
    public var riskScore: Int?
    public var riskSegment: String?

    public init(updateID: String, partner: String, sourceEventID: String, sourceEventType: String, sourceFileID: String?,
                accountRef: String, invoiceNumber: String?, status: CollectionStatus) {
        self.updateID = updateID
        self.partner = partner
        self.sourceEventID = sourceEventID
        self.sourceEventType = sourceEventType
        self.sourceFileID = sourceFileID
        self.accountRef = accountRef
        self.invoiceNumber = invoiceNumber
        self.status = status
    }
}
