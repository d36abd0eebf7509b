/// The kind of date a debt is itemized from (US Regulation F, 12 CFR 1006.34(b)(3)).
public enum ItemizationType: String, Sendable, Hashable, CaseIterable, Codable {
    case lastStatement = "last_statement"
    case chargeOff = "charge_off"
    case lastPayment = "last_payment"
    case transaction
    case judgment
}

/// What a collection agency needs for a validation notice (12 CFR 1006.34(c)(2)): the
/// itemization date and its type, the amount owed on that date, interest, fees, payments and
/// credits since then, and the creditor's name and account number on that date.
///
/// Money is in minor units of one currency; every amount is zero or more.
public struct Itemization: Sendable, Hashable {
    public var date: LocalDate
    public var type: ItemizationType
    /// The amount owed on ``date``.
    public var amount: Money
    public var interest: Money
    public var fees: Money
    public var payments: Money
    public var credits: Money
    /// The creditor's name on ``date`` (may differ from today's creditor).
    public var creditorName: String
    /// The account number with that creditor on ``date``.
    public var creditorAccount: String

    public init(
        date: LocalDate, type: ItemizationType, amount: Money, interest: Money, fees: Money, payments: Money, credits: Money,
        creditorName: String, creditorAccount: String
    ) {
        self.date = date; self.type = type; self.amount = amount; self.interest = interest; self.fees = fees
        self.payments = payments; self.credits = credits; self.creditorName = creditorName; self.creditorAccount = creditorAccount
    }

    /// The currency of all amounts.
    public var currency: Currency { amount.currency }
}
