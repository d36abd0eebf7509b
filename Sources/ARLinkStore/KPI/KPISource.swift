
public import ARLinkCore

/// One read transaction over what the KPI report needs, so that the report module reads the
/// store without importing GRDB. See ``KPIFacts`` for each reading.
public struct KPISource {
    let tx: StoreTransaction

    public func placementSteps(partner: String) throws -> [KPIFacts.PlacementStep] { try KPIFacts.placementSteps(tx, partner: partner) }

    public func placedInvoices(partner: String) throws -> [(asOf: LocalDate, currency: String, invoices: Int)] {
        try KPIFacts.placedInvoices(tx, partner: partner)
    }

    public func accountPayments(partner: String) throws -> [KPIFacts.AccountPayment] { try KPIFacts.accountPayments(tx, partner: partner) }

    public func eventFacts(partner: String, from: LocalDate, to: LocalDate) throws -> [KPIFacts.EventFact] {
        try KPIFacts.eventFacts(tx, partner: partner, from: from, to: to)
    }

    public func disputeDays(partner: String) throws -> [String: LocalDate] { try KPIFacts.disputeDays(tx, partner: partner) }

    public func risks(partner: String) throws -> [String: FeedbackFacts.Risk] { try KPIFacts.risks(tx, partner: partner) }

    public func judgedPromises(partner: String, from: LocalDate, to: LocalDate) throws -> [KPIFacts.JudgedPromise] {
        try KPIFacts.judgedPromises(tx, partner: partner, from: from, to: to)
    }

    public func fileActivity(partner: String, from: LocalDate, to: LocalDate) throws -> KPIFacts.FileActivity {
        try KPIFacts.fileActivity(tx, partner: partner, from: from, to: to)
    }

    public func extractFacts(through to: LocalDate) throws -> [KPIFacts.ExtractFact] { try KPIFacts.extractFacts(tx, through: to) }

    public func origins() throws -> [KPIFacts.Kind: LocalDate] { try KPIFacts.origins(tx) }
}

extension StateStore {
    /// Runs `body` in one read transaction with the KPI readings.
    public func readKPIs<T>(_ body: (KPISource) throws -> T) throws -> T {
        try read { tx in try body(KPISource(tx: tx)) }
    }
}
