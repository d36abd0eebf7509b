/// What a portfolio detail record asks the partner to do with an account.
public enum PlacementAction: String, Sendable, Codable, CaseIterable {
    /// A new account for the partner.
    case place
    /// An account already placed whose balance or invoices changed.
    case update
    /// Withdraw the account from the partner, with a ``RecallReason``.
    case recall
}

/// Why an account is recalled from the partner.
public enum RecallReason: String, Sendable, Codable, CaseIterable {
    /// The debtor paid us directly, and the extract shows it: the invoices placed are present
    /// with no open amount (or marked settled), or the payments file covers the balance last
    /// placed.
    case paidToCreditor = "paid_to_creditor"
    /// The customer disputed the debt in the ERP.
    case disputed
    /// The account no longer meets the partner's selection policy.
    case noLongerEligible = "no_longer_eligible"
    /// The account's invoices are no longer in the extract and nothing shows them paid
    /// (written off, cancelled, or moved in the ERP): closed there, reason unknown to arlink.
    case closedInERP = "closed_in_erp"
    /// The debtor asked for their data to be erased (`arlink privacy subject --erase`): the
    /// partner stops collecting and deletes what it holds about the debtor.
    case erasureRequest = "erasure_request"
}

/// One invoice inside a portfolio detail record.
public struct PortfolioInvoice: Sendable, Hashable {
    public var number: String
    public var invoiceDate: LocalDate?
    public var dueDate: LocalDate
    public var amount: Money
    public var openAmount: Money
    public var daysPastDue: Int

    public init(number: String, invoiceDate: LocalDate?, dueDate: LocalDate, amount: Money, openAmount: Money, daysPastDue: Int) {
        self.number = number; self.invoiceDate = invoiceDate; self.dueDate = dueDate
        self.amount = amount; self.openAmount = openAmount; self.daysPastDue = daysPastDue
    }
}

/// One detail record of a portfolio file: `place`, `update` or `recall` of one account.
///
/// Holds only minimised debtor data (``DebtorData``); recall records carry no debtor data.
public struct PortfolioRecord: Sendable, Hashable {
    public var action: PlacementAction
    public var accountRef: String
    public var debtor: DebtorData?
    public var invoices: [PortfolioInvoice]
    /// Open balance per currency, sorted by currency code.
    public var balances: [Money]
    public var aging: [AgingAmount]
    public var oldestDueDate: LocalDate?
    public var daysPastDue: Int
    public var lastPaymentDate: LocalDate?
    public var recallReason: RecallReason?
    /// The debt's itemization for a validation notice, when the extract has one.
    public var itemization: Itemization?
    /// The account's flags, when any is set (the restriction text only where allowed).
    public var flags: AccountFlags?

    public init(
        action: PlacementAction, accountRef: String, debtor: DebtorData?, invoices: [PortfolioInvoice],
        balances: [Money], aging: [AgingAmount], oldestDueDate: LocalDate?, daysPastDue: Int,
        lastPaymentDate: LocalDate? = nil, recallReason: RecallReason? = nil,
        itemization: Itemization? = nil, flags: AccountFlags? = nil
    ) {
        self.flags = flags
        self.itemization = itemization
        self.action = action; self.accountRef = accountRef; self.debtor = debtor; self.invoices = invoices
        self.balances = balances; self.aging = aging; self.oldestDueDate = oldestDueDate
        self.daysPastDue = daysPastDue; self.lastPaymentDate = lastPaymentDate; self.recallReason = recallReason
    }
}
