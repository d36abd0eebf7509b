public import ARLinkJobs
import ARLinkCore
import ARLinkConfig
import ARLinkEnvelope
import ARLinkFormats
import ARLinkStore
import ARLinkAudit
import ARLinkTransport
import Foundation

/// The inbound pipeline: fetch → open → check the signed header → read and validate →
/// reconcile and apply (one transaction per file) → export ERP updates → seal and deliver
/// the receipt → archive.
///
/// Safe to repeat at any time and after a crash at any point (design section 5): files are
/// claimed by the SHA-256 of their bytes, events by `(partner, event_id)`, ERP updates leave
/// through an outbox with fixed export ranges, and every later step is redone from the ledger.
public final class InboundJob {
    /// What to run.
    public struct Options: Sendable {
        /// Only this partner (all partners when nil).
        public var partner: String?

        public init(partner: String? = nil) {
            self.partner = partner
        }
    }

    let context: RunContext
    /// How many placed accounts a pass reads at once or keeps (tests make them small).
    var positionLimits = PositionCache.Limits()
    /// Tests: how long the background read of the placed accounts waits before it starts (it
    /// must never be waited for inside the file's transaction, which holds the connection).
    var accountsReadDelay: Double = 0
    /// Tests: called with each file's name right after it was fetched, before it is opened
    /// (to change the partner's copy at exactly that moment).
    var afterFetch: ((String) -> Void)?
    /// Set by ``InboundDryRun``: the partners' transports only read (``ReadOnlyTransport``).
    var readOnlyTransports = false
    /// The agency records of the layout feedback file being applied (issue 14).
    var pendingLayoutRecords: PendingLayoutRecords?
    var reporter: any RunReporter { context.reporter }
    var config: ArlinkConfiguration { context.config }

    /// Creates the job over a run context.
    public init(context: RunContext) {
        self.context = context
    }

    /// Runs the pipeline for the selected partners.
    ///
    /// A bad file is quarantined and the run goes on; the report's ``InboundReport/exitStatus``
    /// says 65 then. Our keys and every partner's trust files are checked first, before anything
    /// is fetched; what fails there stops the run: configuration and trust files (78), our keys
    /// (77/78). After that, an error in one partner's part (its transport, its folders: anything
    /// arlink reports with a code) stops that partner only: it is recorded in the partner's
    /// report as ``PartnerInboundReport/failure`` and the run goes on with the next partner; the
    /// exit status is the worst of all partners. Local I/O outside the partners' parts (75) ends
    /// the run. A missing ERP import folder (`erp.updates.folder`) stops the run with 78
    /// before anything is fetched.
    public func run(_ options: Options) throws -> InboundReport {
        let partners = try options.partner.map { [try config.partner($0)] } ?? config.partners
        var report = InboundReport()
        StepTrace.mark("inbound run started")
        try ERPImportFolder.require(config.erp.updatesFolder)
        do {
            try runPartners(partners, report: &report)
        } catch let error as any ARLinkFailure {
            // Every stopped run leaves a signed record of why.
            context.recordFailure(error, action: "run.failed", direction: "inbound", checkpoint: true)
            throw error
        }
        StepTrace.mark("inbound run finished")
        return report
    }

    private func runPartners(_ partners: [PartnerSettings], report: inout InboundReport) throws {
        let identity = try context.decryptionIdentity()
        // Our keys and every partner's trust files before anything is fetched (77/78 stop the run).
        for warning in try context.checkKeysAndTrust(for: partners) { reporter.warning(warning) }
        try context.store.write { db in
            try context.audit.append([AuditEvent(action: "config.loaded", outcome: "ok", direction: "inbound",
                                                 detail: ["config_sha256": context.configSHA256])], in: db)
        }
        // Whatever an earlier run committed but did not export goes out first, with the same ranges.
        try exportUpdates(into: &report)
        for partner in partners {
            var partnerReport = PartnerInboundReport(partner: partner.id.rawValue)
            do {
                try runPartner(partner, identity: identity, report: &partnerReport, run: &report)
            } catch let error as any ARLinkFailure where !(error is AuditError) {
                // The audit log's own failures (a log a partner's witness shows rewritten) stop the run.
                let pid = partner.id.rawValue
                context.recordFailure(error, action: "partner.failed", partner: pid, direction: "inbound", checkpoint: false)
                partnerReport.failure = PartnerFailure(code: error.codeName, message: error.message, exitStatus: error.exitStatus)
                reporter.report(RunMessage(.error, "partner \(pid): stopped: \(error.message) [\(error.codeName)]; the other partners go on",
                                           fields: ["partner": pid, "code": error.codeName]))
            }
            report.partners.append(partnerReport)
        }
        try checkPromises(into: &report)
        try exportUpdates(into: &report)
        _ = try context.audit.checkpoint()
    }

