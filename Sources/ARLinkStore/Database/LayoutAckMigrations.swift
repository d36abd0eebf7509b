import GRDB

extension StoreMigrations {
    /// Partner layouts (issue 14): what a layout feedback file says about accounts besides its
    /// events — acknowledgements of placements (AIM `AACK`), balance reconciliations (`AREC`)
    /// and recall objections (`AOBJ`) — one row per record, written in the file's transaction.
    static func registerLayoutAgencyRecordsV1(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("layout-agency-records-v1") { db in
            try db.execute(sql: """
                CREATE TABLE layout_agency_record (
                    partner TEXT NOT NULL,
                    file_sha256 TEXT NOT NULL,
                    line INTEGER NOT NULL CHECK (line >= 1),
                    kind TEXT NOT NULL CHECK (kind IN ('acknowledgement', 'reconciliation', 'recall_objection')),
                    file_number INTEGER NOT NULL,
                    account_ref TEXT NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'matched', 'mismatch', 'objected')),
                    reason TEXT,
                    currency TEXT,
                    original_minor INTEGER,
                    current_minor INTEGER,
                    placed_minor INTEGER,
                    occurred_on TEXT,
                    received_at TEXT NOT NULL,
                    PRIMARY KEY (partner, file_sha256, line)
                ) WITHOUT ROWID;
                CREATE INDEX layout_agency_record_account ON layout_agency_record (partner, account_ref);
                """)
        }
    }
}
