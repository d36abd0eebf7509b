import ARLinkJobs
import ARLinkCore
import ARLinkConfig
import ARLinkEnvelope
import ARLinkFormats
import ARLinkStore
import ARLinkAudit
import ARLinkSystem
import ARLinkTransport
import Foundation

extension InboundJob {
    /// For every committed file not finished yet: seal and deliver its receipt, archive the
    /// received envelope, move the remote copy to processed, mark it finished. Each step can
    /// be redone after a crash: the sealed receipt is kept until the file is marked finished,
    /// so a re-run delivers the very same bytes.
    func finishPending(_ partner: PartnerSettings, transport: any Transport, folders: InboundFolders,
                       report: inout PartnerInboundReport, run: inout InboundReport) throws {
        let pid = partner.id.rawValue
        let pending = try context.store.read { db in try InboundLedger.unfinished(db, partner: pid) }
        for record in pending {
            if let name = record.receiptName {
                try deliverReceipt(record, name: name, partner: partner, transport: transport, folders: folders)
                report.receiptsDelivered += 1
            }
            let local = folders.incoming + "/" + record.fileName
            if record.state == .applied { try keepLayoutData(local, manifestName: record.fileName, in: folders.archive, sha256: record.sha256, folders: folders) }
            if record.state == .applied, FileManager.default.fileExists(atPath: local) {
                try folders.keep(local, in: folders.archive, sha256: record.sha256, name: record.fileName)
            }
            do {
                try transport.finish(RemoteFile(name: record.fileName, size: 0), disposition: .moveToProcessed)
            } catch let error as TransportError where error.code == .changed {
                // Those bytes are done with; the new ones are fetched and judged by the next run.
                report.retry.append(.init(fileName: record.fileName, code: error.codeName, message: error.message))
                reporter.warning("partner \(pid): \(record.fileName) left in the outbox: \(error.message)", ["partner": pid, "file": record.fileName])
            }
            Failpoint.hit("inbound.receipt_delivered")
            try context.store.write { db in
                try InboundLedger.markFinished(db, partner: pid, sha256: record.sha256)
                try context.audit.append([AuditEvent(action: "file.finished", outcome: "ok", partner: pid, direction: "inbound",
                                                     fileID: record.fileID, fileName: record.fileName, sealedSHA256: record.sha256,
                                                     detail: record.receiptName.map { ["receipt": $0] } ?? [:])], in: db)
            }
            if let name = record.receiptName { unlink(folders.receipts + "/" + name) }
            if !report.processed.contains(record.fileName) && !report.quarantined.contains(where: { $0.fileName == record.fileName }) {
                report.resumed += 1
            }
        }
    }