    /// One partner: finish what an earlier run left, then every new file in the outbox.
    func runPartner(_ partner: PartnerSettings, identity: DecryptionIdentity, report: inout PartnerInboundReport,
                    run: inout InboundReport) throws {
        let pid = partner.id.rawValue
        let folders = try InboundFolders(workDirectory: config.state.workDirectory, partner: pid)
        let real = try context.transport(for: partner)
        let transport: any Transport = LayoutPairTransport.wrap(readOnlyTransports ? ReadOnlyTransport(real) : real, partner: partner)
        // Every folder the partner's settings name, before anything is fetched or applied.
        _ = try transport.checkFolders()
        try removeStalePlaintexts(folders)
        try removeOrphans(folders, partner: pid)
        try finishPending(partner, transport: transport, folders: folders, report: &report, run: &run)

        let listing = try transport.list()
        for skipped in listing.skipped {
            report.skipped.append(.init(fileName: skipped.escapedName, code: "transport.skipped", message: skipped.reason))
            reporter.warning("partner \(pid): outbox entry \(skipped.escapedName) skipped: \(skipped.reason)", ["partner": pid])
        }
        var held: [(RemoteFile, String, String)] = []
        for remote in listing.files {
            if try context.stopBeforeNextFile(partner: pid) { break }  // SIGTERM: the next run takes the rest
            let outcome = try receive(remote, partner: partner, identity: identity, transport: transport, folders: folders, report: &report)
            switch outcome {
            case .held(let local, let sha):
                held.append((remote, local, sha))
            case .applied:
                try exportUpdates(into: &run)
                StepTrace.mark("file exported, receipt next")
                try finishPending(partner, transport: transport, folders: folders, report: &report, run: &run)
                try retryHeld(&held, partner: partner, identity: identity, transport: transport, folders: folders, report: &report, run: &run)
            case .quarantined:
                try finishPending(partner, transport: transport, folders: folders, report: &report, run: &run)
            case .duplicate, .skipped:
                break
            }
        }
        for (remote, local, sha) in held {
            unlink(local)
            try context.store.write { db in
                try context.audit.append([AuditEvent(action: "file.held", outcome: "held", partner: pid, direction: "inbound", fileName: remote.name,
                                                     sealedSHA256: sha, errorCode: "inbound.sequence_gap")], in: db)
            }
            let problem = report.heldProblem(for: remote.name)
            reporter.warning("partner \(pid): \(remote.name) held: \(problem?.message ?? "an earlier sequence number is missing")", ["partner": pid, "file": remote.name])
        }
    }

    /// Retries held files after a file was applied, until none makes progress.
    func retryHeld(_ held: inout [(RemoteFile, String, String)], partner: PartnerSettings, identity: DecryptionIdentity, transport: any Transport,
                   folders: InboundFolders, report: inout PartnerInboundReport, run: inout InboundReport) throws {
        var progress = true
        while progress && !held.isEmpty {
            progress = false
            for (index, entry) in held.enumerated() {
                report.held.removeAll { $0.fileName == entry.0.name }
                let outcome = try process(entry.0, local: entry.1, sha: entry.2, partner: partner, identity: identity, transport: transport,
                                          folders: folders, report: &report)
                if case .held = outcome { continue }
                held.remove(at: index)
                if case .applied = outcome {
                    try exportUpdates(into: &run)
                }
                try finishPending(partner, transport: transport, folders: folders, report: &report, run: &run)
                progress = true
                break
            }
        }
    }

    /// Plaintexts left by a crashed run are never reused: the file is opened again.
    func removeStalePlaintexts(_ folders: InboundFolders) throws {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folders.plain)) ?? [] {
            unlink(folders.plain + "/" + name)
        }
    }

    /// A crash can leave a fetched envelope that was never claimed, a sealed receipt whose
    /// file was already marked finished, or a half-written temporary file: none of them is
    /// referenced by an unfinished file, so they are removed (a later fetch or seal redoes them).
    func removeOrphans(_ folders: InboundFolders, partner: String) throws {
        let pending = try context.store.read { db in try InboundLedger.unfinished(db, partner: partner) }
        let keepIncoming = Set(pending.filter { $0.state == .applied }.map(\.fileName))
        let keepReceipts = Set(pending.compactMap(\.receiptName))
        for (folder, keep) in [(folders.incoming, keepIncoming), (folders.receipts, keepReceipts)] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where !keep.contains(name) {
                unlink(folder + "/" + name)
            }
        }
    }

    /// The processing day in UTC.
    var today: LocalDate {
        LocalDate(utcDayOf: context.now())
    }
}

extension PartnerInboundReport {
    func heldProblem(for name: String) -> FileProblem? { held.first { $0.fileName == name } }
}
