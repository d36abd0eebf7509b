import GRDB

extension StoreMigrations {
    /// KPI facts (issue 19): the small aggregates the collection KPI report needs that the
    /// ledger and inbound tables do not keep, written in the transaction of the run that
    /// learns them. No personal data: account references, codes, dates, counts and amounts.
    /// - `kpi_extract_fact`: per outbound run (as-of date) and currency, the extract's
    ///   receivables, overdue amount, aging buckets and credit sales by invoice date
    ///   (``ExtractFacts``).
    /// - `kpi_batch_fact`: per outbound batch and currency, the invoices of the accounts it
    ///   placed (the ledger keeps an account's invoices only while it is placed).
    /// - `kpi_event_fact`: per partner, day, currency, measure and key, the accepted feedback
    ///   events' count and amount (payments, reversals, promises, disputes by reason, statuses
    ///   by code).
    /// - `kpi_account_payment`: per partner, account, currency and day, payments less
    ///   reversals, and whether a payment (not only a reversal) came that day (cohorts, days to
    ///   first payment).
    /// - `kpi_account_dispute`: the first day each account was disputed (the dispute rate).
    /// - `kpi_account_risk`: each account's latest risk score and segment.
    /// - `kpi_fact_origin`: the first day each kind of fact was recorded (the report says from
    ///   when each figure is available).
    static let kpiV1 = StoreMigration("kpi-v1", [
        .sql("""
                CREATE TABLE kpi_extract_fact (
                    as_of TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    measure TEXT NOT NULL,
                    key TEXT NOT NULL,
                    items {int} NOT NULL,
                    minor {int} NOT NULL,
                    PRIMARY KEY (as_of, currency, measure, key)
                ){without_rowid};
                CREATE TABLE kpi_batch_fact (
                    batch_id TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    placed_invoices {int} NOT NULL,
                    PRIMARY KEY (batch_id, currency)
                ){without_rowid};
                CREATE TABLE kpi_event_fact (
                    partner TEXT NOT NULL,
                    day TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    measure TEXT NOT NULL,
                    key TEXT NOT NULL,
                    events {int} NOT NULL,
                    minor {int} NOT NULL,
                    PRIMARY KEY (partner, day, currency, measure, key)
                ){without_rowid};
                CREATE TABLE kpi_account_payment (
                    partner TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    day TEXT NOT NULL,
                    minor {int} NOT NULL,
                    paid {int} NOT NULL,
                    PRIMARY KEY (partner, account_ref, currency, day)
                ){without_rowid};
                CREATE TABLE kpi_account_dispute (
                    partner TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    first_disputed_on TEXT NOT NULL,
                    PRIMARY KEY (partner, account_ref)
                ){without_rowid};
                CREATE TABLE kpi_account_risk (
                    partner TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    score {int} NOT NULL,
                    segment TEXT NOT NULL,
                    scored_on TEXT NOT NULL,
                    PRIMARY KEY (partner, account_ref)
                ){without_rowid};
                CREATE TABLE kpi_fact_origin (
                    kind TEXT PRIMARY KEY NOT NULL,
                    since TEXT NOT NULL
                );
                """),
    ])
}