    /// Seals the receipt of `record` (once) and delivers it to the partner's inbox.
    ///
    /// Receipts are chained as portfolios are: each names the SHA-256 of the previous receipt's
    /// plaintext as `previous_file_sha256` (null for the first). The hash is recorded with the
    /// sealing; a sealed receipt whose hash was not recorded (a crash between the two) is
    /// sealed again, as it was never delivered.
    func deliverReceipt(_ record: InboundFileRecord, name: String, partner: PartnerSettings, transport: any Transport, folders: InboundFolders) throws {
        let pid = partner.id.rawValue
        let sealed = folders.receipts + "/" + name
        if !FileManager.default.fileExists(atPath: sealed) || record.receiptPlaintextSHA256 == nil {
            let rejected = try context.store.read { db in try InboundLedger.rejections(db, partner: pid, fileSHA256: record.sha256) }
            let receipt = Receipt(fileID: record.fileID ?? "", fileSHA256: record.sha256, sequence: record.sequence ?? 0,
                                  outcome: record.state.rawValue, eventsAccepted: record.eventsAccepted, rejected: rejected,
                                  errorCode: record.errorCode)
            let sequence = record.receiptSequence ?? 0
            let previous = sequence > 1 ? try context.store.read { db in try InboundLedger.receiptPlaintextSHA256(db, partner: pid, sequence: sequence - 1) } : nil
            let header = FileHeader(
                schema: "receipt.v1", fileID: record.receiptFileID ?? UUID().uuidString.lowercased(), kind: "receipt", direction: "outbound",
                batchID: "receipt-\(sequence)", sequence: sequence, sender: config.company.id.rawValue, recipient: pid,
                recipientKeySHA256: try context.partnerKeySHA256(for: partner), createdAt: record.receivedAt, previousFileSHA256: previous)
            let plain = folders.plain + "/" + name + ".plain"
            defer { unlink(plain) }
            try ReceiptWriter.write(receipt, header: header, to: plain)
            let result = try context.seal(for: partner, input: plain, output: sealed)
            // A crash here leaves a sealed receipt whose seal is not recorded: the next run seals it again.
            Failpoint.hit("inbound.receipt_sealed_file_written")
            try context.store.write { db in
                try InboundLedger.recordReceiptSealed(db, partner: pid, sequence: sequence, plaintextSHA256: result.plaintextSHA256)
                try context.audit.append([AuditEvent(action: "receipt.sealed", outcome: "ok", partner: pid, direction: "outbound",
                                                     fileID: header.fileID, fileName: name, plaintextSHA256: result.plaintextSHA256,
                                                     sealedSHA256: result.sealedSHA256, recordCount: rejected.count + 1)], in: db)
            }
        }
        let outcome = try transport.deliver(localFile: sealed, as: name)
        try context.store.write { db in
            try context.audit.append([AuditEvent(action: "receipt.delivered", outcome: outcome == .delivered ? "ok" : "already_present",
                                                 partner: pid, direction: "outbound", fileID: record.receiptFileID, fileName: name)], in: db)
        }
    }

    /// Publishes every staged export (renames its files into the ERP import folder) and
    /// marks it written; removes staged files that no record names (an attempt that never
    /// committed). Then writes whatever the v1 outbox table still holds (databases from
    /// before staged exports), claimed and written as before.
    func exportUpdates(into report: inout InboundReport) throws {
        let folder = config.erp.updatesFolder
        let staged = try context.store.read { db in try InboundLedger.stagedExports(db) }
        removeUnrecordedStagedFiles(folder: folder, keep: Set(staged.flatMap { $0.files.map { AtomicTextFile.temporaryPath(for: $0.path) } }))
        for export in staged {
            for file in export.files {
                do {
                    try AtomicTextFile.publish(path: file.path, expectedBytes: file.bytes)
                } catch let error as FeedbackError {
                    throw InboundError(.io, "ERP export \(export.exportID): \(error.message)")
                }
                report.exportFiles.append(file.path)
            }
            Failpoint.hit("inbound.published")
            try context.store.write { db in
                try InboundLedger.markStagedExportWritten(db, exportID: export.exportID)
                try context.audit.append([AuditEvent(action: "erp.exported", outcome: "ok", direction: "inbound", recordCount: export.updateCount,
                                                     detail: ["export_id": export.exportID])], in: db)
            }
            report.updatesExported += export.updateCount
            reporter.info("exported \(export.updateCount) ERP updates as \(export.exportID) (\(export.files.map { String($0.path.split(separator: ".").last ?? "") }.joined(separator: ", ")))",
                          ["export_id": export.exportID])
        }
        try exportOutboxRows(into: &report)
    }

