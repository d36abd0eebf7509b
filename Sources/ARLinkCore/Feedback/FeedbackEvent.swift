/// One event of a feedback file, already checked for shape (not yet against the ledger).
///
/// Fields that do not apply to an event type are nil. Amounts are ``Money`` (never floats);
/// personal data appears only in ``contact`` and is never logged.
public struct FeedbackEvent: Sendable, Hashable {
    public var type: FeedbackEventType
    /// Unique per partner; applying an event twice has no further effect.
    public var eventID: String
    /// The account reference we placed (empty for acknowledgements).
    public var accountRef: String
    /// The invoice concerned, where it applies (payment allocation, dispute).
    public var invoiceNumber: String?
    /// When it happened on the partner's side.
    public var occurredOn: LocalDate?
    /// Payment, reversal, promise or disputed amount.
    public var amount: Money?
    /// `payment_reversal`: the payment event it reverses.
    public var reversesEventID: String?
    /// `promise`: the promised payment date (of the last instalment).
    public var promisedDate: LocalDate?
    /// `promise`: number of instalments (1 when absent).
    public var instalments: Int?
    /// `dispute`: the raw reason code as sent (checked during reconciliation).
    public var disputeReason: String?
    /// `status`: the partner status.
    public var status: PartnerStatus?
    /// `contact_update`: field name to new value (`street`, `postal_code`, `city`, `country`, `phone`, `email`).
    public var contact: [String: String]?
    /// `risk`: score 0...1000 and segment.
    public var riskScore: Int?
    public var riskSegment: String?
    /// `acknowledgement`: our batch id and the partner's counts and totals for it.
    public var acknowledgedBatchID: String?
    public var acknowledgedTotals: ControlTotals?
    /// Free-text comment from the partner (passed to the ERP, never logged).
    public var comment: String?

    public init(type: FeedbackEventType, eventID: String, accountRef: String) {
        self.type = type
        self.eventID = eventID
        self.accountRef = accountRef
    }
}
