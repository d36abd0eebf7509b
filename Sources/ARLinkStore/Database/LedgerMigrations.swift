import GRDB

extension StoreMigrations {
    /// Placement ledger: outbound batches and the accounts placed with each partner.
    static func registerLedgerMigrations(_ migrator: inout DatabaseMigrator) {
    }
}
