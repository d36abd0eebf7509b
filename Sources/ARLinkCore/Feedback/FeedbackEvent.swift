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
    /// `promise`: the promised payment date (of the last instalment).
    public var promisedDate: LocalDate?
    /// `status`: the partner status.
    public var status: PartnerStatus?
    /// `risk`: score 0...1000 and segment.
    public var riskScore: Int?
    public var riskSegment: String?
    /// The fields only some event types carry, in one shared box (nil when all are nil).
    /// An event is copied and destroyed several times on its way through an inbound pass;
    /// inline, these seven fields were eight more reference counts to touch each time.
    private var rare: RareBox?

    public init(type: FeedbackEventType, eventID: String, accountRef: String) {
        self.type = type
        self.eventID = eventID
        self.accountRef = accountRef
    }

    /// `payment_reversal`: the payment event it reverses.
    public var reversesEventID: String? {
        get { rare?.fields.reversesEventID }
        set { setRare(\.reversesEventID, newValue) }
    }
    /// `promise`: number of instalments (1 when absent).
    public var instalments: Int? {
        get { rare?.fields.instalments }
        set { setRare(\.instalments, newValue) }
    }
    /// `dispute`: the raw reason code as sent (checked during reconciliation).
    public var disputeReason: String? {
        get { rare?.fields.disputeReason }
        set { setRare(\.disputeReason, newValue) }
    }
    /// `contact_update`: field name to new value (`street`, `postal_code`, `city`, `country`, `phone`, `email`).
    public var contact: [String: String]? {
        get { rare?.fields.contact }
        set { setRare(\.contact, newValue) }
    }
    /// `acknowledgement`: our batch id and the partner's counts and totals for it.
    public var acknowledgedBatchID: String? {
        get { rare?.fields.acknowledgedBatchID }
        set { setRare(\.acknowledgedBatchID, newValue) }
    }
    public var acknowledgedTotals: ControlTotals? {
        get { rare?.fields.acknowledgedTotals }
        set { setRare(\.acknowledgedTotals, newValue) }
    }
    /// Free-text comment from the partner (passed to the ERP, never logged).
    public var comment: String? {
        get { rare?.fields.comment }
        set { setRare(\.comment, newValue) }
    }

    /// Sets one boxed field; nothing to do for a nil when there is no box.
    private mutating func setRare<Value>(_ field: WritableKeyPath<RareFields, Value?>, _ value: Value?) {
        if value == nil && rare == nil { return }
        updateRare { $0[keyPath: field] = value }
    }

    /// Changes the boxed fields, copying the box first when another event shares it, and
    /// dropping it when nothing is left in it (so equal events stay equal).
    private mutating func updateRare(_ change: (inout RareFields) -> Void) {
        var fields = rare?.fields ?? RareFields()
        change(&fields)
        if fields == RareFields() {
            rare = nil
        } else if isKnownUniquelyReferenced(&rare) {
            rare!.fields = fields
        } else {
            rare = RareBox(fields)
        }
    }
}

/// The fields of ``FeedbackEvent`` that only some event types carry.
struct RareFields: Hashable, Sendable {
    var reversesEventID: String?
    var instalments: Int?
    var disputeReason: String?
    var contact: [String: String]?
    var acknowledgedBatchID: String?
    var acknowledgedTotals: ControlTotals?
    var comment: String?
}

/// A box for ``RareFields``, changed only while one event holds it (copy on write).
final class RareBox: Hashable, @unchecked Sendable {
    var fields: RareFields

    init(_ fields: RareFields) { self.fields = fields }

    static func == (a: RareBox, b: RareBox) -> Bool { a === b || a.fields == b.fields }

    func hash(into hasher: inout Hasher) { hasher.combine(fields) }
}
