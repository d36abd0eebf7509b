import GRDB
import ARLinkCore

extension StoreMigrations {
    /// Placement ledger: outbound batches and the accounts placed with each partner.
    static let ledgerV1 = StoreMigration("ledger-v1", [
        .sql("""
                CREATE TABLE outbound_batch (
                    batch_id TEXT PRIMARY KEY NOT NULL,
                    partner TEXT NOT NULL,
                    as_of TEXT NOT NULL,
                    sequence {int} NOT NULL CHECK (sequence >= 1),
                    file_id TEXT NOT NULL UNIQUE,
                    file_name TEXT NOT NULL UNIQUE,
                    state TEXT NOT NULL CHECK (state IN ('built', 'sealed', 'delivered', 'acknowledged')),
                    created_at TEXT NOT NULL,
                    plaintext_path TEXT NOT NULL,
                    plaintext_sha256 TEXT NOT NULL,
                    plaintext_bytes {int} NOT NULL,
                    sealed_path TEXT,
                    sealed_sha256 TEXT,
                    sealed_bytes {int},
                    record_counts TEXT NOT NULL,
                    totals TEXT NOT NULL,
                    invoice_count {int} NOT NULL,
                    delivered_at TEXT,
                    UNIQUE (partner, as_of),
                    UNIQUE (partner, sequence)
                );
                CREATE TABLE placement (
                    partner TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('active', 'recalled')),
                    fingerprint TEXT NOT NULL,
                    balances TEXT NOT NULL,
                    placed_batch TEXT NOT NULL REFERENCES outbound_batch(batch_id),
                    last_batch TEXT NOT NULL REFERENCES outbound_batch(batch_id),
                    recall_reason TEXT,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (partner, account_ref)
                ){without_rowid};
                CREATE INDEX placement_by_account ON placement(account_ref, status);
                CREATE TABLE placement_event (
                    batch_id TEXT NOT NULL REFERENCES outbound_batch(batch_id),
                    partner TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    action TEXT NOT NULL CHECK (action IN ('place', 'update', 'recall')),
                    fingerprint TEXT NOT NULL,
                    balances TEXT NOT NULL,
                    recall_reason TEXT,
                    PRIMARY KEY (batch_id, account_ref)
                ){without_rowid};
                CREATE TABLE placement_invoice (
                    partner TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    invoice_number TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    due_date TEXT NOT NULL,
                    placed_minor {int} NOT NULL,
                    PRIMARY KEY (partner, account_ref, invoice_number)
                ){without_rowid};
                """),
    ])

    /// Ledger v2: the invoices placed for an account live in its `placement` row (column
    /// `invoices`, ``PlacedInvoices``) instead of one `placement_invoice` row each; existing rows
    /// move there (the table stays, empty: migrations are append-only).
    static let ledgerV2 = StoreMigration("ledger-v2", [
        .sql("ALTER TABLE placement ADD COLUMN invoices TEXT"),
        .sqliteCarryOver { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT partner, account_ref, invoice_number, currency, due_date, placed_minor FROM placement_invoice
                ORDER BY partner, account_ref, invoice_number
                """)
            var current: (String, String)?
            var invoices: [(number: String, amount: Money, dueDate: LocalDate)] = []
            func flush() throws {
                guard let (partner, ref) = current else { return }
                try db.execute(sql: "UPDATE placement SET invoices = ? WHERE partner = ? AND account_ref = ?",
                               arguments: [PlacedInvoices.encode(invoices), partner, ref])
                invoices = []
            }
            while let row = try rows.next() {
                let key = (row[0] as String, row[1] as String)
                if current.map({ $0 != key }) ?? true {
                    try flush()
                    current = key
                }
                guard let currency = try? Currency(row[3] as String), let due = LocalDate(iso: row[4] as String) else { continue }
                invoices.append((row[2], Money(minorUnits: row[5], currency: currency), due))
            }
            try flush()
            try db.execute(sql: "DELETE FROM placement_invoice")
        },
    ])
}
