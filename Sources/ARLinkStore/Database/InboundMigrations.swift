import GRDB

extension StoreMigrations {
    /// Inbound: claimed files, applied events and the ERP update outbox.
    static func registerInboundMigrations(_ migrator: inout DatabaseMigrator) {
    }
}
