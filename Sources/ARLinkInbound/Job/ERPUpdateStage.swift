import ARLinkConfig
import ARLinkCore
import ARLinkFormats
import ARLinkStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The ERP update files of one export, written while the updates are produced and staged
/// (fsynced under temporary names) before the transaction that records them commits.
///
/// This is the outbox of design section 5 without a copy of every update in SQLite: the
/// transaction records the staged files (paths and sizes) together with the events, and
/// ``InboundJob/exportUpdates(into:)`` publishes them by renaming. A crash before the commit
/// leaves temporary files that no record names (removed by the next export step and
/// rewritten when the feedback file is processed again); a crash after it leaves a record
/// whose files are published by the next run.
///
/// Rendering and writing happen on a second thread, a batch of updates at a time, while the
/// caller goes on reconciling; ``stage()`` waits for it. A write error surfaces at the next
/// ``add(_:)`` or at ``stage()``.
final class ERPUpdateStage<Update: ERPUpdateFields>: @unchecked Sendable {
    let exportID: String
    let number: Int64
    let createdAt: String
    let source: String
    private let folder: String
    private let formats: [ERPUpdateWriter.Format]
    private var writers: [(writer: ERPUpdateWriter, path: String)] = []
    /// What the updates refer to (``PassUpdate/pass``), kept alive while they are written.
    private let keepAlive: AnyObject?
    /// Only the producing thread touches `count` and `pending`.
    private(set) var count = 0
    private var pending: [Update] = []
    private var rendering = false
    private let pipe = BatchPipe<Update>()

    /// - Parameters:
    ///   - number: the export number (``InboundLedger/nextExportNumber(_:)``), also in the file names.
    ///   - source: what produced the updates (a feedback file's SHA-256, or `promises`).
    ///   - keepAlive: an object the updates point to without owning it.
    init(folder: String, number: Int64, formats: [ERPUpdateWriter.Format], createdAt: String, source: String, keepAlive: AnyObject? = nil) {
        self.folder = folder
        self.number = number
        self.formats = formats
        self.createdAt = createdAt
        self.source = source
        self.keepAlive = keepAlive
        let digits = String(number)
        exportID = "arlink_erp_updates_" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    deinit { discard() }

    /// Adds one update to every format's file (the files are created on the first).
    func add(_ update: consuming Update) throws {
        if !rendering {
            try ERPImportFolder.stillThere(folder)
            for format in formats {
                let path = folder + "/" + exportID + "." + format.rawValue
                writers.append((try ERPUpdateWriter(path: path, format: format, exportID: exportID, createdAt: createdAt), path))
            }
            pending = pipe.fresh()
            let thread = Thread { [self] in render() }
            thread.name = "arlink-erp-writer"
            thread.start()
            rendering = true
        }
        pending.append(update)
        count += 1
        if pending.count >= pipe.batchSize { try handOver() }
    }

    /// Passes the pending batch to the writing thread; throws the error that stopped it, if it stopped.
    private func handOver() throws {
        guard pipe.send(&pending) else {
            try pipe.waitUntilConsumed()
            throw InboundError(.io, "the ERP update writing thread stopped before \(exportID) was complete")
        }
    }

    /// Writes the trailers and fsyncs the files; nil when no update was added.
    func stage() throws -> InboundLedger.StagedExport? {
        guard count > 0 else { return nil }
        try handOver()
        pipe.finish()
        try pipe.waitUntilConsumed()
        rendering = false
        var files: [(path: String, bytes: Int64)] = []
        for entry in writers { files.append((entry.path, try entry.writer.stage())) }
        return InboundLedger.StagedExport(exportID: exportID, number: number, source: source, updateCount: count, files: files,
                                          createdAt: createdAt)
    }

    // MARK: - The writing thread

    private func render() {
        var batch: [Update] = []
        do {
            // With both formats, each update is rendered into both files in one go.
            let json = writers.first { $0.writer.format == .jsonl }?.writer
            let csv = writers.first { $0.writer.format == .csv }?.writer
            let paired = writers.count == 2 && json != nil && csv != nil
            while try pipe.receive(&batch) {
                try batch.withUnsafeBufferPointer { updates in
                    if paired, let json, let csv {
                        for index in updates.indices { try ERPUpdateWriter.write(updates[index], json: json, csv: csv) }
                    } else {
                        for index in updates.indices {
                            for entry in writers { try entry.writer.write(updates[index]) }
                        }
                    }
                }
            }
            pipe.stopConsuming()
        } catch {
            pipe.stopConsuming(failure: error)
        }
    }

    /// Ends the writing thread (nothing more will be written).
    private func stopRendering() {
        guard rendering else { return }
        rendering = false
        pipe.abandon()
    }

    /// Removes the temporary files (the transaction that would have recorded them failed).
    func discard() {
        stopRendering()
        for entry in writers { unlink(AtomicTextFile.temporaryPath(for: entry.path)) }
        writers.removeAll()
    }

    /// Forgets the files after they were recorded: they now belong to the export step.
    func release() { writers.removeAll() }
}

/// The folder the ERP imports update files from. arlink never creates it (`arlink init`
/// does): a mistyped path must not export where the ERP never looks.
public enum ERPImportFolder {
    /// Checks that `folder` is a folder, before a run fetches anything.
    /// - Throws: ``ConfigError`` `.missingFile` (exit 78) naming `erp.updates.folder`.
    public static func require(_ folder: String) throws {
        var info = stat()
        guard stat(folder, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ConfigError(.missingFile, """
                erp.updates.folder: \(folder) \(FileManager.default.fileExists(atPath: folder) ? "is not a folder" : "does not exist"); \
                correct the path, or create the folder (`arlink init --config FILE` does)
                """)
        }
    }

    /// Checks that `folder` is still a folder while a run writes into it.
    /// - Throws: ``InboundError`` `.io` (exit 75): the partner's file stays for the next run.
    static func stillThere(_ folder: String) throws {
        var info = stat()
        guard stat(folder, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw InboundError(.io, "the ERP import folder \(folder) is gone or no longer a folder; nothing was recorded, the next run applies the file once it is back")
        }
    }
}
