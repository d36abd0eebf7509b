import GRDB
public import ARLinkCore

/// One read transaction over what the KPI report needs, so that the report module reads the
/// store without importing GRDB. See ``KPIFacts`` for each reading.
public struct KPISource {
    let db: Database

    public func placementSteps(partner: String) throws -> [KPIFacts.PlacementStep] { try KPIFacts.placementSteps(db, partner: partner) }

    public func placedInvoices(partner: String) throws -> [(asOf: LocalDate, currency: String, invoices: Int)] {
        try KPIFacts.placedInvoices(db, partner: partner)
    }

    public func accountPayments(partner: String) throws -> [KPIFacts.AccountPayment] { try KPIFacts.accountPayments(db, partner: partner) }

    public func eventFacts(partner: String, from: LocalDate, to: LocalDate) throws -> [KPIFacts.EventFact] {
        try KPIFacts.eventFacts(db, partner: partner, from: from, to: to)
    }

    public func disputeDays(partner: String) throws -> [String: LocalDate] { try KPIFacts.disputeDays(db, partner: partner) }

    public func risks(partner: String) throws -> [String: FeedbackFacts.Risk] { try KPIFacts.risks(db, partner: partner) }

    public func judgedPromises(partner: String, from: LocalDate, to: LocalDate) throws -> [KPIFacts.JudgedPromise] {
        try KPIFacts.judgedPromises(db, partner: partner, from: from, to: to)
    }

    public func fileActivity(partner: String, from: LocalDate, to: LocalDate) throws -> KPIFacts.FileActivity {
        try KPIFacts.fileActivity(db, partner: partner, from: from, to: to)
    }

    public func extractFacts(through to: LocalDate) throws -> [KPIFacts.ExtractFact] { try KPIFacts.extractFacts(db, through: to) }

    public func origins() throws -> [KPIFacts.Kind: LocalDate] { try KPIFacts.origins(db) }
}

extension StateStore {
    /// Runs `body` in one read transaction with the KPI readings.
    public func readKPIs<T>(_ body: (KPISource) throws -> T) throws -> T {
        try read { db in try body(KPISource(db: db)) }
    }
}
