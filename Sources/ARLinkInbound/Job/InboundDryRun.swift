public import ARLinkJobs
import ARLinkConfig
import ARLinkStore
import Foundation

/// `arlink inbound run --dry-run`: the whole inbound job, on a copy.
///
/// The state database is copied (SQLite's online backup, under the run lock) into a private
/// sandbox folder in `state.work_dir` (the system's temporary folder before it exists), with a copy of the checkpoint file, an ERP import folder
/// and a work folder of its own. The real job runs there: it fetches, opens, checks, reconciles
/// and applies as a real run would, through a ``ReadOnlyTransport`` that leaves every partner
/// file in its outbox and sends no receipt. The sandbox is removed afterwards, so the real
/// ledger, audit log, checkpoint file, ERP import folder and the partner's folders are never
/// written. The copy costs time and disk space in proportion to the state database. A sandbox
/// left by a dry run that was killed is removed by the next dry run.
public enum InboundDryRun {
    /// Runs the job in a sandbox and returns what the real run would report.
    /// - Parameter context: the real run context (holding the run lock); nothing is written through it.
    /// - Throws: what a real run throws before its partners' parts (78, 77, 75).
    public static func run(context: RunContext, options: InboundJob.Options) throws -> InboundReport {
        let real = context.config
        // What a real run checks first, against the real folders.
        try ERPImportFolder.require(real.erp.updatesFolder)
        // A dry run killed before it cleaned up left its sandbox; the run lock says none is running.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: real.state.workDirectory)) ?? [] where name.hasPrefix("dry-run-") {
            try? FileManager.default.removeItem(atPath: real.state.workDirectory + "/" + name)
        }
        // Before `arlink init` there is no work folder, and a dry run creates none.
        let base = FileManager.default.fileExists(atPath: real.state.workDirectory) ? real.state.workDirectory : NSTemporaryDirectory()
        let sandbox = base + "/dry-run-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: sandbox) }
        var config = real
        config.state.databasePath = sandbox + "/state.sqlite"
        config.state.workDirectory = sandbox + "/work"
        config.state.create = false
        config.audit.checkpointFile = sandbox + "/audit/checkpoints.log"
        config.erp.updatesFolder = sandbox + "/erp"
        for folder in [config.state.workDirectory, sandbox + "/audit", config.erp.updatesFolder] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        }
        try context.store.copy(to: config.state.databasePath)
        if FileManager.default.fileExists(atPath: real.audit.checkpointFile) {
            try FileManager.default.copyItem(atPath: real.audit.checkpointFile, toPath: config.audit.checkpointFile)
        }
        let copy = try RunContext(config: config, reporter: context.reporter, now: context.now)
        let job = InboundJob(context: copy)
        job.readOnlyTransports = true
        return try job.run(options)
    }
}
