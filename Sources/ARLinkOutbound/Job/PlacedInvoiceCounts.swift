import ARLinkCore

/// The invoices (and netted credit notes) of the accounts a plan places, per currency code:
/// the KPI report's placed invoices. Counted as the ledger records the accounts.
struct PlacedInvoiceCounts {
    private(set) var byCurrency: [String: Int] = [:]

    mutating func add(_ invoices: [PortfolioInvoice]) {
        for invoice in invoices { byCurrency[invoice.openAmount.currency.code, default: 0] += 1 }
    }
}
