public import ARLinkCore
import ARLinkConfig
import Foundation
import ARLinkAudit
import ARLinkStore

extension RunContext {
    /// Records a failed step in the audit log (the error's code, never its message, which can
    /// name paths or values) and, with `checkpoint`, signs a checkpoint over it, so a run that
    /// stops early still leaves its last steps signed.
    ///
    /// Best effort: the caller goes on to throw `error` whatever happens here. Nothing is
    /// recorded when the failure is the audit log's own (it cannot be trusted to record it) or
    /// a usage error (nothing was done).
    public func recordFailure(_ error: any ARLinkFailure, action: String, partner: String? = nil, direction: String,
                              batchID: String? = nil, fileID: String? = nil, fileName: String? = nil, checkpoint: Bool) {
        // A usage error (a refused command line) changed nothing and is not a step.
        guard !(error is AuditError), error.exitStatus != .usage else { return }
        let event = AuditEvent(action: action, outcome: "error", partner: partner, direction: direction, batchID: batchID,
                               fileID: fileID, fileName: fileName, errorCode: error.codeName,
                               detail: ["exit_status": String(error.exitStatus.rawValue)])
        do {
            try store.write { db in try audit.append([event], in: db) }
            if checkpoint { _ = try audit.checkpoint() }
        } catch {
            reporter.warning("the failure could not be recorded in the audit log: \(error)")
        }
    }
}

extension RunContext {
    /// Records that a run was refused because another run holds the lock (`run.refused`,
    /// outcome `busy`). Best effort and only on an existing state database: the refusal itself
    /// (exit 75) never depends on it. The running job's own checkpoint covers the entry.
    static func recordRefusedRun(config: ArlinkConfiguration, error: JobError, reporter: any RunReporter) {
        guard FileManager.default.fileExists(atPath: config.state.databasePath), config.audit.passphrase == nil else { return }
        do {
            let store = try StateStore(path: config.state.databasePath)
            let log = try auditLog(config, store: store)
            try store.write { db in
                try log.append([AuditEvent(action: "run.refused", outcome: "busy", errorCode: error.codeName,
                                           detail: ["exit_status": String(error.exitStatus.rawValue)])], in: db)
            }
        } catch {
            reporter.warning("the refused run could not be recorded in the audit log: \(error)")
        }
    }
}
