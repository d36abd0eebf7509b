import ARLinkCore
import ARLinkFormats
import ARLinkStore
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
final class ERPUpdateStage {
    let exportID: String
    let number: Int64
    let createdAt: String
    let source: String
    private let folder: String
    private let formats: [ERPUpdateWriter.Format]
    private var writers: [(writer: ERPUpdateWriter, path: String)] = []
    private(set) var count = 0

    /// - Parameters:
    ///   - number: the export number (``InboundLedger/nextExportNumber(_:)``), also in the file names.
    ///   - source: what produced the updates (a feedback file's SHA-256, or `promises`).
    init(folder: String, number: Int64, formats: [ERPUpdateWriter.Format], createdAt: String, source: String) {
        self.folder = folder
        self.number = number
        self.formats = formats
        self.createdAt = createdAt
        self.source = source
        let digits = String(number)
        exportID = "arlink_erp_updates_" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    deinit { discard() }

    /// Adds one update to every format's file (the files are created on the first).
    func add(_ update: ERPUpdate) throws {
        if writers.isEmpty {
            try ERPUpdateStage.createFolder(folder)
            for format in formats {
                let path = folder + "/" + exportID + "." + format.rawValue
                writers.append((try ERPUpdateWriter(path: path, format: format, exportID: exportID, createdAt: createdAt), path))
            }
        }
        for entry in writers { try entry.writer.write(update) }
        count += 1
    }

    /// Writes the trailers and fsyncs the files; nil when no update was added.
    func stage() throws -> InboundLedger.StagedExport? {
        guard count > 0 else { return nil }
        var files: [(path: String, bytes: Int64)] = []
        for entry in writers { files.append((entry.path, try entry.writer.stage())) }
        return InboundLedger.StagedExport(exportID: exportID, number: number, source: source, updateCount: count, files: files,
                                          createdAt: createdAt)
    }

    /// Removes the temporary files (the transaction that would have recorded them failed).
    func discard() {
        for entry in writers { unlink(AtomicTextFile.temporaryPath(for: entry.path)) }
        writers.removeAll()
    }

    /// Forgets the files after they were recorded: they now belong to the export step.
    func release() { writers.removeAll() }

    static func createFolder(_ folder: String) throws {
        var info = stat()
        if stat(folder, &info) == 0 { return }
        guard mkdir(folder, 0o750) == 0 || errno == EEXIST else {
            throw InboundError(.io, "cannot create the ERP import folder \(folder) (errno \(errno))")
        }
    }
}
