-- sqlite_master of a new state database after the migrations ledger-v1 … inbound-v4 (sorted by type and name),
-- taken from the migration SQL at commit 159d60a, before the migrations were defined for both dialects.

-- index audit_entry_by_file on audit_entry
CREATE INDEX audit_entry_by_file ON audit_entry(file_id) WHERE file_id IS NOT NULL;

-- index audit_entry_by_time on audit_entry
CREATE INDEX audit_entry_by_time ON audit_entry(recorded_at);

-- index audit_witness_by_size on audit_witness
CREATE INDEX audit_witness_by_size ON audit_witness(tree_size);

-- index erp_update_by_export on erp_update
CREATE INDEX erp_update_by_export ON erp_update(export_id, seq);

-- index inbound_allocation_by_account on inbound_allocation
CREATE INDEX inbound_allocation_by_account ON inbound_allocation(partner, account_ref);

-- index inbound_event_keys_by_day on inbound_event_keys
CREATE INDEX inbound_event_keys_by_day ON inbound_event_keys(partner, received_on);

-- index inbound_file_by_id on inbound_file
CREATE UNIQUE INDEX inbound_file_by_id ON inbound_file(partner, file_id) WHERE state = 'applied';

-- index inbound_file_by_receipt on inbound_file
CREATE UNIQUE INDEX inbound_file_by_receipt ON inbound_file(partner, receipt_sequence) WHERE receipt_sequence IS NOT NULL;

-- index inbound_file_by_sequence on inbound_file
CREATE UNIQUE INDEX inbound_file_by_sequence ON inbound_file(partner, sequence) WHERE state = 'applied';

-- index inbound_file_one_unfinished on inbound_file
CREATE UNIQUE INDEX inbound_file_one_unfinished ON inbound_file(partner, sha256) WHERE finished = 0;

-- index inbound_payment_excess on inbound_payment
CREATE INDEX inbound_payment_excess ON inbound_payment(partner, account_ref) WHERE excess_minor IS NOT NULL;

-- index inbound_promise_open on inbound_promise
CREATE INDEX inbound_promise_open ON inbound_promise(state, promised_date);

-- index inbound_promise_v2_one_open on inbound_promise_v2
CREATE UNIQUE INDEX inbound_promise_v2_one_open ON inbound_promise_v2(partner, account_ref, ifnull(invoice_number, ''))
    WHERE state = 'open';

-- index inbound_promise_v2_open on inbound_promise_v2
CREATE INDEX inbound_promise_v2_open ON inbound_promise_v2(promised_date) WHERE state = 'open';

-- index placement_by_account on placement
CREATE INDEX placement_by_account ON placement(account_ref, status);

-- table audit_checkpoint on audit_checkpoint
CREATE TABLE audit_checkpoint (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tree_size INTEGER NOT NULL,
    root_hash BLOB NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- table audit_checkpoint_export on audit_checkpoint_export
CREATE TABLE audit_checkpoint_export (
    checkpoint_id INTEGER PRIMARY KEY,
    exported_at TEXT NOT NULL
);

-- table audit_entry on audit_entry
CREATE TABLE audit_entry (
    leaf_index INTEGER PRIMARY KEY,
    entry TEXT NOT NULL,
    leaf_hash BLOB NOT NULL,
    recorded_at TEXT NOT NULL,
    action TEXT NOT NULL,
    file_id TEXT
);

-- table audit_frontier on audit_frontier
CREATE TABLE audit_frontier (
    tree_size INTEGER PRIMARY KEY,
    hashes BLOB NOT NULL
);

-- table audit_pruned on audit_pruned
CREATE TABLE audit_pruned (
    leaf_index INTEGER PRIMARY KEY,
    pruned_at TEXT NOT NULL
);

-- table audit_witness on audit_witness
CREATE TABLE audit_witness (
    partner TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    tree_size INTEGER NOT NULL,
    root_hash BLOB NOT NULL,
    note TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (partner, file_sha256)
);

-- table erp_export on erp_export
CREATE TABLE erp_export (
    export_id TEXT PRIMARY KEY NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    update_count INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('claimed', 'written')),
    created_at TEXT NOT NULL
);

