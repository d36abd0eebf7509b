import ARLinkJobs
import ARLinkCore
import ARLinkConfig
import ARLinkFormats
import ARLinkStore
import ARLinkAudit
import ARLinkTransport
import GRDB
import Foundation

extension InboundJob {
    /// Reads every event, reconciles it and records the events, the ledger changes, the ERP
    /// updates, the file and its audit entry in one SQLite transaction. Any file-level error
    /// (schema, trailer, duplicate id inside the file) rolls everything back and is rethrown.
    func apply(_ reader: FeedbackReader, remote: RemoteFile, sha: String, plaintextSHA256: String, partner: PartnerSettings,
               report: inout PartnerInboundReport) throws {
        let pid = partner.id.rawValue
        let header = reader.header
        let reconciler = Reconciler(today: today, promiseHorizonDays: partner.promiseHorizonDays)
        let receivedAt = Timestamp.iso8601(context.now())
        var accepted = 0
        var rejected: [RejectionReason: Int] = [:]
        var exceptions: [String] = []
        let positions = PositionCache()
        try context.store.write { db in
            while let event = try reader.next() {
                let line = reader.lineNumber
                if line % 65_536 == 0 { reporter.progress(step: "applying \(remote.name)", done: Int64(line), total: nil) }
                let result = try reconcile(event, reconciler: reconciler, partner: pid, positions: positions, db: db)
                var exception: ReconciliationException?
                if case .accepted(let e) = result.outcome { exception = e }
                let inserted = try InboundLedger.insertEvent(db, partner: pid, eventID: event.eventID, fileSHA256: sha, line: line,
                                                             type: event.type.rawValue, accountRef: event.accountRef,
                                                             accepted: result.outcome.isAccepted, exception: exception?.code)
                if !inserted {
                    if try InboundLedger.eventFile(db, partner: pid, eventID: event.eventID) == sha {
                        throw FeedbackError(.duplicateEventID, "\(remote.name) line \(line): event_id \"\(event.eventID)\" appears twice in this file", lineNumber: line)
                    }
                    try InboundLedger.insertRejection(db, partner: pid, fileSHA256: sha, line: line, eventID: event.eventID, reason: RejectionReason.duplicateEventID.rawValue)
                    rejected[.duplicateEventID, default: 0] += 1
                    continue
                }
                switch result.outcome {
                case .rejected(let reason):
                    try InboundLedger.insertRejection(db, partner: pid, fileSHA256: sha, line: line, eventID: event.eventID, reason: reason.rawValue)
                    rejected[reason, default: 0] += 1
                case .accepted(let exception):
                    accepted += 1
                    if let exception, exceptions.count < 1000 { exceptions.append(exception.detail) }
                    try applyEffects(event, result: result, partner: pid, sha: sha, fileID: header.fileID, line: line, positions: positions, db: db)
                }
            }
            let receiptSequence = try InboundLedger.nextReceiptSequence(db, partner: pid)
            try InboundLedger.insert(db, InboundFileRecord(
                partner: pid, sha256: sha, fileName: remote.name, fileID: header.fileID, sequence: header.sequence, state: .applied,
                plaintextSHA256: plaintextSHA256, errorCode: nil, eventsAccepted: accepted, eventsRejected: rejected.values.reduce(0, +),
                receiptName: receiptName(partner: pid, receivedAt: receivedAt, sequence: receiptSequence),
                receiptFileID: UUID().uuidString.lowercased(), receiptSequence: receiptSequence, receivedAt: receivedAt, finished: false))
            var detail = reader.totals.counts.mapValues(String.init)
            detail["sequence"] = String(header.sequence)
            detail["events_accepted"] = String(accepted)
            for (reason, count) in rejected { detail["rejected_" + reason.rawValue] = String(count) }
            try context.audit.append([AuditEvent(
                action: "file.applied", outcome: "ok", partner: pid, direction: "inbound", batchID: header.batchID, fileID: header.fileID,
                fileName: remote.name, plaintextSHA256: plaintextSHA256, sealedSHA256: sha, recordCount: reader.totals.recordCount,
                totals: Dictionary(uniqueKeysWithValues: reader.totals.totals.map { ($0.key.code, $0.value.decimalString) }), detail: detail
            )], in: db)
        }
        report.eventsAccepted += accepted
        report.eventsRejected.merge(rejected, uniquingKeysWith: +)
        report.exceptions.append(contentsOf: exceptions)
        reporter.info("partner \(pid): applied \(remote.name) (sequence \(header.sequence)): \(accepted) events accepted, \(rejected.values.reduce(0, +)) rejected",
                      ["partner": pid, "file": remote.name, "file_id": header.fileID])
    }

    /// `{us}_{partner}_receipt_{yyyymmdd}_{seq:06}.jsonl.p7m`.
    func receiptName(partner: String, receivedAt: String, sequence: Int) -> String {
        let date = String(receivedAt.prefix(10).filter { $0 != "-" })
        let seq = String(sequence)
        return "\(config.company.id.rawValue)_\(partner)_receipt_\(date)_\(String(repeating: "0", count: max(0, 6 - seq.count)) + seq).jsonl.p7m"
    }