    /// Staged export files (`.arlink_erp_updates_….tmp`) in the ERP folder that no staged record names.
    func removeUnrecordedStagedFiles(folder: String, keep: Set<String>) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where name.hasPrefix(".arlink_erp_updates_") && name.hasSuffix(".tmp") {
            let path = folder + "/" + name
            if !keep.contains(path) { unlink(path) }
        }
    }

    /// The v1 outbox: rows of `erp_update` not yet exported, claimed and written as one export.
    func exportOutboxRows(into report: inout InboundReport) throws {
        let folder = config.erp.updatesFolder
        var claims = try context.store.read { db in try InboundLedger.claimedExports(db) }
        let now = Timestamp.iso8601(context.now())
        if let claim = try context.store.write({ db in
            try InboundLedger.claimExport(db, createdAt: now) { first in
                let digits = String(first)
                return "arlink_erp_updates_" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
            }
        }) {
            claims.append(claim)
        }
        guard !claims.isEmpty else { return }
        try ERPImportFolder.stillThere(folder)
        let formats = config.erp.updateFormats.compactMap(ERPUpdateWriter.Format.init(rawValue:))
        for claim in claims {
            for format in formats {
                let path = folder + "/" + claim.exportID + "." + format.rawValue
                let writer = try ERPUpdateWriter(path: path, format: format, exportID: claim.exportID, createdAt: claim.createdAt)
                try context.store.read { db in
                    try InboundLedger.forEachRecord(db, exportID: claim.exportID, csv: format == .csv) { try writer.writeRecord($0) }
                }
                try writer.finish()
                report.exportFiles.append(path)
            }
            try context.store.write { db in
                try InboundLedger.markExportWritten(db, exportID: claim.exportID)
                try context.audit.append([AuditEvent(action: "erp.exported", outcome: "ok", direction: "inbound", recordCount: claim.count,
                                                     detail: ["export_id": claim.exportID])], in: db)
            }
            report.updatesExported += claim.count
        }
    }

    /// Judges open promises whose date has passed: kept when the account received at least
    /// the promised amount since the promise, else `promise_broken` goes to the ERP.
    func checkPromises(into report: inout InboundReport) throws {
        let today = today
        let reconciler = Reconciler(today: today, promiseHorizonDays: 0)
        var broken: [String: Int] = [:]
        let formats = config.erp.updateFormats.compactMap(ERPUpdateWriter.Format.init(rawValue:))
        var stage: ERPUpdateStage<ERPUpdate>?
        defer { stage?.discard() }
        try context.store.write { db in
            let exports = ERPUpdateStage<ERPUpdate>(folder: config.erp.updatesFolder, number: try InboundLedger.nextExportNumber(db), formats: formats,
                                         createdAt: Timestamp.iso8601(context.now()), source: "promises")
            stage = exports
            for promise in try InboundLedger.openPromises(db, before: today) {
                guard let currency = try? Currency(promise.currency), let date = LocalDate(iso: promise.promisedDate) else { continue }
                let paid = try InboundLedger.accountPaid(db, partner: promise.partner, accountRef: promise.accountRef, currency: promise.currency)
                let state = reconciler.promiseState(promised: Money(minorUnits: promise.amountMinor, currency: currency),
                                                    paidSince: paid - promise.paidBaselineMinor, date: date)
                guard state != .pending else { continue }
                try InboundLedger.setPromiseState(db, id: promise.id, state: state)
                guard state == .broken else { continue }
                broken[promise.partner, default: 0] += 1
                var update = ERPUpdate(updateID: "\(promise.partner)-promise-\(promise.eventID)", partner: promise.partner,
                                       sourceEventID: promise.eventID, sourceEventType: "promise", sourceFileID: nil,
                                       accountRef: promise.accountRef, invoiceNumber: promise.invoiceNumber, status: .promiseBroken)
                update.amount = Money(minorUnits: promise.amountMinor, currency: currency)
                update.openAmount = Money(minorUnits: max(0, promise.amountMinor - (paid - promise.paidBaselineMinor)), currency: currency)
                update.date = date
                try exports.add(update)
            }
            if let staged = try exports.stage() { try InboundLedger.insertStagedExport(db, staged) }
            if !broken.isEmpty {
                try context.audit.append(broken.sorted { $0.key < $1.key }.map { partner, count in
                    AuditEvent(action: "promises.checked", outcome: "broken", partner: partner, direction: "inbound", recordCount: count)
                }, in: db)
            }
        }
        stage?.release()
        for index in report.partners.indices {
            report.partners[index].promisesBroken += broken[report.partners[index].partner] ?? 0
        }
    }
}