-- table erp_staged_export on erp_staged_export
CREATE TABLE erp_staged_export (
    export_id TEXT PRIMARY KEY NOT NULL,
    number INTEGER NOT NULL UNIQUE,
    source TEXT NOT NULL,
    update_count INTEGER NOT NULL,
    files TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('staged', 'written')),
    created_at TEXT NOT NULL
);

-- table erp_update on erp_update
CREATE TABLE erp_update (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    update_id TEXT NOT NULL UNIQUE,
    partner TEXT NOT NULL,
    record_json TEXT NOT NULL,
    record_csv TEXT NOT NULL,
    export_id TEXT
);

-- table inbound_allocation on inbound_allocation
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

-- table inbound_event on inbound_event
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

-- table inbound_event_keys on inbound_event_keys
CREATE TABLE inbound_event_keys (
    partner TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    chunk INTEGER NOT NULL,
    key_count INTEGER NOT NULL,
    keys BLOB NOT NULL, received_on TEXT NOT NULL DEFAULT '9999-12-31',
    PRIMARY KEY (partner, file_sha256, chunk)
) WITHOUT ROWID;

-- table inbound_file on inbound_file
CREATE TABLE "inbound_file" (
    partner TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    attempt INTEGER NOT NULL,
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
    receipt_plaintext_sha256 TEXT,
    PRIMARY KEY (partner, sha256, attempt)
) WITHOUT ROWID;

-- table inbound_file_count on inbound_file_count
CREATE TABLE inbound_file_count (
    partner TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    type TEXT NOT NULL,
    accepted INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    PRIMARY KEY (partner, file_sha256, type)
) WITHOUT ROWID;

-- table inbound_invoice_paid on inbound_invoice_paid
CREATE TABLE inbound_invoice_paid (
    partner TEXT NOT NULL,
    account_ref TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    paid_minor INTEGER NOT NULL,
    PRIMARY KEY (partner, account_ref, invoice_number)
) WITHOUT ROWID;

-- table inbound_payment on inbound_payment
CREATE TABLE inbound_payment (
    partner TEXT NOT NULL,
    event_id TEXT NOT NULL,
    account_ref TEXT NOT NULL,
    allocations TEXT NOT NULL,
    reversed_by TEXT, excess_currency TEXT, excess_minor INTEGER,
    PRIMARY KEY (partner, event_id)
) WITHOUT ROWID;

-- table inbound_promise on inbound_promise
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

-- table inbound_promise_v2 on inbound_promise_v2
CREATE TABLE inbound_promise_v2 (
    id INTEGER PRIMARY KEY,
    partner TEXT NOT NULL,
    event_id TEXT NOT NULL,
    account_ref TEXT NOT NULL,
    invoice_number TEXT,
    currency TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    promised_date TEXT NOT NULL,
    paid_baseline_minor INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'kept', 'broken', 'superseded'))
);

-- table inbound_rejection on inbound_rejection
CREATE TABLE inbound_rejection (
    partner TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    line INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (partner, file_sha256, line)
) WITHOUT ROWID;

-- table kpi_account_dispute on kpi_account_dispute
CREATE TABLE kpi_account_dispute (
    partner TEXT NOT NULL,
    account_ref TEXT NOT NULL,
    first_disputed_on TEXT NOT NULL,
    PRIMARY KEY (partner, account_ref)
) WITHOUT ROWID;

-- table kpi_account_payment on kpi_account_payment
CREATE TABLE kpi_account_payment (
    partner TEXT NOT NULL,
    account_ref TEXT NOT NULL,
    currency TEXT NOT NULL,
    day TEXT NOT NULL,
    minor INTEGER NOT NULL,
    paid INTEGER NOT NULL,
    PRIMARY KEY (partner, account_ref, currency, day)
) WITHOUT ROWID;

