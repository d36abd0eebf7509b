/// The kinds of feedback event a partner reports (design section 3, `feedback.v1`).
public enum FeedbackEventType: String, Sendable, Hashable, CaseIterable, Comparable {
    /// The partner's counts and totals for one of our batches.
    case acknowledgement
    /// A payment collected from the debtor.
    case payment
    /// The reversal of an earlier payment (bounced, charged back).
    case paymentReversal = "payment_reversal"
    /// A payment commitment: amount, date, instalments.
    case promise
    /// The debtor disputes an invoice: reason code, amount.
    case dispute
    /// A collection status: contact result, skip trace, legal, uncollectible, closed, returned.
    case status
    /// New contact data for the debtor.
    case contactUpdate = "contact_update"
    /// A risk score and segment.
    case risk

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Dispute reason codes a partner may send; anything else is rejected.
public enum DisputeReason: String, Sendable, Hashable, CaseIterable {
    case notReceived = "not_received"
    case quality
    case pricing
    case alreadyPaid = "already_paid"
    case notOrdered = "not_ordered"
    case wrongAddressee = "wrong_addressee"
    case other
}

/// Status codes of a `status` event.
public enum PartnerStatus: String, Sendable, Hashable, CaseIterable {
    case contacted
    case noContact = "no_contact"
    case skipTrace = "skip_trace"
    case legal
    case uncollectible
    /// The partner closes the case (settled or withdrawn on its side).
    case closed
    /// The partner returns the account to us without collecting.
    case returned
}
