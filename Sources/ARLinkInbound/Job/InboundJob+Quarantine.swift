import ARLinkJobs
import ARLinkCore
import ARLinkConfig
import ARLinkFormats
import ARLinkStore
import ARLinkAudit
import ARLinkSystem
import ARLinkTransport
import Foundation

extension InboundJob {
    /// Moves the original bytes to the quarantine folder (`quarantine/<sha256>/<name>`, see
    /// ``InboundFolders/keep(_:in:sha256:name:)``) with a JSON reason file beside them,
    /// records the refusal, and lets the run go on. A receipt is due when the signature
    /// verified (`verified`), whether or not the header could be read; without a header it
    /// names the file by its SHA-256 only (empty `file_id`, sequence 0).
    func quarantine(_ remote: RemoteFile, local: String, sha: String, failure: any ARLinkFailure, header: FileHeader?, verified: Bool = true,
                    partner: PartnerSettings, folders: InboundFolders, report: inout PartnerInboundReport) throws -> FileOutcome {
        let pid = partner.id.rawValue
        let target = try folders.evidencePath(in: folders.quarantine, sha256: sha, name: remote.name)
        let now = Timestamp.iso8601(context.now())
        let reason = JSONText.object([
            ("partner", .string(pid)), ("file_name", .string(remote.name)), ("sha256", .string(sha)),
            ("size", .int(Int(remote.size))), ("error_code", .string(failure.codeName)), ("message", .string(failure.message)),
            ("file_id", header.map { .string($0.fileID) }), ("sequence", header.map { .int($0.sequence) }), ("quarantined_at", .string(now)),
        ])
        do {
            let file = try AtomicTextFile(path: target + ".reason.json")
            try file.writeLine(reason)
            try file.commit()
        } catch {
            throw InboundError(.io, "cannot write the quarantine reason for \(remote.name): \(error)")
        }
        try folders.keep(local, in: folders.quarantine, sha256: sha, name: remote.name)
        try keepLayoutData(local, manifestName: remote.name, in: folders.quarantine, sha256: sha, folders: folders)
        try context.store.write { db in
            let receiptSequence = verified ? try InboundLedger.nextReceiptSequence(db, partner: pid) : nil
            try InboundLedger.insert(db, InboundFileRecord(
                partner: pid, sha256: sha, fileName: remote.name, fileID: header?.fileID, sequence: header?.sequence, state: .quarantined,
                plaintextSHA256: nil, errorCode: failure.codeName, eventsAccepted: 0, eventsRejected: 0,
                receiptName: receiptSequence.map { receiptName(partner: pid, receivedAt: now, sequence: $0) },
                receiptFileID: receiptSequence.map { _ in UUID().uuidString.lowercased() }, receiptSequence: receiptSequence,
                receivedAt: now, finished: false))
            try context.audit.append([AuditEvent(
                action: "file.quarantined", outcome: "quarantined", partner: pid, direction: "inbound", fileID: header?.fileID,
                fileName: remote.name, sealedSHA256: sha, errorCode: failure.codeName)], in: db)
        }
        report.quarantined.append(.init(fileName: remote.name, code: failure.codeName, message: failure.message))
        reporter.report(RunMessage(.error, "partner \(pid): \(remote.name) quarantined: \(failure.message) [\(failure.codeName)]",
                                   fields: ["partner": pid, "file": remote.name, "code": failure.codeName]))
        return .quarantined
    }
}
