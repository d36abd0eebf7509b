public import GRDB
public import ARLinkCore

/// Writes and reads the KPI facts (migration `kpi-v1`). Writers run inside the transaction of
/// the run that learned the facts; readers serve the KPI report.
public enum KPIFacts {
    /// Kinds of facts whose first day is kept in `kpi_fact_origin`.
    public enum Kind: String, Sendable {
        case extract
        case feedback
    }

    // MARK: - Writing

    /// Records one extract's facts under its as-of date, replacing what an earlier run with the
    /// same as-of date recorded (the extract of that day, read again).
    public static func recordExtract(_ tx: StoreTransaction, _ facts: ExtractFacts) throws {
        let db = tx.db
        let asOf = facts.asOf.iso
        try db.execute(sql: "DELETE FROM kpi_extract_fact WHERE as_of = ?", arguments: [asOf])
        for (key, figure) in facts.figures {
            try db.execute(sql: "INSERT INTO kpi_extract_fact (as_of, currency, measure, key, items, minor) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [asOf, key.currency, key.measure.rawValue, key.key, figure.count, figure.minor])
        }
        try noteOrigin(db, .extract, since: asOf)
    }

    /// Records the number of invoices a batch placed, per currency (in the batch's transaction).
    public static func recordPlacedInvoices(_ tx: StoreTransaction, batchID: String, _ counts: [String: Int]) throws {
        let db = tx.db
        for (currency, count) in counts {
            try db.execute(sql: "INSERT OR REPLACE INTO kpi_batch_fact (batch_id, currency, placed_invoices) VALUES (?, ?, ?)",
                           arguments: [batchID, currency, count])
        }
    }

    /// Adds one feedback file's facts to the partner's.
    public static func recordFeedback(_ tx: StoreTransaction, partner: String, _ facts: FeedbackFacts) throws {
        let db = tx.db
        let event = try BulkStatement(db, sql: """
            INSERT INTO kpi_event_fact (partner, day, currency, measure, key, events, minor) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET events = events + excluded.events, minor = minor + excluded.minor
            """)
        for (key, figure) in facts.events {
            try event.insert(.text(partner), .text(key.day.iso), .text(key.currency), .text(key.measure.rawValue), .text(key.key),
                             .int(Int64(figure.count)), .int(figure.minor))
        }
        let payment = try BulkStatement(db, sql: """
            INSERT INTO kpi_account_payment (partner, account_ref, currency, day, minor, paid) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET minor = minor + excluded.minor, paid = max(paid, excluded.paid)
            """)
        for (key, net) in facts.payments {
            try payment.insert(.text(partner), .text(key.accountRef), .text(key.currency), .text(key.day.iso), .int(net.minor),
                               .int(net.paid ? 1 : 0))
        }
        let dispute = try BulkStatement(db, sql: """
            INSERT INTO kpi_account_dispute (partner, account_ref, first_disputed_on) VALUES (?, ?, ?)
            ON CONFLICT DO UPDATE SET first_disputed_on = min(first_disputed_on, excluded.first_disputed_on)
            """)
        for (ref, day) in facts.disputeDays {
            try dispute.insert(.text(partner), .text(ref), .text(day.iso))
        }
        let risk = try BulkStatement(db, sql: """
            INSERT INTO kpi_account_risk (partner, account_ref, score, segment, scored_on) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET score = excluded.score, segment = excluded.segment, scored_on = excluded.scored_on
                WHERE excluded.scored_on >= scored_on
            """)
        for (ref, r) in facts.risks {
            try risk.insert(.text(partner), .text(ref), .int(Int64(r.score)), .text(r.segment), .text(r.scoredOn.iso))
        }
        try noteOrigin(db, .feedback, since: facts.fallbackDay.iso)
    }

    static func noteOrigin(_ db: Database, _ kind: Kind, since: String) throws {
        try db.execute(sql: """
            INSERT INTO kpi_fact_origin (kind, since) VALUES (?, ?)
            ON CONFLICT DO UPDATE SET since = min(since, excluded.since)
            """, arguments: [kind.rawValue, since])
    }
}
