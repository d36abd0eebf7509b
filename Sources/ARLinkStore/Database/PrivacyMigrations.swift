import GRDB

extension StoreMigrations {
    /// Privacy v1: accounts whose debtors asked for erasure (`arlink privacy subject --erase`).
    /// Only the account reference and the time are kept: every later outbound run recalls the
    /// account from each partner that holds it (`erasure_request`) and never places it again.
    static let privacyV1 = StoreMigration("privacy-v1", [
        .sql("""
                CREATE TABLE privacy_erasure (
                    account_ref TEXT PRIMARY KEY NOT NULL,
                    requested_at TEXT NOT NULL
                ){without_rowid};
                """),
    ])
}