    /// Reconciles one event against the ledger as it stands inside the transaction.
    func reconcile(_ event: FeedbackEvent, reconciler: Reconciler, partner: String, positions: PositionCache, db: Database) throws -> ReconciliationResult {
        switch event.type {
        case .acknowledgement:
            guard let id = event.acknowledgedBatchID, let batch = try PlacementLedger.batch(db, id: id), batch.partner == partner else {
                return reconciler.acknowledgement(event, batch: nil)
            }
            return reconciler.acknowledgement(event, batch: BatchFigures(batchID: id, totals: ControlTotals(
                counts: batch.recordCounts, totals: batch.totals)))
        case .paymentReversal:
            let position = try positions.position(event.accountRef, partner: partner, db: db)
            let original = try event.reversesEventID.flatMap { try InboundLedger.payment(db, partner: partner, eventID: $0) }
            let matching = original.flatMap { $0.accountRef == event.accountRef ? $0 : nil }
            return reconciler.reversal(event, original: matching?.allocations, alreadyReversed: matching?.reversed ?? false, position: position)
        default:
            return reconciler.reconcile(event, position: try positions.position(event.accountRef, partner: partner, db: db))
        }
    }

    /// Records the ledger changes and ERP updates of an accepted event.
    func applyEffects(_ event: FeedbackEvent, result: ReconciliationResult, partner: String, sha: String, fileID: String, line: Int,
                      positions: PositionCache, db: Database) throws {
        switch event.type {
        case .payment:
            try InboundLedger.applyAllocations(db, partner: partner, accountRef: event.accountRef, eventID: event.eventID,
                                               allocations: result.allocations, reversing: nil)
            positions.apply(result.allocations, to: event.accountRef)
        case .paymentReversal:
            try InboundLedger.applyAllocations(db, partner: partner, accountRef: event.accountRef, eventID: event.eventID,
                                               allocations: result.allocations, reversing: event.reversesEventID)
            positions.apply(result.allocations, to: event.accountRef)
        case .promise:
            if let amount = event.amount, let date = event.promisedDate {
                // What the partner paid on the account so far (net of reversals) is the sum of its invoices' paid amounts.
                let baseline = try positions.position(event.accountRef, partner: partner, db: db)?.invoices
                    .filter { $0.placed.currency == amount.currency }.reduce(Int64(0)) { $0 + $1.paidMinor } ?? 0
                try InboundLedger.insertPromise(db, partner: partner, eventID: event.eventID, accountRef: event.accountRef,
                                                invoiceNumber: event.invoiceNumber, amount: amount, promisedDate: date, paidBaseline: baseline)
            }
        case .acknowledgement:
            if case .accepted(nil) = result.outcome, let id = event.acknowledgedBatchID,
               let batch = try PlacementLedger.batch(db, id: id), batch.state == .delivered {
                try PlacementLedger.advance(db, batchID: id, to: .acknowledged, at: Timestamp.iso8601(context.now()))
            }
        default:
            break
        }
        for (index, draft) in result.updates.enumerated() {
            var update = ERPUpdate(updateID: "\(partner)-\(sha.prefix(16))-\(line)-\(index + 1)", partner: partner, sourceEventID: event.eventID,
                                   sourceEventType: event.type.rawValue, sourceFileID: fileID, accountRef: event.accountRef,
                                   invoiceNumber: draft.invoiceNumber, status: draft.status)
            update.amount = draft.amount
            update.openAmount = draft.openAmount
            update.date = draft.date
            update.comment = event.comment
            if event.type == .contactUpdate { update.contact = event.contact }
            if event.type == .risk {
                update.riskScore = event.riskScore
                update.riskSegment = event.riskSegment
            }
            if event.type == .dispute, let reason = event.disputeReason {
                update.comment = "dispute reason: \(reason)" + (event.comment.map { "; \($0)" } ?? "")
            }
            try InboundLedger.enqueue(db, updateID: update.updateID, partner: partner, json: ERPUpdateJSON.record(update), csv: ERPUpdateJSON.csvRow(update))
        }
    }
}

/// The accounts read during one file's transaction, kept in step with the allocations it
/// applies, so each account is read from the ledger once per file. Bounded: cleared when it
/// holds more than 200,000 accounts.
final class PositionCache {
    private var positions: [String: AccountPosition?] = [:]

    func position(_ accountRef: String, partner: String, db: Database) throws -> AccountPosition? {
        if let cached = positions[accountRef] { return cached }
        let position = try InboundLedger.position(db, partner: partner, accountRef: accountRef)
        if positions.count >= 200_000 { positions.removeAll(keepingCapacity: true) }
        positions[accountRef] = .some(position)
        return position
    }

    /// Adds allocations (negative for reversals) to the cached paid amounts.
    func apply(_ allocations: [Allocation], to accountRef: String) {
        guard case .some(.some(var position)) = positions[accountRef] else { return }
        for allocation in allocations {
            if let index = position.invoices.firstIndex(where: { $0.invoiceNumber == allocation.invoiceNumber }) {
                position.invoices[index].paidMinor += allocation.amount.minorUnits
            }
        }
        positions[accountRef] = .some(position)
    }
}
