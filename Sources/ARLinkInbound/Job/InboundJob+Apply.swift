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
    /// Reads every event, reconciles it and records the events, the ledger changes, the ERP
    /// updates (staged files), the file and its audit entry in one SQLite transaction. Any
    /// file-level error (schema, trailer, duplicate id inside the file) rolls everything back,
    /// removes the staged files and is rethrown.
    ///
    /// Event ids are checked against earlier files after the pass (one merge of sorted keys,
    /// ``InboundLedger/knownEventKeys(_:partner:since:sorted:)``, over the files of the last
    /// `inbound.duplicate_window_days`); when some were seen before, the
    /// pass is rolled back and done again with those events refused as duplicates.
    /// - Parameter reopen: the plaintext read again from its first event.
    /// - Parameter accounts: the partner's placed accounts, being read on another thread (for the first pass).
    /// - Parameter signerSHA256: the fingerprint of the certificate that signed the file (audited).
    func apply(_ reader: FeedbackReader, reopen: () throws -> FeedbackReader, remote: RemoteFile, sha: String, plaintextSHA256: String,
               signerSHA256: String, partner: PartnerSettings, accounts: BackgroundTask<PlacedAccounts?>? = nil, report: inout PartnerInboundReport) throws {
        var excluded: Set<EventKey> = []
        var reader = reader
        var accounts = accounts
        while true {
            do {
                let read = accounts
                accounts = nil  // a pass done again reads them again (the first one changed its copy)
                let pass = try applyPass(reader, excluded: excluded, reopen: reopen, remote: remote, sha: sha, plaintextSHA256: plaintextSHA256,
                                         signerSHA256: signerSHA256, partner: partner, accounts: read)
                report.eventsAccepted += pass.accepted
                report.eventsRejected.merge(pass.rejected, uniquingKeysWith: +)
                report.exceptions.append(contentsOf: pass.exceptions)
                let pid = partner.id.rawValue
                reporter.info("partner \(pid): applied \(remote.name) (sequence \(reader.header.sequence)): \(pass.accepted) events accepted, \(pass.rejected.values.reduce(0, +)) rejected",
                              ["partner": pid, "file": remote.name, "file_id": reader.header.fileID])
                return
            } catch let seen as SeenBefore where seen.keys.isStrictSuperset(of: excluded) {
                excluded = seen.keys
                reader = try reopen()
            }
        }
    }

    /// Event ids that earlier files already brought: the pass is redone refusing them.
    struct SeenBefore: Error {
        let keys: Set<EventKey>
    }

    /// What one pass over a file accepted and rejected.
    struct PassResult {
        var accepted = 0
        var rejected: [RejectionReason: Int] = [:]
        var exceptions: [String] = []
    }

    /// One pass over the file inside one transaction.
    func applyPass(_ reader: FeedbackReader, excluded: Set<EventKey>, reopen: () throws -> FeedbackReader, remote: RemoteFile, sha: String,
                   plaintextSHA256: String, signerSHA256: String, partner: PartnerSettings, accounts: BackgroundTask<PlacedAccounts?>? = nil) throws -> PassResult {
        let pid = partner.id.rawValue
        let header = reader.header
        let receivedAt = Timestamp.iso8601(context.now())
        var state = PassState(partner: pid, sha: sha, fileID: header.fileID,
                              reconciler: Reconciler(today: today, promiseHorizonDays: partner.promiseHorizonDays,
                                                     scoringAllowed: partner.privacy.dpia != nil), limits: positionLimits)
        state.fileCreatedOn = LocalDate(iso: header.createdAt.prefix(10))
        state.paymentDateMarginDays = partner.paymentDateMarginDays
        let formats = config.erp.updateFormats.compactMap(ERPUpdateWriter.Format.init(rawValue:))
        var stage: ERPUpdateStage<PassUpdate>?
        defer { stage?.discard() }
        // Waited for before the transaction, never inside it: the reading thread needs the
        // store's connection, which the transaction holds.
        let read: PlacedAccounts?? = try accounts.map { try $0.wait() }
        // The KPI facts of the file's accepted events (issue 19), written in its transaction.
        let receivedOn = LocalDate(iso: receivedAt.prefix(10)) ?? today
        // Event ids are checked against the files of the duplicate window (whole files sent
        // again are refused by id, sequence and SHA-256 whatever their age).
        let windowStart = today.adding(days: -config.inbound.duplicateWindowDays)
        var kpi = FeedbackFacts(fallbackDay: receivedOn)
        try context.store.write { db in
            let exports = ERPUpdateStage<PassUpdate>(folder: config.erp.updatesFolder, number: try InboundLedger.nextExportNumber(db),
                                                     formats: formats, createdAt: receivedAt, source: sha, keepAlive: state.constants)
            stage = exports
            StepTrace.mark("pass started")
            if let read {
                if let all = read { state.positions.adopt(all) }
            } else {
                state.positions.preload(db, partner: pid)
            }
            StepTrace.mark("placed accounts read")
            let events = PrefetchingEvents(reader, slots: state.positions.slots)
            defer { events.stop() }
            let checkExcluded = !excluded.isEmpty
            // A batch at a time, each event used where it lies in the batch (not copied out).
            while let batch = try events.nextBatch() {
                try batch.withUnsafeBufferPointer { items in
                    guard let first = items.baseAddress else { return }
                    for index in items.indices {
                        // Through a pointer: `items[index].event` made a copy of the whole item each time.
                        let item = first + index
                        let line = item.pointee.line
                        let key = item.pointee.key
                        let slot = item.pointee.slot
                        if line % 65_536 == 0 { reporter.progress(step: "applying \(remote.name)", done: Int64(line), total: nil) }
                        // One copy (the calls below take `state` inout, so the compiler would copy
                        // the event for each of them to be safe).
                        let event = item.pointee.event
                        if checkExcluded && excluded.contains(key) {
                            state.reject(event, line: line, reason: .duplicateEventID)
                            continue
                        }
                        let result = try reconcile(event, slot: slot, state: &state, db: db)
                        switch result.outcome {
                        case .rejected(let reason):
                            state.reject(event, line: line, reason: reason)
                        case .accepted(let exception):
                            state.result.accepted += 1
                            state.count(event.type, accepted: true)
                            kpi.accept(event)
                            if let exception, state.result.exceptions.count < 1000 { state.result.exceptions.append(exception.detail) }
                            try applyEffects(event, slot: slot, result: result, line: line, state: &state, stage: exports, db: db)
                        }
                    }
                }
            }
            StepTrace.mark("events read and reconciled")
            // What the pass gathered is written in key, id or date order (the B-trees fill from
            // left to right) and let go of as soon as it is written. The event keys are sorted
            // on the second core meanwhile, then looked up in the key blobs of the duplicate
            // window's earlier files, inside the transaction, before it commits: a duplicate
            // still undoes everything.
            let handed = KeyHandover()
            handed.keys = events.takeKeys()
            let sorting = BackgroundTask(name: "arlink-key-sort") { () -> [EventKey] in
                var keys: [EventKey] = []
                swap(&keys, &handed.keys)  // the only reference: sorted in place, not copied
                keys.sortInPlace()
                return keys
            }
            func checkIDs() throws -> [EventKey] {
                try checkEventIDs(try sorting.wait(), partner: pid, since: windowStart, excluded: excluded, reopen: reopen, remote: remote, db: db)
            }
            try state.positions.flush(db, partner: pid)
            do {
                try writePayments(&state, db: db)
            } catch let error as StoreError where error.code == .conflict {
                // A payment id twice in this file, or brought by an earlier one: the id check
                // says which (and the transaction is undone); anything else stands as it is.
                _ = try checkIDs()
                throw error
            }
            StepTrace.mark("payments written")
            try writePromises(&state, db: db)
            StepTrace.mark("promises written")
            try InboundLedger.recordEventKeys(db, partner: pid, fileSHA256: sha, receivedOn: receivedOn, sorted: try checkIDs())
            StepTrace.mark("event ids checked and recorded")
            state.result.exceptions += try recordLayoutRecords(fileName: remote.name, sha: sha, partner: pid, receivedAt: receivedAt, db: db)
            for rejection in state.rejections {
                try InboundLedger.insertRejection(db, partner: pid, fileSHA256: sha, line: rejection.line, eventID: rejection.eventID, reason: rejection.reason.rawValue)
            }
            try InboundLedger.recordCounts(db, partner: pid, fileSHA256: sha, counts: state.countsByType)
            try KPIFacts.recordFeedback(db, partner: pid, kpi)
            StepTrace.mark("KPI facts written")
            let receiptSequence = try InboundLedger.nextReceiptSequence(db, partner: pid)
            try InboundLedger.insert(db, InboundFileRecord(
                partner: pid, sha256: sha, fileName: remote.name, fileID: header.fileID, sequence: header.sequence, state: .applied,
                plaintextSHA256: plaintextSHA256, errorCode: nil, eventsAccepted: state.result.accepted,
                eventsRejected: state.result.rejected.values.reduce(0, +),
                receiptName: receiptName(partner: pid, receivedAt: receivedAt, sequence: receiptSequence),
                receiptFileID: UUID().uuidString.lowercased(), receiptSequence: receiptSequence, receivedAt: receivedAt, finished: false))
            var detail = reader.totals.counts.mapValues(String.init)
            detail["sequence"] = String(header.sequence)
            detail["events_accepted"] = String(state.result.accepted)
            detail["signer_sha256"] = signerSHA256
            // Checked against our log before the file was applied (``AuditLog/checkWitness(_:partner:)``).
            if let note = header.auditCheckpoint {
                let witnessed = try SignedCheckpoint(unverifiedNote: note, source: "the witnessed checkpoint")
                try context.audit.recordWitness(witnessed, partner: pid, fileSHA256: sha, in: db)
                detail["witness_tree_size"] = String(witnessed.treeSize)
            }
            for (reason, count) in state.result.rejected { detail["rejected_" + reason.rawValue] = String(count) }
            if let staged = try exports.stage() {
                try InboundLedger.insertStagedExport(db, staged)
                detail["erp_export_id"] = staged.exportID
                detail["erp_updates"] = String(staged.updateCount)
            }
            Failpoint.hit("inbound.staged")
            StepTrace.mark("ERP updates staged")
            try context.audit.append([AuditEvent(
                action: "file.applied", outcome: "ok", partner: pid, direction: "inbound", batchID: header.batchID, fileID: header.fileID,
                fileName: remote.name, plaintextSHA256: plaintextSHA256, sealedSHA256: sha, recordCount: reader.totals.recordCount,
                totals: Dictionary(uniqueKeysWithValues: reader.totals.totals.map { ($0.key.code, $0.value.decimalString) }), detail: detail
            )], in: db)
        }
        StepTrace.mark("file committed")
        // Committed: the staged files now belong to the export step.
        stage?.release()
        Failpoint.hit("inbound.applied")
        return state.result
    }

    /// Takes the file's sorted event keys; refuses the file when one id appears twice in it, and
    /// throws ``SeenBefore`` when ids not yet excluded were brought by earlier files.
    /// - Returns: the sorted keys of the events this file brought for the first time.
    func checkEventIDs(_ sorted: [EventKey], partner: String, since: LocalDate, excluded: Set<EventKey>,
                       reopen: () throws -> FeedbackReader, remote: RemoteFile, db: StoreTransaction) throws -> [EventKey] {
        var keys = sorted
        var kept = 0
        for index in keys.indices {
            let key = keys[index]
            if index > 0 && keys[index - 1] == key {
                let (first, second, id) = try duplicate(key, reopen: reopen)
                throw FeedbackError(.duplicateEventID, "\(remote.name) line \(second): event_id \"\(id)\" appears twice in this file (first on line \(first))",
                                    lineNumber: second)
            }
            if !excluded.contains(key) {
                keys[kept] = key
                kept += 1
            }
        }
        keys.removeLast(keys.count - kept)
        let known = try InboundLedger.knownEventKeys(db, partner: partner, since: since, sorted: keys)
        if !known.isEmpty { throw SeenBefore(keys: excluded.union(known)) }
        return keys
    }

    /// The first two lines whose event id has `key`, and the id (for the message).
    func duplicate(_ key: EventKey, reopen: () throws -> FeedbackReader) throws -> (Int, Int, String) {
        let reader = try reopen()
        var first: Int?
        while let event = try reader.next() {
            guard EventKey(event.eventID) == key else { continue }
            if let first { return (first, reader.lineNumber, event.eventID) }
            first = reader.lineNumber
        }
        return (first ?? 0, reader.lineNumber, "?")
    }

    /// Writes the pass's payments in event id order (through a sorted index, not a sorted copy) and lets go of them.
    func writePayments(_ state: inout PassState, db: StoreTransaction) throws {
        state.paymentIndex = [:]
        var payments: [PendingPayment] = []
        swap(&payments, &state.payments)
        var order = Array(0..<Int32(payments.count))
        order.sort { payments[Int($0)].eventID < payments[Int($1)].eventID }
        let reversed = state.reversedInFile
        try InboundLedger.insertPayments(db, partner: state.partner) { insert in
            for index in order {
                let p = payments[Int(index)]
                try insert(p.eventID, p.accountRef, p.allocations, reversed[p.eventID], p.excess)
            }
        }
        for (payment, reversal) in state.earlierReversed {
            try InboundLedger.markReversed(db, partner: state.partner, eventID: payment, by: reversal)
        }
    }

    /// Writes the pass's promises (the newest per account and invoice) in date order and lets go of them.
    func writePromises(_ state: inout PassState, db: StoreTransaction) throws {
        var promises = state.takePromises()
        promises.sort { $0.promisedDate != $1.promisedDate ? $0.promisedDate < $1.promisedDate : $0.eventID < $1.eventID }
        try InboundLedger.insertPromises(db, partner: state.partner, promises)
    }

    /// `{us}_{partner}_receipt_{yyyymmdd}_{seq:06}.jsonl.{p7m|pgp}` (the partner's envelope).
    func receiptName(partner: String, receivedAt: String, sequence: Int) -> String {
        let ext = config.partners.first { $0.id.rawValue == partner }?.envelope.fileExtension ?? "p7m"
        let date = String(receivedAt.prefix(10).filter { $0 != "-" })
        let seq = String(sequence)
        return "\(config.company.id.rawValue)_\(partner)_receipt_\(date)_\(String(repeating: "0", count: max(0, 6 - seq.count)) + seq).jsonl.\(ext)"
    }

    /// Reconciles one event against the ledger as it stands inside the pass.
    func reconcile(_ event: FeedbackEvent, slot: Int32, state: inout PassState, db: StoreTransaction) throws -> ReconciliationResult {
        let reconciler = state.reconciler
        switch event.type {
        case .acknowledgement:
            guard let id = event.acknowledgedBatchID, let batch = try PlacementLedger.batch(db, id: id), batch.partner == state.partner else {
                return reconciler.acknowledgement(event, batch: nil)
            }
            return reconciler.acknowledgement(event, batch: BatchFigures(batchID: id, totals: ControlTotals(
                counts: batch.recordCounts, totals: batch.totals)))
        case .paymentReversal:
            let position = try state.positions.position(event.accountRef, slot: slot, partner: state.partner, db: db)
            var original: InboundLedger.Payment?
            if let target = event.reversesEventID {
                state.buildPaymentIndex()
                original = try state.payment(target) ?? InboundLedger.payment(db, partner: state.partner, eventID: target)
            }
            let matching = original.flatMap { $0.accountRef == event.accountRef ? $0 : nil }
            let reversed = matching.map { $0.reversedBy != nil || state.earlierReversed[$0.eventID] != nil } ?? false
            return reconciler.reversal(event, original: matching?.allocations, alreadyReversed: reversed, position: position)
        case .payment:
            let position = try state.positions.position(event.accountRef, slot: slot, partner: state.partner, db: db)
            if position != nil, let date = event.occurredOn, let problem = try paymentDateProblem(date, accountRef: event.accountRef, state: &state, db: db) {
                return .rejected(problem)
            }
            return reconciler.reconcile(event, position: position)
        default:
            return reconciler.reconcile(event, position: try state.positions.position(event.accountRef, slot: slot, partner: state.partner, db: db))
        }
    }

    /// A payment dated after the file was created, or before its account's placement by more
    /// than the partner's margin. The account's placement date is looked up only when the
    /// partner's batch dates cannot settle it (a payment dated after the latest batch, less the
    /// margin, is possible for every account).
    func paymentDateProblem(_ date: LocalDate, accountRef: String, state: inout PassState, db: StoreTransaction) throws -> RejectionReason? {
        let reconciler = state.reconciler
        let margin = state.paymentDateMarginDays
        guard let created = state.fileCreatedOn else { return nil }
        if state.placementRange == nil { state.placementRange = .some(try InboundLedger.placementRange(db, partner: state.partner)) }
        guard let range = state.placementRange ?? nil, date.adding(days: margin) < range.upperBound else {
            return reconciler.paymentDateProblem(date, fileCreatedOn: created, placedOn: nil, marginDays: margin)
        }
        let placed = date.adding(days: margin) < range.lowerBound
            ? range.lowerBound : try InboundLedger.placedOn(db, partner: state.partner, accountRef: accountRef)
        return reconciler.paymentDateProblem(date, fileCreatedOn: created, placedOn: placed, marginDays: margin)
    }

    /// Records the ledger changes (in the pass state, written at the end) and the ERP updates of an accepted event.
    func applyEffects(_ event: FeedbackEvent, slot: Int32, result: ReconciliationResult, line: Int, state: inout PassState,
                      stage: ERPUpdateStage<PassUpdate>, db: StoreTransaction) throws {
        switch event.type {
        case .payment:
            state.positions.apply(result.allocations, to: event.accountRef, slot: slot)
            if state.paymentIndexBuilt { state.paymentIndex[EventKey(event.eventID)] = Int32(state.payments.count) }
            var pending = PendingPayment(eventID: event.eventID, accountRef: event.accountRef, allocations: InboundLedger.encode(result.allocations))
            if case .accepted(let exception?) = result.outcome, exception.code == "overpayment", let excess = exception.amount {
                pending.excess = excess
                if state.excess != nil { state.excess?[event.accountRef + "\t" + excess.currency.code, default: 0] += excess.minorUnits }
            }
            state.payments.append(pending)
        case .paymentReversal:
            state.positions.apply(result.allocations, to: event.accountRef, slot: slot)
            if let target = event.reversesEventID {
                if state.payment(target) != nil {
                    state.reversedInFile[target] = event.eventID
                } else {
                    state.earlierReversed[target] = event.eventID
                }
            }
        case .promise:
            if let amount = event.amount, let date = event.promisedDate {
                // What the partner paid on the account so far (net of reversals): its invoices' paid
                // amounts and the excess of its payments over the open balance.
                if state.excess == nil {
                    var known = try InboundLedger.paymentExcess(db, partner: state.partner)
                    for p in state.payments { if let e = p.excess { known[p.accountRef + "\t" + e.currency.code, default: 0] += e.minorUnits } }
                    state.excess = known
                }
                let excess = state.excess?[event.accountRef + "\t" + amount.currency.code] ?? 0
                let baseline = try state.positions.paid(event.accountRef, slot: slot, currency: amount.currency, partner: state.partner, db: db) + excess
                // The newest promise for an account (and invoice) supersedes the open one.
                state.setPromise(InboundLedger.NewPromise(eventID: event.eventID, accountRef: event.accountRef, invoiceNumber: event.invoiceNumber,
                                                          amount: amount, promisedDate: date, paidBaseline: baseline), slot: slot)
            }
        case .acknowledgement:
            if case .accepted(nil) = result.outcome, let id = event.acknowledgedBatchID,
               let batch = try PlacementLedger.batch(db, id: id), batch.state == .delivered {
                try PlacementLedger.advance(db, batchID: id, to: .acknowledged, at: Timestamp.iso8601(context.now()))
            }
        default:
            break
        }
        try result.forEachUpdate { index, draft in
            try stage.add(PassUpdate(shared: state.shared, event: event, line: line, number: index + 1, draft: draft))
        }
    }
}

/// Hands a file's event keys to the sorting thread without a second reference (which would
/// make sorting copy the 16 MB of a million keys first). Touched by one thread at a time.
private final class KeyHandover: @unchecked Sendable {
    var keys: [EventKey] = []
}
