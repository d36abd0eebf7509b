public import ARLinkCore

/// The balances an agency states for one account: its acknowledgement of a placement
/// (AIM `AACK`) or a reconciliation (AIM `AREC`).
public struct AgencyBalances: Sendable, Hashable {
    public var line: Int
    public var fileNumber: Int64
    public var accountRef: String
    public var originalBalance: Money
    public var currentBalance: Money
    public var receivedOn: LocalDate?
    public var lastPaymentDate: LocalDate?
    public var lastPaymentAmount: Money?

    public init(line: Int, fileNumber: Int64, accountRef: String, originalBalance: Money, currentBalance: Money,
                receivedOn: LocalDate?, lastPaymentDate: LocalDate?, lastPaymentAmount: Money?) {
        self.line = line; self.fileNumber = fileNumber; self.accountRef = accountRef
        self.originalBalance = originalBalance; self.currentBalance = currentBalance; self.receivedOn = receivedOn
        self.lastPaymentDate = lastPaymentDate; self.lastPaymentAmount = lastPaymentAmount
    }
}

/// The agency objects to a pending recall (AIM `AOBJ`).
public struct RecallObjection: Sendable, Hashable {
    public var line: Int
    public var fileNumber: Int64
    public var accountRef: String
    /// The agency's objection reason code, as sent.
    public var reasonCode: String
    public var date: LocalDate?
}

/// One record of a feedback file read through a layout, in arlink's terms.
public enum AgencyRecord: Sendable, Hashable {
    /// A feedback event for the ordinary reconcile-and-apply path (payment, reversal, status,
    /// close, promise, dispute, contact update, risk), with the line it came from.
    case event(FeedbackEvent, line: Int, fileNumber: Int64?)
    /// An acknowledgement of one placed account, to be checked with ``AcknowledgementCheck``.
    case acknowledgement(AgencyBalances)
    /// A reconciliation of one account's balances.
    case reconciliation(AgencyBalances)
    case recallObjection(RecallObjection)
}

/// The outcome of checking an agency's acknowledgement against what was placed.
public enum AcknowledgementOutcome: Sendable, Hashable {
    case accepted
    /// Rejected, with a reason code of its own (`balance_mismatch`, `unknown_account`) and
    /// the figures that differ (amounts only, no personal data).
    case rejected(reason: String, detail: String)
}

/// Checks an `AACK`-style acknowledgement: the original balance the agency received must be
/// the balance arlink placed. A mismatch is a rejected event with reason `balance_mismatch`
/// (it does not refuse the file: the other records still apply).
public enum AcknowledgementCheck {
    public static let balanceMismatch = "balance_mismatch"
    public static let unknownAccount = "unknown_account"

    public static func judge(_ ack: AgencyBalances, placedBalance: Money?) -> AcknowledgementOutcome {
        guard let placed = placedBalance else {
            return .rejected(reason: unknownAccount, detail: "file number \(ack.fileNumber) has no placed balance")
        }
        guard placed == ack.originalBalance else {
            return .rejected(reason: balanceMismatch, detail: "original balance \(ack.originalBalance) differs from the \(placed) placed")
        }
        return .accepted
    }
}
