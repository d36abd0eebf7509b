import ARLinkAudit
import ARLinkConfig
import ARLinkJobs
import ARLinkStore
import Foundation

/// Records the service's own steps in the audit log, through a run context like every job
/// (so under the same run lock). Events that cannot be written now (another process holds
/// the lock) are kept and written with the next ones.
struct ServiceAuditor {
    private(set) var pending: [AuditEvent] = []

    mutating func add(_ event: AuditEvent) { pending.append(event) }

    /// Writes the pending events; returns the failure, if any (the events stay pending).
    mutating func flush(config: ArlinkConfiguration) async -> String? {
        guard !pending.isEmpty else { return nil }
        let events = pending
        let failure: String? = await Worker.run("audit") {
            do {
                let context = try RunContext(config: config)
                try context.store.write { db in try context.audit.append(events, in: db) }
                _ = try context.audit.checkpoint()
                return nil
            } catch {
                return "\(error)"
            }
        }
        if failure == nil { pending.removeAll() }
        return failure
    }
}
