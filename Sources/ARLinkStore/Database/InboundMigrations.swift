import GRDB
import Foundation

extension StoreMigrations {
    /// Inbound: claimed files, applied events, allocations, promises and the ERP update outbox.
    static let inboundV1 = StoreMigration("inbound-v1", [
        .sql("""
                CREATE TABLE inbound_file (
                    partner TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    file_name TEXT NOT NULL,
                    file_id TEXT,
                    sequence {int},
                    state TEXT NOT NULL CHECK (state IN ('applied', 'quarantined', 'duplicate')),
                    plaintext_sha256 TEXT,
                    error_code TEXT,
                    events_accepted {int} NOT NULL DEFAULT 0,
                    events_rejected {int} NOT NULL DEFAULT 0,
                    receipt_name TEXT,
                    receipt_file_id TEXT,
                    receipt_sequence {int},
                    received_at TEXT NOT NULL,
                    finished {int} NOT NULL DEFAULT 0,
                    PRIMARY KEY (partner, sha256)
                ){without_rowid};
                CREATE UNIQUE INDEX inbound_file_by_id ON inbound_file(partner, file_id) WHERE state = 'applied';
                CREATE UNIQUE INDEX inbound_file_by_sequence ON inbound_file(partner, sequence) WHERE state = 'applied';
                CREATE UNIQUE INDEX inbound_file_by_receipt ON inbound_file(partner, receipt_sequence) WHERE receipt_sequence IS NOT NULL;
                CREATE TABLE inbound_event (
                    partner TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    file_sha256 TEXT NOT NULL,
                    line {int} NOT NULL,
                    type TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
                    exception TEXT,
                    PRIMARY KEY (partner, event_id)
                ){without_rowid};
                CREATE TABLE inbound_rejection (
                    partner TEXT NOT NULL,
                    file_sha256 TEXT NOT NULL,
                    line {int} NOT NULL,
                    event_id TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    PRIMARY KEY (partner, file_sha256, line)
                ){without_rowid};
                CREATE TABLE inbound_invoice_paid (
                    partner TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    invoice_number TEXT NOT NULL,
                    paid_minor {int} NOT NULL,
                    PRIMARY KEY (partner, account_ref, invoice_number)
                ){without_rowid};
                CREATE TABLE inbound_allocation (
                    partner TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    invoice_number TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    amount_minor {int} NOT NULL,
                    reversed_by TEXT,
                    PRIMARY KEY (partner, event_id, invoice_number)
                ){without_rowid};
                CREATE INDEX inbound_allocation_by_account ON inbound_allocation(partner, account_ref);
                CREATE TABLE inbound_promise (
                    partner TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    invoice_number TEXT,
                    currency TEXT NOT NULL,
                    amount_minor {int} NOT NULL,
                    promised_date TEXT NOT NULL,
                    paid_baseline_minor {int} NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('open', 'kept', 'broken')),
                    PRIMARY KEY (partner, event_id)
                ){without_rowid};
                CREATE INDEX inbound_promise_open ON inbound_promise(state, promised_date);
                CREATE TABLE erp_update (
                    seq {autoincrement},
                    update_id TEXT NOT NULL UNIQUE,
                    partner TEXT NOT NULL,
                    record_json TEXT NOT NULL,
                    record_csv TEXT NOT NULL,
                    export_id TEXT
                );
                CREATE INDEX erp_update_by_export ON erp_update(export_id, seq);
                CREATE TABLE erp_export (
                    export_id TEXT PRIMARY KEY NOT NULL,
                    first_seq {int} NOT NULL,
                    last_seq {int} NOT NULL,
                    update_count {int} NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('claimed', 'written')),
                    created_at TEXT NOT NULL
                );
                """),
    ])

