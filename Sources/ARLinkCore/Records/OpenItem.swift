/// One open invoice (or credit note) from the ERP's accounts-receivable extract.
public struct OpenItem: Sendable, Hashable {
    public var invoiceNumber: String
    public var customerID: String
    public var invoiceDate: LocalDate?
    public var dueDate: LocalDate
    /// Original invoice amount.
    public var amount: Money
    /// What is still open (residual); negative for credit notes.
    public var openAmount: Money
    /// The ERP marks the invoice disputed.
    public var disputed: Bool
    /// The ERP blocks dunning for this invoice.
    public var blocked: Bool
    /// Date of an open promise to pay recorded in the ERP, if any.
    public var promiseDate: LocalDate?
    /// The ERP shows the invoice settled directly with us (for recall `paid_to_creditor`).
    public var settled: Bool
    /// Line of the extract where this item was read.
    public var sourceLine: Int

    public init(
        invoiceNumber: String, customerID: String, invoiceDate: LocalDate? = nil, dueDate: LocalDate,
        amount: Money, openAmount: Money, disputed: Bool = false, blocked: Bool = false,
        promiseDate: LocalDate? = nil, settled: Bool = false, sourceLine: Int = 0
    ) {
        self.invoiceNumber = invoiceNumber; self.customerID = customerID; self.invoiceDate = invoiceDate
        self.dueDate = dueDate; self.amount = amount; self.openAmount = openAmount; self.disputed = disputed
        self.blocked = blocked; self.promiseDate = promiseDate; self.settled = settled; self.sourceLine = sourceLine
    }

    /// Days past due at `asOf` (zero or negative when not yet due).
    public func daysPastDue(asOf: LocalDate) -> Int { asOf.days(since: dueDate) }
}
