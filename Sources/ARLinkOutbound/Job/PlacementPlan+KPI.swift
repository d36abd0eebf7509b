import ARLinkCore

extension PlacementPlan {
    /// The invoices (and netted credit notes) of the accounts this plan places, per currency
    /// code: the KPI report's placed invoices.
    var placedInvoiceCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for account in accounts where account.action == .place {
            for invoice in invoices(for: account) { counts[invoice.openAmount.currency.code, default: 0] += 1 }
        }
        return counts
    }
}
