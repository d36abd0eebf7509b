/// The collection status of an invoice or account as reported to the ERP (`erp-update.v1`).
public enum CollectionStatus: String, Sendable, Hashable, CaseIterable {
    case promised
    case partiallyPaid = "partially_paid"
    case paid
    case paymentReversed = "payment_reversed"
    case disputed
    case inCollection = "in_collection"
    case legal
    case closedByPartner = "closed_by_partner"
    case returnedByPartner = "returned_by_partner"
    case uncollectible
    case promiseBroken = "promise_broken"
    case contactUpdated = "contact_updated"
    case riskUpdated = "risk_updated"
}
