public import GRDB
public import ARLinkCore

/// What the KPI report reads: the ledger's placements, the inbound tables and the KPI facts.
extension KPIFacts {
    /// One placement ledger change of an account, in a batch that reached the partner.
    public struct PlacementStep: Sendable, Hashable {
        public var accountRef: String
        /// `place`, `update` or `recall`.
        public var action: String
        /// The batch's as-of date.
        public var asOf: LocalDate
        public var balances: [Money]
        public var recallReason: String?
    }

    /// The partner's placement changes in delivered (or acknowledged) batches, oldest first.
    public static func placementSteps(_ tx: StoreTransaction, partner: String) throws -> [PlacementStep] {
        let db = tx.db
        let rows = try Row.fetchCursor(db, sql: """
            SELECT e.account_ref, e.action, b.as_of, e.balances, e.recall_reason FROM placement_event e
            JOIN outbound_batch b ON b.batch_id = e.batch_id
            WHERE e.partner = ? AND b.state IN ('delivered', 'acknowledged')
            ORDER BY b.as_of, b.sequence, e.account_ref
            """, arguments: [partner])
        var out: [PlacementStep] = []
        while let row = try rows.next() {
            guard let asOf = LocalDate(iso: row[2] as String) else { continue }
            out.append(PlacementStep(accountRef: row[0], action: row[1], asOf: asOf, balances: PlacementLedger.decodeBalances(row[3]),
                                     recallReason: row[4]))
        }
        return out
    }

    /// Invoices placed per currency by each of the partner's delivered batches, with the batch's as-of date.
    public static func placedInvoices(_ tx: StoreTransaction, partner: String) throws -> [(asOf: LocalDate, currency: String, invoices: Int)] {
        let db = tx.db
        return try Row.fetchAll(db, sql: """
            SELECT b.as_of, f.currency, f.placed_invoices FROM kpi_batch_fact f JOIN outbound_batch b ON b.batch_id = f.batch_id
            WHERE b.partner = ? AND b.state IN ('delivered', 'acknowledged')
            """, arguments: [partner]).compactMap { row in
            guard let day = LocalDate(iso: row[0] as String) else { return nil }
            return (day, row[1], row[2])
        }
    }

    /// Net payments of one account in one currency on one day.
    public struct AccountPayment: Sendable, Hashable {
        public var accountRef: String
        public var currency: String
        public var day: LocalDate
        /// Payments less reversals.
        public var minor: Int64
        /// A payment (not only a reversal) came that day.
        public var paid: Bool
    }

    /// The partner's net payments per account, currency and day, oldest first.
    public static func accountPayments(_ tx: StoreTransaction, partner: String) throws -> [AccountPayment] {
        let db = tx.db
        return try Row.fetchAll(db, sql: "SELECT account_ref, currency, day, minor, paid FROM kpi_account_payment WHERE partner = ? ORDER BY day",
                         arguments: [partner]).compactMap { row in
            guard let day = LocalDate(iso: row[2] as String) else { return nil }
            return AccountPayment(accountRef: row[0], currency: row[1], day: day, minor: row[3], paid: (row[4] as Int64) != 0)
        }
    }

    /// One day's figure of accepted events.
    public struct EventFact: Sendable, Hashable {
        public var day: LocalDate
        public var currency: String
        public var measure: String
        public var key: String
        public var events: Int
        public var minor: Int64
    }

    /// The partner's event figures dated `from` through `to`.
    public static func eventFacts(_ tx: StoreTransaction, partner: String, from: LocalDate, to: LocalDate) throws -> [EventFact] {
        let db = tx.db
        return try Row.fetchAll(db, sql: """
            SELECT day, currency, measure, key, events, minor FROM kpi_event_fact WHERE partner = ? AND day >= ? AND day <= ?
            """, arguments: [partner, from.iso, to.iso]).compactMap { row in
            guard let day = LocalDate(iso: row[0] as String) else { return nil }
            return EventFact(day: day, currency: row[1], measure: row[2], key: row[3], events: row[4], minor: row[5])
        }
    }