    /// Inbound v2: the per-event rows gave way to what a million-event file can afford.
    /// - `inbound_event_keys`: every event id a file brought, as sorted 128-bit keys
    ///   (``EventKey``) in one blob per file; replaces `inbound_event` for duplicate checks.
    /// - `inbound_file_count`: accepted and rejected events per file and type.
    /// - `inbound_payment`: one row per accepted payment with its allocations as text
    ///   (`invoice TAB currency TAB minor` lines); replaces `inbound_allocation`.
    /// - `erp_staged_export`: the ERP update outbox as fsynced staged files recorded in the
    ///   same transaction as the events (name and size of each), published by renaming.
    /// - `inbound_promise_v2`: at most one open promise per account (and invoice): a newer
    ///   promise supersedes the open one, as a renegotiated promise replaces the old one in
    ///   collection practice; replaces `inbound_promise` (a row per promise ever made, whose
    ///   text key and second index made a file of 250,000 promises cost over a second).
    /// Rows of the v1 tables are carried over; v1 tables stay (migrations are append-only).
    static let inboundV2 = StoreMigration("inbound-v2", [
        .sql("""
                CREATE TABLE inbound_event_keys (
                    partner TEXT NOT NULL,
                    file_sha256 TEXT NOT NULL,
                    chunk {int} NOT NULL,
                    key_count {int} NOT NULL,
                    keys {blob} NOT NULL,
                    PRIMARY KEY (partner, file_sha256, chunk)
                ){without_rowid};
                CREATE TABLE inbound_file_count (
                    partner TEXT NOT NULL,
                    file_sha256 TEXT NOT NULL,
                    type TEXT NOT NULL,
                    accepted {int} NOT NULL,
                    rejected {int} NOT NULL,
                    PRIMARY KEY (partner, file_sha256, type)
                ){without_rowid};
                CREATE TABLE inbound_payment (
                    partner TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    allocations TEXT NOT NULL,
                    reversed_by TEXT,
                    PRIMARY KEY (partner, event_id)
                ){without_rowid};
                CREATE TABLE erp_staged_export (
                    export_id TEXT PRIMARY KEY NOT NULL,
                    number {int} NOT NULL UNIQUE,
                    source TEXT NOT NULL,
                    update_count {int} NOT NULL,
                    files TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('staged', 'written')),
                    created_at TEXT NOT NULL
                );
                CREATE TABLE inbound_promise_v2 (
                    id {rowid},
                    partner TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    invoice_number TEXT,
                    currency TEXT NOT NULL,
                    amount_minor {int} NOT NULL,
                    promised_date TEXT NOT NULL,
                    paid_baseline_minor {int} NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('open', 'kept', 'broken', 'superseded'))
                );
                CREATE INDEX inbound_promise_v2_open ON inbound_promise_v2(promised_date) WHERE state = 'open';
                """),
        .dialects(
            sqlite: """
                CREATE UNIQUE INDEX inbound_promise_v2_one_open ON inbound_promise_v2(partner, account_ref, ifnull(invoice_number, ''))
                    WHERE state = 'open';
                """,
            postgresql: ["""
                CREATE UNIQUE INDEX inbound_promise_v2_one_open ON inbound_promise_v2(partner, account_ref, (COALESCE(invoice_number, '')))
                    WHERE state = 'open'
                """]),
        .sqliteCarryOver("""
                INSERT INTO inbound_promise_v2 (partner, event_id, account_ref, invoice_number, currency, amount_minor, promised_date,
                                                paid_baseline_minor, state)
                    SELECT p.partner, p.event_id, p.account_ref, p.invoice_number, p.currency, p.amount_minor, p.promised_date, p.paid_baseline_minor,
                           CASE WHEN state = 'open' AND EXISTS (
                               SELECT 1 FROM inbound_promise o
                               WHERE o.state = 'open' AND o.partner = p.partner AND o.account_ref = p.account_ref
                                 AND ifnull(o.invoice_number, '') = ifnull(p.invoice_number, '')
                                 AND (o.promised_date > p.promised_date OR (o.promised_date = p.promised_date AND o.event_id > p.event_id)))
                           THEN 'superseded' ELSE state END
                    FROM inbound_promise p ORDER BY p.promised_date, p.partner, p.event_id;
                INSERT INTO inbound_file_count (partner, file_sha256, type, accepted, rejected)
                    SELECT partner, file_sha256, type, SUM(outcome = 'accepted'), SUM(outcome = 'rejected')
                    FROM inbound_event GROUP BY partner, file_sha256, type;
                INSERT INTO inbound_payment (partner, event_id, account_ref, allocations, reversed_by)
                    SELECT a.partner, a.event_id, a.account_ref,
                           group_concat(a.invoice_number || char(9) || a.currency || char(9) || a.amount_minor, char(10)), MAX(a.reversed_by)
                    FROM inbound_allocation a GROUP BY a.partner, a.event_id;
                """),
        .sqliteCarryOver { db in
            var groups: [String: [EventKey]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT partner, file_sha256, event_id FROM inbound_event")
            while let row = try rows.next() {
                let partner: String = row[0]
                let file: String = row[1]
                groups[partner + "\u{0}" + file, default: []].append(EventKey(row[2] as String))
            }
            for (group, keys) in groups {
                let parts = group.split(separator: "\u{0}", maxSplits: 1).map(String.init)
                try db.execute(sql: "INSERT INTO inbound_event_keys (partner, file_sha256, chunk, key_count, keys) VALUES (?, ?, 0, ?, ?)",
                               arguments: [parts[0], parts[1], keys.count, Data(EventKey.encode(keys.sorted()))])
            }
        },
    ])

    /// Inbound v3: a file that was only quarantined may be received again (the same bytes,
    /// e.g. after our clock or trust configuration was fixed) and is then processed afresh, so
    /// the same bytes can have several rows: `attempt` counts them. A replay is the same bytes
    /// as an applied file.
    /// `receipt_plaintext_sha256` is the SHA-256 of the receipt's plaintext once sealed: the next
    /// receipt to the partner names it as `previous_file_sha256`.
    /// A payment's excess over the open balance (`excess_currency`, `excess_minor`) is kept
    /// with it: a promise is judged against everything the debtor paid, not only what reached
    /// the invoices (few payments have one, hence the partial index).
    static let inboundV3 = StoreMigration("inbound-v3", [
        .sql("""
                CREATE TABLE inbound_file_v3 (
                    partner TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    attempt {int} NOT NULL,
                    file_name TEXT NOT NULL,
                    file_id TEXT,
                    sequence {int},
                    state TEXT NOT NULL CHECK (state IN ('applied', 'quarantined', 'duplicate')),
                    plaintext_sha256 TEXT,
                    error_code TEXT,
                    events_accepted {int} NOT NULL DEFAULT 0,
                    events_rejected {int} NOT NULL DEFAULT 0,
                    receipt_name TEXT,
                    receipt_file_id TEXT,
                    receipt_sequence {int},
                    received_at TEXT NOT NULL,
                    finished {int} NOT NULL DEFAULT 0,
                    receipt_plaintext_sha256 TEXT,
                    PRIMARY KEY (partner, sha256, attempt)
                ){without_rowid};
                INSERT INTO inbound_file_v3 (partner, sha256, attempt, file_name, file_id, sequence, state, plaintext_sha256, error_code,
                                             events_accepted, events_rejected, receipt_name, receipt_file_id, receipt_sequence, received_at, finished)
                    SELECT partner, sha256, 1, file_name, file_id, sequence, state, plaintext_sha256, error_code,
                           events_accepted, events_rejected, receipt_name, receipt_file_id, receipt_sequence, received_at, finished
                    FROM inbound_file;
                DROP TABLE inbound_file;
                ALTER TABLE inbound_file_v3 RENAME TO inbound_file;
                CREATE UNIQUE INDEX inbound_file_by_id ON inbound_file(partner, file_id) WHERE state = 'applied';
                CREATE UNIQUE INDEX inbound_file_by_sequence ON inbound_file(partner, sequence) WHERE state = 'applied';
                CREATE UNIQUE INDEX inbound_file_by_receipt ON inbound_file(partner, receipt_sequence) WHERE receipt_sequence IS NOT NULL;
                CREATE UNIQUE INDEX inbound_file_one_unfinished ON inbound_file(partner, sha256) WHERE finished = 0;
                ALTER TABLE inbound_payment ADD COLUMN excess_currency TEXT;
                ALTER TABLE inbound_payment ADD COLUMN excess_minor {int};
                CREATE INDEX inbound_payment_excess ON inbound_payment(partner, account_ref) WHERE excess_minor IS NOT NULL;
                """),
    ])

    /// Inbound v4: the duplicate-event window. Each blob of event keys carries the day its
    /// file was received (`received_on`, `YYYY-MM-DD`, UTC), indexed, so that the check reads
    /// only the keys of the window's days. Existing blobs take their file's day; a blob whose
    /// file is not found is dated far in the future and so stays inside every window.
    static let inboundV4 = StoreMigration("inbound-v4", [
        .sql("""
                ALTER TABLE inbound_event_keys ADD COLUMN received_on TEXT NOT NULL DEFAULT '9999-12-31';
                UPDATE inbound_event_keys SET received_on = COALESCE(
                    (SELECT substr(MAX(f.received_at), 1, 10) FROM inbound_file f
                     WHERE f.partner = inbound_event_keys.partner AND f.sha256 = inbound_event_keys.file_sha256), '9999-12-31');
                CREATE INDEX inbound_event_keys_by_day ON inbound_event_keys(partner, received_on);
                """),
    ])
}
