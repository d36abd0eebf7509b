import ARLinkCore
import ARLinkStore

/// What the report reads about one partner once, before computing any period.
struct PartnerData {
    var partner: String
    var steps: [KPIFacts.PlacementStep]
    var invoices: [(asOf: LocalDate, currency: String, invoices: Int)]
    /// Net payments by account, oldest first.
    var payments: [String: [KPIFacts.AccountPayment]]
    var disputes: [String: LocalDate]
    var risks: [String: FeedbackFacts.Risk]

    init(_ source: KPISource, partner: String) throws {
        self.partner = partner
        steps = try source.placementSteps(partner: partner)
        invoices = try source.placedInvoices(partner: partner)
        payments = Dictionary(grouping: try source.accountPayments(partner: partner), by: \.accountRef)
        disputes = try source.disputeDays(partner: partner)
        risks = try source.risks(partner: partner)
    }

    /// Where each account stands after the steps dated up to `day`: active or recalled, and
    /// the balances last placed.
    func standing(through day: LocalDate) -> [String: (active: Bool, balances: [Money])] {
        var out: [String: (active: Bool, balances: [Money])] = [:]
        for step in steps where step.asOf <= day {
            let prior = out[step.accountRef]
            switch step.action {
            case "recall": out[step.accountRef] = (false, prior?.balances ?? step.balances)
            case "update": out[step.accountRef] = (prior?.active ?? true, step.balances)
            default: out[step.accountRef] = (true, step.balances)
            }
        }
        return out
    }

    /// The first placement in `period` of each account placed in it, with the balances placed.
    func placements(in period: KPIPeriod) -> [String: (day: LocalDate, balances: [Money])] {
        var out: [String: (day: LocalDate, balances: [Money])] = [:]
        for step in steps where step.action == "place" && period.contains(step.asOf) && out[step.accountRef] == nil {
            out[step.accountRef] = (step.asOf, step.balances)
        }
        return out
    }
}
