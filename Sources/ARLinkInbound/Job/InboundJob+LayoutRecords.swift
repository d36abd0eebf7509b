import ARLinkAudit
import ARLinkCore
import ARLinkJobs
import ARLinkLayouts
import ARLinkStore
import Foundation

/// What a layout feedback file said besides its events (acknowledgements, reconciliations,
/// recall objections), kept from its conversion until the file's transaction records it.
struct PendingLayoutRecords {
    /// The manifest's name (the inbound file's name).
    var fileName: String
    var report: LayoutFeedbackReport
    /// The balance placed per account, in the layout's currency.
    var placed: [String: Money]
}

extension InboundJob {
    /// Where rejected acknowledgements go among a file's rejections: after every event's line
    /// (a receipt lists rejections in line order; the data file's lines are not the events').
    static let layoutRejectionLineBase = 1 << 40

    /// Records the agency records of `fileName`'s conversion in the file's transaction: one
    /// `layout_agency_record` row each; a rejected acknowledgement also as a rejection of the
    /// file (the partner's receipt lists it as `AACK-<file number>` with its reason); one
    /// `recall.objected` audit entry per recall objection.
    /// - Returns: lines for the run report's exceptions (rejected acknowledgements,
    ///   reconciliation mismatches, recall objections).
    func recordLayoutRecords(fileName: String, sha: String, partner: String, receivedAt: String, db: StoreTransaction) throws -> [String] {
        guard let pending = pendingLayoutRecords, pending.fileName == fileName else { return [] }
        var rows: [LayoutAgencyRecordRow] = []
        var exceptions: [String] = []
        var audit: [AuditEvent] = []
        func number(_ n: Int64) -> String { let s = String(n); return String(repeating: "0", count: max(0, 9 - s.count)) + s }
        for (ack, outcome) in pending.report.acknowledgements {
            var row = LayoutAgencyRecordRow(
                partner: partner, fileSHA256: sha, line: ack.line, kind: .acknowledgement, fileNumber: ack.fileNumber, accountRef: ack.accountRef,
                outcome: .accepted, reason: nil, originalBalance: ack.originalBalance, currentBalance: ack.currentBalance,
                placedBalance: pending.placed[ack.accountRef], occurredOn: ack.receivedOn, receivedAt: receivedAt)
            if case .rejected(let reason, let detail) = outcome {
                row.outcome = .rejected
                row.reason = reason
                try InboundLedger.insertRejection(db, partner: partner, fileSHA256: sha, line: Self.layoutRejectionLineBase + ack.line,
                                                  eventID: "AACK-" + number(ack.fileNumber), reason: reason)
                exceptions.append("acknowledgement of file number \(number(ack.fileNumber)) (line \(ack.line)) rejected, \(reason): \(detail)")
            }
            rows.append(row)
        }
        for rec in pending.report.reconciliations {
            let placed = pending.placed[rec.accountRef]
            let matched = placed == rec.originalBalance
            rows.append(LayoutAgencyRecordRow(
                partner: partner, fileSHA256: sha, line: rec.line, kind: .reconciliation, fileNumber: rec.fileNumber, accountRef: rec.accountRef,
                outcome: matched ? .matched : .mismatch, reason: matched ? nil : AcknowledgementCheck.balanceMismatch,
                originalBalance: rec.originalBalance, currentBalance: rec.currentBalance, placedBalance: placed, occurredOn: rec.receivedOn,
                receivedAt: receivedAt))
            if !matched {
                exceptions.append("reconciliation of file number \(number(rec.fileNumber)) (line \(rec.line)): original balance \(rec.originalBalance) differs from the \(placed.map(\.description) ?? "nothing") placed (current balance \(rec.currentBalance))")
            }
        }
        for objection in pending.report.recallObjections {
            let code = Self.auditCode(objection.reasonCode)
            rows.append(LayoutAgencyRecordRow(
                partner: partner, fileSHA256: sha, line: objection.line, kind: .recallObjection, fileNumber: objection.fileNumber,
                accountRef: objection.accountRef, outcome: .objected, reason: objection.reasonCode.isEmpty ? nil : objection.reasonCode,
                originalBalance: nil, currentBalance: nil, placedBalance: nil, occurredOn: objection.date, receivedAt: receivedAt))
            exceptions.append("recall objection for file number \(number(objection.fileNumber)) (line \(objection.line)), reason code \(code.isEmpty ? "none" : code)")
            audit.append(AuditEvent(action: "recall.objected", outcome: "recorded", partner: partner, direction: "inbound", fileName: fileName,
                                    sealedSHA256: sha, detail: ["file_number": number(objection.fileNumber), "reason_code": code,
                                                                "line": String(objection.line)]))
        }
        try LayoutAgencyLedger.insert(db, rows)
        if !audit.isEmpty { try context.audit.append(audit, in: db) }
        return exceptions
    }

    /// An agency's code for the audit log: letters, digits, `_` and `-`, at most 16, lowercased.
    static func auditCode(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == "-" }
            .prefix(16).map(Character.init))
    }
}

extension InboundJob {
    /// Keeps a layout manifest's data file envelope (fetched beside it as
    /// ``layoutDataPath(_:)``) in `folder` (the archive or the quarantine) under its own name,
    /// next to the manifest: `<folder>/<sha256 of the manifest>/<data file name>`. Nothing to
    /// do for other files, or when an interrupted earlier run moved it already.
    func keepLayoutData(_ local: String, manifestName: String, in folder: String, sha256: String, folders: InboundFolders) throws {
        let data = Self.layoutDataPath(local)
        guard let name = LayoutPairTransport.dataName(forManifest: manifestName), FileManager.default.fileExists(atPath: data) else { return }
        try folders.keep(data, in: folder, sha256: sha256, name: name)
    }
}
