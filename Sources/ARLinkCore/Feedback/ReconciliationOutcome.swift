/// The result of reconciling one event with the placement ledger.
public enum ReconciliationOutcome: Sendable, Hashable {
    /// Accepted; `exception` notes something for a person to look at (an overpayment's
    /// excess, an acknowledgement that does not match the batch) without rejecting the event.
    case accepted(exception: ReconciliationException?)
    /// Rejected on its own, with the reason reported to the partner.
    case rejected(RejectionReason)

    public var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }
}

/// Something accepted but worth a person's attention.
public struct ReconciliationException: Sendable, Hashable {
    /// `overpayment` or `acknowledgement_mismatch`.
    public var code: String
    /// A short sentence with ids and amounts only (no personal data).
    public var detail: String
    /// The excess of an overpayment.
    public var amount: Money?

    public init(code: String, detail: String, amount: Money? = nil) {
        self.code = code
        self.detail = detail
        self.amount = amount
    }
}
