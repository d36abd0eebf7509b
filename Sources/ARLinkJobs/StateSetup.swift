public import ARLinkConfig
import ARLinkAudit
import ARLinkStore
import Foundation

/// What `arlink init` does: creates the state a configuration names, once, on purpose.
///
/// Jobs never create a missing state database or ERP import folder themselves (a mistyped
/// path would silently start an empty ledger, or export where the ERP never looks); this is
/// the one explicit step that does.
public enum StateSetup {
    /// Creates the state database (with its folder, the work folder and the checkpoint file's
    /// folder) and the ERP import folder `erp.updates.folder` (mode 0750) where they do not
    /// exist. A new database records `state.initialized` in its audit log and signs a
    /// checkpoint. Safe to repeat: what exists is left as it is.
    /// - Returns: the paths created, in that order (empty when everything existed).
    /// - Throws: what ``RunContext/init(config:reporter:now:checkAnchor:createState:)`` throws
    ///   (75 when a run holds the lock, 77 when the existing audit log does not extend its
    ///   checkpoint), ``JobError`` `.io` when a folder cannot be created.
    public static func initialize(_ config: ArlinkConfiguration, reporter: any RunReporter = SilentReporter()) throws -> [String] {
        var created: [String] = []
        let database = config.state.databasePath
        let isNew = !FileManager.default.fileExists(atPath: database)
        let context = try RunContext(config: config, reporter: reporter, createState: true)
        if isNew {
            try context.store.write { db in
                try context.audit.append([AuditEvent(action: "state.initialized", outcome: "ok",
                                                     detail: ["config_sha256": context.configSHA256])], in: db)
            }
            _ = try context.audit.checkpoint()
            created.append(database)
        }
        let updates = config.erp.updatesFolder
        if !FileManager.default.fileExists(atPath: updates) {
            try PrivateFolder.ensure(updates, mode: 0o750)
            created.append(updates)
        }
        return created
    }
}
