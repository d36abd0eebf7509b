/// What the ledger knows about one placed account when an event arrives: its invoices with
/// what was placed and what the partner has paid on each so far.
public struct AccountPosition: Sendable, Hashable {
    public var accountRef: String
    public var invoices: [InvoicePosition]

    public init(accountRef: String, invoices: [InvoicePosition]) {
        self.accountRef = accountRef
        self.invoices = invoices
    }

    /// The currencies of the account's invoices.
    public var currencies: Set<Currency> { Set(invoices.map(\.placed.currency)) }

    /// Whether one of the account's invoices is in `currency` (no set built per event).
    public func holds(_ currency: Currency) -> Bool { invoices.contains { $0.placed.currency == currency } }

    /// Total still open in `currency`.
    public func open(in currency: Currency) -> Int64 {
        invoices.filter { $0.placed.currency == currency }.reduce(0) { $0 + $1.openMinor }
    }
}

/// One placed invoice and the payments allocated to it.
public struct InvoicePosition: Sendable, Hashable {
    public var invoiceNumber: String
    public var dueDate: LocalDate
    /// The amount we placed.
    public var placed: Money
    /// Minor units the partner's payments took from it (net of reversals).
    public var paidMinor: Int64

    public init(invoiceNumber: String, dueDate: LocalDate, placed: Money, paidMinor: Int64) {
        self.invoiceNumber = invoiceNumber
        self.dueDate = dueDate
        self.placed = placed
        self.paidMinor = paidMinor
    }

    /// What is still open (never negative).
    public var openMinor: Int64 { max(0, placed.minorUnits - paidMinor) }
}

/// Part of a payment applied to one invoice (negative for a reversal).
public struct Allocation: Sendable, Hashable {
    public var invoiceNumber: String
    public var amount: Money

    public init(invoiceNumber: String, amount: Money) {
        self.invoiceNumber = invoiceNumber
        self.amount = amount
    }
}

/// What the partner acknowledged versus what the batch holds.
public struct BatchFigures: Sendable, Hashable {
    public var batchID: String
    public var totals: ControlTotals

    public init(batchID: String, totals: ControlTotals) {
        self.batchID = batchID
        self.totals = totals
    }
}