-- table kpi_account_risk on kpi_account_risk
CREATE TABLE kpi_account_risk (
    partner TEXT NOT NULL,
    account_ref TEXT NOT NULL,
    score INTEGER NOT NULL,
    segment TEXT NOT NULL,
    scored_on TEXT NOT NULL,
    PRIMARY KEY (partner, account_ref)
) WITHOUT ROWID;

-- table kpi_batch_fact on kpi_batch_fact
CREATE TABLE kpi_batch_fact (
    batch_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    placed_invoices INTEGER NOT NULL,
    PRIMARY KEY (batch_id, currency)
) WITHOUT ROWID;

-- table kpi_event_fact on kpi_event_fact
CREATE TABLE kpi_event_fact (
    partner TEXT NOT NULL,
    day TEXT NOT NULL,
    currency TEXT NOT NULL,
    measure TEXT NOT NULL,
    key TEXT NOT NULL,
    events INTEGER NOT NULL,
    minor INTEGER NOT NULL,
    PRIMARY KEY (partner, day, currency, measure, key)
) WITHOUT ROWID;

-- table kpi_extract_fact on kpi_extract_fact
CREATE TABLE kpi_extract_fact (
    as_of TEXT NOT NULL,
    currency TEXT NOT NULL,
    measure TEXT NOT NULL,
    key TEXT NOT NULL,
    items INTEGER NOT NULL,
    minor INTEGER NOT NULL,
    PRIMARY KEY (as_of, currency, measure, key)
) WITHOUT ROWID;

-- table kpi_fact_origin on kpi_fact_origin
CREATE TABLE kpi_fact_origin (
    kind TEXT PRIMARY KEY NOT NULL,
    since TEXT NOT NULL
);

-- table layout_file_number on layout_file_number
CREATE TABLE layout_file_number (
    partner TEXT NOT NULL,
    account_ref TEXT NOT NULL,
    file_number INTEGER NOT NULL CHECK (file_number >= 1),
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (partner, account_ref),
    UNIQUE (partner, file_number)
) WITHOUT ROWID;

-- table outbound_batch on outbound_batch
CREATE TABLE outbound_batch (
    batch_id TEXT PRIMARY KEY NOT NULL,
    partner TEXT NOT NULL,
    as_of TEXT NOT NULL,
    sequence INTEGER NOT NULL CHECK (sequence >= 1),
    file_id TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('built', 'sealed', 'delivered', 'acknowledged')),
    created_at TEXT NOT NULL,
    plaintext_path TEXT NOT NULL,
    plaintext_sha256 TEXT NOT NULL,
    plaintext_bytes INTEGER NOT NULL,
    sealed_path TEXT,
    sealed_sha256 TEXT,
    sealed_bytes INTEGER,
    record_counts TEXT NOT NULL,
    totals TEXT NOT NULL,
    invoice_count INTEGER NOT NULL,
    delivered_at TEXT,
    UNIQUE (partner, as_of),
    UNIQUE (partner, sequence)
);

-- table placement on placement
CREATE TABLE placement (
    partner TEXT NOT NULL,
    account_ref TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'recalled')),
    fingerprint TEXT NOT NULL,
    balances TEXT NOT NULL,
    placed_batch TEXT NOT NULL REFERENCES outbound_batch(batch_id),
    last_batch TEXT NOT NULL REFERENCES outbound_batch(batch_id),
    recall_reason TEXT,
    updated_at TEXT NOT NULL, invoices TEXT,
    PRIMARY KEY (partner, account_ref)
) WITHOUT ROWID;

-- table placement_event on placement_event
CREATE TABLE placement_event (
    batch_id TEXT NOT NULL REFERENCES outbound_batch(batch_id),
    partner TEXT NOT NULL,
    account_ref TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('place', 'update', 'recall')),
    fingerprint TEXT NOT NULL,
    balances TEXT NOT NULL,
    recall_reason TEXT,
    PRIMARY KEY (batch_id, account_ref)
) WITHOUT ROWID;

