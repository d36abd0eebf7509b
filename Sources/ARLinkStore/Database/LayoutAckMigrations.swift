extension StoreMigrations {
    /// Partner layouts (issue 14): what a layout feedback file says about accounts besides its
    /// events — acknowledgements of placements (AIM `AACK`), balance reconciliations (`AREC`)
    /// and recall objections (`AOBJ`) — one row per record, written in the file's transaction.
    static let layoutAgencyRecordsV1 = StoreMigration("layout-agency-records-v1", [
        .sql("""
                CREATE TABLE layout_agency_record (
                    partner TEXT NOT NULL,
                    file_sha256 TEXT NOT NULL,
                    line {int} NOT NULL CHECK (line >= 1),
                    kind TEXT NOT NULL CHECK (kind IN ('acknowledgement', 'reconciliation', 'recall_objection')),
                    file_number {int} NOT NULL,
                    account_ref TEXT NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'matched', 'mismatch', 'objected')),
                    reason TEXT,
                    currency TEXT,
                    original_minor {int},
                    current_minor {int},
                    placed_minor {int},
                    occurred_on TEXT,
                    received_at TEXT NOT NULL,
                    PRIMARY KEY (partner, file_sha256, line)
                ){without_rowid};
                CREATE INDEX layout_agency_record_account ON layout_agency_record (partner, account_ref);
                """)
    ])
}
