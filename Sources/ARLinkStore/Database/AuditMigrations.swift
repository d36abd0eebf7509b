import GRDB

extension StoreMigrations {
    /// Audit log tables (owned by the audit capability): entries and checkpoints, with
    /// triggers that forbid UPDATE and DELETE.
    static func registerAuditMigrations(_ migrator: inout DatabaseMigrator) {
    }
}