    /// The first day each of the partner's accounts was disputed.
    public static func disputeDays(_ tx: StoreTransaction, partner: String) throws -> [String: LocalDate] {
        let db = tx.db
        var out: [String: LocalDate] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT account_ref, first_disputed_on FROM kpi_account_dispute WHERE partner = ?", arguments: [partner]) {
            if let day = LocalDate(iso: row[1] as String) { out[row[0]] = day }
        }
        return out
    }

    /// Each of the partner's accounts' latest risk score.
    public static func risks(_ tx: StoreTransaction, partner: String) throws -> [String: FeedbackFacts.Risk] {
        let db = tx.db
        var out: [String: FeedbackFacts.Risk] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT account_ref, score, segment, scored_on FROM kpi_account_risk WHERE partner = ?", arguments: [partner]) {
            if let day = LocalDate(iso: row[3] as String) { out[row[0]] = FeedbackFacts.Risk(score: row[1], segment: row[2], scoredOn: day) }
        }
        return out
    }

    /// A promise judged kept or broken.
    public struct JudgedPromise: Sendable, Hashable {
        public var currency: String
        public var amountMinor: Int64
        public var promisedDate: LocalDate
        public var kept: Bool
    }

    /// The partner's promises dated `from` through `to` that were judged (the day after their date).
    public static func judgedPromises(_ tx: StoreTransaction, partner: String, from: LocalDate, to: LocalDate) throws -> [JudgedPromise] {
        let db = tx.db
        return try Row.fetchAll(db, sql: """
            SELECT currency, amount_minor, promised_date, state FROM inbound_promise_v2
            WHERE partner = ? AND state IN ('kept', 'broken') AND promised_date >= ? AND promised_date <= ?
            """, arguments: [partner, from.iso, to.iso]).compactMap { row in
            guard let date = LocalDate(iso: row[2] as String) else { return nil }
            return JudgedPromise(currency: row[0], amountMinor: row[1], promisedDate: date, kept: (row[3] as String) == "kept")
        }
    }

    /// The partner's inbound files and what they did, received `from` through `to` (UTC days).
    public struct FileActivity: Sendable, Hashable {
        public var received = 0
        public var applied = 0
        public var quarantined = 0
        public var duplicates = 0
        public var held = 0
        public var eventsAccepted = 0
        public var eventsRejected = 0
        public var rejectedByReason: [String: Int] = [:]
        public var erpUpdatesExported = 0

        public init() {}
    }

    public static func fileActivity(_ tx: StoreTransaction, partner: String, from: LocalDate, to: LocalDate) throws -> FileActivity {
        let db = tx.db
        var out = FileActivity()
        let start = from.iso, end = to.adding(days: 1).iso
        for row in try Row.fetchAll(db, sql: """
            SELECT state, COUNT(*), SUM(events_accepted), SUM(events_rejected) FROM inbound_file
            WHERE partner = ? AND received_at >= ? AND received_at < ? GROUP BY state
            """, arguments: [partner, start, end]) {
            let count: Int = row[1]
            out.received += count
            switch row[0] as String {
            case "applied":
                out.applied = count
                out.eventsAccepted = row[2]
                out.eventsRejected = row[3]
            case "quarantined": out.quarantined = count
            default: out.duplicates = count
            }
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT r.reason, COUNT(*) FROM inbound_rejection r
            WHERE r.partner = ? AND r.file_sha256 IN (
                SELECT sha256 FROM inbound_file WHERE partner = ? AND state = 'applied' AND received_at >= ? AND received_at < ?)
            GROUP BY r.reason
            """, arguments: [partner, partner, start, end]) {
            out.rejectedByReason[row[0]] = row[1]
        }
        out.held = try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM audit_entry WHERE action = 'file.held' AND recorded_at >= ? AND recorded_at < ?
                AND json_extract(entry, '$.partner') = ?
            """, arguments: [start, end, partner]) ?? 0
        out.erpUpdatesExported = try Int.fetchOne(db, sql: """
            SELECT ifnull(SUM(e.update_count), 0) FROM erp_staged_export e
            WHERE e.state = 'written' AND e.created_at >= ? AND e.created_at < ?
                AND e.source IN (SELECT sha256 FROM inbound_file WHERE partner = ?)
            """, arguments: [start, end, partner]) ?? 0
        return out
    }

    /// One figure of an extract.
    public struct ExtractFact: Sendable, Hashable {
        public var asOf: LocalDate
        public var currency: String
        public var measure: String
        public var key: String
        public var items: Int
        public var minor: Int64
    }

    /// The extract facts of runs with as-of dates up to `to`, oldest first.
    public static func extractFacts(_ tx: StoreTransaction, through to: LocalDate) throws -> [ExtractFact] {
        let db = tx.db
        return try Row.fetchAll(db, sql: "SELECT as_of, currency, measure, key, items, minor FROM kpi_extract_fact WHERE as_of <= ? ORDER BY as_of",
                         arguments: [to.iso]).compactMap { row in
            guard let day = LocalDate(iso: row[0] as String) else { return nil }
            return ExtractFact(asOf: day, currency: row[1], measure: row[2], key: row[3], items: row[4], minor: row[5])
        }
    }

    /// The first day each kind of fact was recorded (absent: never).
    public static func origins(_ tx: StoreTransaction) throws -> [Kind: LocalDate] {
        let db = tx.db
        var out: [Kind: LocalDate] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT kind, since FROM kpi_fact_origin") {
            if let kind = Kind(rawValue: row[0]), let day = LocalDate(iso: row[1] as String) { out[kind] = day }
        }
        return out
    }
}
