/// Why one feedback event was rejected on its own (the file is still accepted).
///
/// Business outcomes are values, not errors: each reason is listed in the receipt to the
/// partner and counted in the run report.
public enum RejectionReason: String, Sendable, Hashable, CaseIterable, Comparable {
    /// The account is not (or no longer) placed with this partner.
    case unknownAccount = "unknown_account"
    /// The named invoice is not part of the placement.
    case unknownInvoice = "unknown_invoice"
    /// The event's currency differs from the placement's.
    case currencyMismatch = "currency_mismatch"
    /// An amount that must be positive is zero or negative.
    case nonPositiveAmount = "non_positive_amount"
    /// A promise dated before the day it is processed.
    case promiseInPast = "promise_in_past"
    /// A promise dated beyond the partner's promise horizon.
    case promiseBeyondHorizon = "promise_beyond_horizon"
    /// A dispute reason outside ``DisputeReason``.
    case unknownDisputeReason = "unknown_dispute_reason"
    /// A reversal naming a payment we never accepted.
    case unknownPayment = "unknown_payment"
    /// A reversal of a payment that was already reversed.
    case alreadyReversed = "already_reversed"
    /// An acknowledgement naming a batch we never sent to this partner.
    case unknownBatch = "unknown_batch"
    /// The `event_id` was already used by this partner in an earlier file.
    case duplicateEventID = "duplicate_event_id"
    /// A payment dated after the day the file reporting it was created.
    case paymentAfterFileCreation = "payment_after_file_creation"
    /// A payment dated before the account was placed, by more than the partner's margin.
    case paymentBeforePlacement = "payment_before_placement"
    /// A risk score or segment from a partner whose scoring no DPIA covers (`partners[].dpia`).
    case scoringWithoutDPIA = "scoring_without_dpia"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