-- table placement_invoice on placement_invoice
CREATE TABLE placement_invoice (
    partner TEXT NOT NULL,
    account_ref TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    currency TEXT NOT NULL,
    due_date TEXT NOT NULL,
    placed_minor INTEGER NOT NULL,
    PRIMARY KEY (partner, account_ref, invoice_number)
) WITHOUT ROWID;

-- table privacy_erasure on privacy_erasure
CREATE TABLE privacy_erasure (
    account_ref TEXT PRIMARY KEY NOT NULL,
    requested_at TEXT NOT NULL
) WITHOUT ROWID;

-- table sqlite_sequence on sqlite_sequence
CREATE TABLE sqlite_sequence(name,seq);

-- trigger audit_checkpoint_export_no_delete on audit_checkpoint_export
CREATE TRIGGER audit_checkpoint_export_no_delete BEFORE DELETE ON audit_checkpoint_export
BEGIN SELECT RAISE(ABORT, 'audit_checkpoint_export is append-only: DELETE is forbidden'); END;

-- trigger audit_checkpoint_export_no_update on audit_checkpoint_export
CREATE TRIGGER audit_checkpoint_export_no_update BEFORE UPDATE ON audit_checkpoint_export
BEGIN SELECT RAISE(ABORT, 'audit_checkpoint_export is append-only: UPDATE is forbidden'); END;

-- trigger audit_checkpoint_no_delete on audit_checkpoint
CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only: DELETE is forbidden'); END;

-- trigger audit_checkpoint_no_update on audit_checkpoint
CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint
BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only: UPDATE is forbidden'); END;

-- trigger audit_entry_no_delete on audit_entry
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: DELETE is forbidden'); END;

-- trigger audit_entry_no_update on audit_entry
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
WHEN NOT (NEW.leaf_index = OLD.leaf_index AND NEW.leaf_hash = OLD.leaf_hash AND NEW.recorded_at = OLD.recorded_at
          AND NEW.action = OLD.action AND NEW.file_id IS NULL
          AND EXISTS (SELECT 1 FROM audit_pruned p WHERE p.leaf_index = OLD.leaf_index)
          AND NEW.entry = substr(OLD.entry, 1, 87 + length(OLD.leaf_index)) || ',"pruned":true}')
BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: UPDATE is forbidden (but pruning past retention)'); END;

-- trigger audit_frontier_no_delete on audit_frontier
CREATE TRIGGER audit_frontier_no_delete BEFORE DELETE ON audit_frontier
BEGIN SELECT RAISE(ABORT, 'audit_frontier is append-only: DELETE is forbidden'); END;

-- trigger audit_frontier_no_update on audit_frontier
CREATE TRIGGER audit_frontier_no_update BEFORE UPDATE ON audit_frontier
BEGIN SELECT RAISE(ABORT, 'audit_frontier is append-only: UPDATE is forbidden'); END;

-- trigger audit_pruned_no_delete on audit_pruned
CREATE TRIGGER audit_pruned_no_delete BEFORE DELETE ON audit_pruned
BEGIN SELECT RAISE(ABORT, 'audit_pruned is append-only: DELETE is forbidden'); END;

-- trigger audit_pruned_no_update on audit_pruned
CREATE TRIGGER audit_pruned_no_update BEFORE UPDATE ON audit_pruned
BEGIN SELECT RAISE(ABORT, 'audit_pruned is append-only: UPDATE is forbidden'); END;

-- trigger audit_witness_no_delete on audit_witness
CREATE TRIGGER audit_witness_no_delete BEFORE DELETE ON audit_witness
BEGIN SELECT RAISE(ABORT, 'audit_witness is append-only: DELETE is forbidden'); END;

-- trigger audit_witness_no_update on audit_witness
CREATE TRIGGER audit_witness_no_update BEFORE UPDATE ON audit_witness
BEGIN SELECT RAISE(ABORT, 'audit_witness is append-only: UPDATE is forbidden'); END;
