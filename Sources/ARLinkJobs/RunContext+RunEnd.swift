import ARLinkAudit
import ARLinkStore

extension RunContext {
    /// Asked by the inbound job before each file: whether a stop was requested (SIGTERM, see
    /// ``shouldStop``). When it was, the stop is recorded once per partner (`run.stopped`,
    /// outcome `stopped`) and ``stoppedEarly`` is set; the caller then leaves the files not yet
    /// started for the next run. The file under way always finishes first: the question is
    /// only asked between files.
    /// - Parameter partner: the partner whose files are left.
    /// - Returns: true when the caller must start no further file.
    /// - Throws: ``StoreError`` or ``AuditError`` when the stop cannot be recorded.
    public func stopBeforeNextFile(partner: String) throws -> Bool {
        guard shouldStop() else { return false }
        if !stoppedPartners.contains(partner) {
            stoppedPartners.insert(partner)
            try store.write { db in
                try audit.append([AuditEvent(action: "run.stopped", outcome: "stopped", partner: partner, direction: "inbound",
                                             detail: ["reason": "stop requested (SIGTERM)"])], in: db)
            }
            reporter.warning("partner \(partner): stopping at a file boundary (SIGTERM); the files not yet started wait for the next run",
                             ["partner": partner])
        }
        stoppedEarly = true
        return true
    }
}

extension RunContext {
    /// Records that an inbound run completed for each of `partners` (`run.completed`), even
    /// when there was nothing to fetch, and signs a checkpoint over the entries. `arlink status`
    /// reads it as the partner's last inbound run: our job runs, whether or not the partner sends.
    /// Best effort: a failure is reported, never thrown (the run itself is done).
    public func recordInboundCompleted(partners: [String]) {
        guard !partners.isEmpty else { return }
        do {
            try store.write { db in
                try audit.append(partners.map { AuditEvent(action: "run.completed", outcome: "ok", partner: $0, direction: "inbound") }, in: db)
            }
            _ = try audit.checkpoint()
        } catch {
            reporter.warning("the completed run could not be recorded in the audit log: \(error)")
        }
    }
}
