import GRDB

/// The one migrator of the state database.
///
/// Migrations are named and append-only: once landed, a migration is never edited; a change
/// is a new migration registered **after all existing ones**. Each concern registers its own
/// migrations from its own file (ledger, inbound, audit), in the order below.
enum StoreMigrations {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        registerLedgerMigrations(&migrator)
        registerInboundMigrations(&migrator)
        registerAuditMigrations(&migrator)
        registerInboundV2(&migrator)
        registerLedgerV2(&migrator)
        registerInboundV3(&migrator)
        registerAuditV2(&migrator)
        registerPrivacyV1(&migrator)
        registerKPIV1(&migrator)
        registerLayoutsV1(&migrator)
        registerInboundV4(&migrator)
        registerLayoutAgencyRecordsV1(&migrator)
        return migrator
    }
}
