import GRDB

extension StoreMigrations {
    /// Partner layouts (issue 14): the agency file number of every account placed through a
    /// layout that has one (Latitude AIM), assigned once and echoed by the agency on every
    /// later record.
    static let layoutsV1 = StoreMigration("layouts-v1", [
        .sql("""
                CREATE TABLE layout_file_number (
                    partner TEXT NOT NULL,
                    account_ref TEXT NOT NULL,
                    file_number {int} NOT NULL CHECK (file_number >= 1),
                    assigned_at TEXT NOT NULL,
                    PRIMARY KEY (partner, account_ref),
                    UNIQUE (partner, file_number)
                ){without_rowid};
                """),
    ])
}
