/// A payment from the ERP's optional payments extract, used for last-payment dates.
public struct PaymentRecord: Sendable, Hashable {
    public var customerID: String
    public var invoiceNumber: String?
    public var date: LocalDate
    public var amount: Money
    public var sourceLine: Int

    public init(customerID: String, invoiceNumber: String? = nil, date: LocalDate, amount: Money, sourceLine: Int = 0) {
        self.customerID = customerID; self.invoiceNumber = invoiceNumber; self.date = date
        self.amount = amount; self.sourceLine = sourceLine
    }
}
