import GRDB

extension StoreMigrations {
    /// Inbound: claimed files, applied events, allocations, promises and the ERP update outbox.
    static func registerInboundMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("inbound-v1") { db in
            try db.execute(sql: """
                CREATE TABLE inbound_file (
                    partner TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    file_name TEXT NOT NULL,
                    file_id TEXT,
                    sequence INTEGER,
                    state TEXT NOT NULL CHECK (state IN ('applied', 'quarantined', 'duplicate')),
                    plaintext_sha256 TEXT,
                    error_code TEXT,
                    events_accepted INTEGER NOT NULL DEFAULT 0,
                    events_rejected INTEGER NOT NULL DEFAULT 0,
                    receipt_name TEXT,
                    receipt_file_id TEXT,
                    receipt_sequence INTEGER,
                    received_at TEXT NOT NULL,
                    finished INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (partner, sha256)
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX inbound_file_by_id ON inbound_file(partner, file_id) WHERE state = 'applied';
                CREATE UNIQUE INDEX inbound_file_by_sequence ON inbound_file(partner, sequence) WHERE state = 'applied';
                CREATE UNIQUE INDEX inbound_file_by_receipt ON inbound_file(partner, receipt_sequence) WHERE receipt_sequence IS NOT NULL;
                CREATE TABLE inbound_event (
                    partner TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    file_sha256 TEXT NOT NULL,
                    line INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
                    exception TEXT,
                    PRIMARY KEY (partner, event_id)
                ) WITHOUT ROWID;
                CREATE TABLE inbound_rejection (
                    partner TEXT NOT NULL,
                    file_sha256 TEXT NOT NULL,
                    line INTEGER NOT NULL,
                    event_id TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    PRIMARY KEY (partner, file_sha256, line)
                ) WITHOUT ROWID;
                CREATE TABLE inbound_invoice_paid (
                    partner TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    invoice_number TEXT NOT NULL,
                    paid_minor INTEGER NOT NULL,
                    PRIMARY KEY (partner, account_ref, invoice_number)
                ) WITHOUT ROWID;
                CREATE TABLE inbound_allocation (
                    partner TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    invoice_number TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    amount_minor INTEGER NOT NULL,
                    reversed_by TEXT,
                    PRIMARY KEY (partner, event_id, invoice_number)
                ) WITHOUT ROWID;
                CREATE INDEX inbound_allocation_by_account ON inbound_allocation(partner, account_ref);
                CREATE TABLE inbound_promise (
                    partner TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    invoice_number TEXT,
                    currency TEXT NOT NULL,
                    amount_minor INTEGER NOT NULL,
                    promised_date TEXT NOT NULL,
                    paid_baseline_minor INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('open', 'kept', 'broken')),
                    PRIMARY KEY (partner, event_id)
                ) WITHOUT ROWID;
                CREATE INDEX inbound_promise_open ON inbound_promise(state, promised_date);
                CREATE TABLE erp_update (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    update_id TEXT NOT NULL UNIQUE,
                    partner TEXT NOT NULL,
                    record_json TEXT NOT NULL,
                    record_csv TEXT NOT NULL,
                    export_id TEXT
                );
                CREATE INDEX erp_update_by_export ON erp_update(export_id, seq);
                CREATE TABLE erp_export (
                    export_id TEXT PRIMARY KEY NOT NULL,
                    first_seq INTEGER NOT NULL,
                    last_seq INTEGER NOT NULL,
                    update_count INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('claimed', 'written')),
                    created_at TEXT NOT NULL
                );
                """)
        }
    }
}
