import ARLinkCore
import ARLinkConfig
import ARLinkJobs
import ARLinkFormats
import ARLinkEnvelope
import ARLinkStore
import ARLinkAudit
import ARLinkTransport
import Foundation

extension OutboundJob {
    /// Reads the ERP extract named in the configuration, keeping only items that can matter:
    /// open items overdue at least `minDaysPastDue` (any partner's minimum), open credit
    /// notes, and disputed items (for recall reasons). Customers with other open items are
    /// remembered so that their recalls say "no longer eligible", not "paid".
    func readExtract(asOf: LocalDate, minDaysPastDue: Int) throws -> ExtractView {
        let erp = config.erp
        reporter.info("reading ERP extract \(erp.openItemsPath)")
        var otherOpen: Set<String> = []
        var paidCustomers: Set<Int> = []
        var settledInvoices: Set<Int> = []
        var early: [ExclusionReason: Int] = [:]
        var seen: Int64 = 0
        let step = "reading " + URL(fileURLWithPath: erp.openItemsPath).lastPathComponent
        var facts = ExtractFacts(asOf: asOf)
        let extract = try ExtractReader(options: try erp.extractOptions()).read(erp.extractFiles) { item in
            seen += 1
            if seen & 0xFFFF == 0 { reporter.progress(step: step, done: seen, total: nil) }
            facts.add(item)
            // A settled invoice, or one with nothing open, is the extract's evidence of payment.
            if item.settled || item.openAmount.minorUnits == 0 {
                early[item.settled ? .settled : .noOpenBalance, default: 0] += 1
                paidCustomers.insert(item.customerID.hashValue)
                settledInvoices.insert(ExtractView.invoiceKey(customer: item.customerID, invoice: item.invoiceNumber))
                return false
            }
            if item.openAmount.minorUnits < 0 || item.disputed { return true }
            if item.daysPastDue(asOf: asOf) < minDaysPastDue {
                otherOpen.insert(item.customerID)
                early[.notOverdueEnough, default: 0] += 1
                return false
            }
            return true
        }
        if seen > 0xFFFF { reporter.progress(step: step, done: seen, total: seen) }
        return ExtractView(extract: extract, otherOpenItems: otherOpen, paidCustomers: paidCustomers, settledInvoices: settledInvoices,
                           earlyExclusions: early, kpiFacts: facts)
    }

    /// Writes the plaintext portfolio and records the batch with its ledger changes.
    func build(plan: PlacementPlan, partner: PartnerSettings, asOf: LocalDate, workFolder: String) throws -> OutboundBatch {
        let pid = partner.id.rawValue
        let (sequence, previous) = try context.store.read { db in
            let last = try PlacementLedger.lastBatch(db, partner: pid)
            return ((last?.sequence ?? 0) + 1, last?.plaintextSHA256)
        }
        let sender = config.company.id.rawValue
        let format = partner.portfolioFormat
        let plainName = ExchangeFileName.plain(sender: sender, recipient: pid, kind: "portfolio", date: asOf, sequence: sequence, format: format)
        let sealedName = ExchangeFileName.sealed(sender: sender, recipient: pid, kind: "portfolio", date: asOf, sequence: sequence, format: format,
                                                 envelope: partner.envelope.fileExtension)
        let recipientKeySHA256 = try context.partnerKeySHA256(for: partner)
        let createdAt = Timestamp.iso8601(context.now())
        let header = FileHeader(
            schema: "portfolio.v1", fileID: UUID().uuidString.lowercased(), kind: "portfolio", direction: "outbound",
            batchID: "\(pid)-\(asOf.compact)-\(sequence)", sequence: sequence, sender: sender, recipient: pid,
            recipientKeySHA256: recipientKeySHA256, createdAt: createdAt, previousFileSHA256: previous,
            // A checkpoint over everything recorded so far: the partner keeps it and echoes it
            // back in its feedback header, as a witness of our log.
            asOf: asOf, auditCheckpoint: try context.audit.checkpoint().noteText
        )
        let plainPath = workFolder + "/" + plainName
        let writer = try PortfolioWriter(path: plainPath, format: format == "csv" ? .csv : .jsonl, header: header, digest: try StreamingSHA256())
        // The portfolio is written on a second thread while this one records the ledger
        // changes: neither needs the other until the batch row gets the file's digest and
        // totals, at the end of the same transaction.
        let background = PortfolioWrite(writer: writer, plan: plan)
        background.start()
        defer { _ = background.wait() }
        let ledgerStarted = Date()
        let planned = Dictionary(plan.accounts.map { ($0.accountRef, $0) }, uniquingKeysWith: { first, _ in first })
        var batch = OutboundBatch(
            batchID: header.batchID, partner: pid, asOf: asOf.iso, sequence: sequence, fileID: header.fileID,
            fileName: sealedName, state: .built, createdAt: createdAt, plaintextPath: plainPath,
            plaintextSHA256: "", plaintextBytes: 0, recordCountsJSON: "{}", totalsJSON: "{}", invoiceCount: plan.invoicesPlaced
        )
        try context.store.write { db in
            StepTrace.mark("ledger transaction started")
            try PlacementLedger.recordBuilt(db, batch: batch, changes: plan.changes) { ref in
                planned[ref].flatMap { $0.action == .recall ? nil : plan.invoices(for: $0) }
            }
            try KPIFacts.recordPlacedInvoices(db, batchID: batch.batchID, plan.placedInvoiceCounts)
            StepTrace.mark("ledger rows written; waiting for the portfolio")
            let written = try background.wait().get()
            reporter.info("wrote \(written.bytes) bytes of portfolio in \(String(format: "%.2f", background.seconds)) s\(ProcessMemory.peakNote)")
            Failpoint.hit("outbound.plaintext_written")
            batch.plaintextSHA256 = written.plaintextSHA256
            batch.plaintextBytes = written.bytes
            batch.recordCountsJSON = OutboundBatch.countsJSON(written.totals.counts)
            batch.totalsJSON = OutboundBatch.totalsJSON(written.totals.totals)
            try PlacementLedger.completeBuilt(db, batch: batch)
            try context.audit.append([AuditEvent(
                action: "batch.built", outcome: "ok", partner: pid, direction: "outbound", batchID: batch.batchID,
                fileID: batch.fileID, fileName: batch.fileName, plaintextSHA256: batch.plaintextSHA256,
                recordCount: written.totals.recordCount, totals: Dictionary(uniqueKeysWithValues: written.totals.totals.map { ($0.key.code, $0.value.decimalString) }),
                detail: written.totals.counts.mapValues(String.init).merging(["as_of": asOf.iso, "sequence": String(sequence),
                    "invoices": String(plan.invoicesPlaced), "debtor_fields": partner.minimisation.fieldList]) { a, _ in a }
            )], in: db)
        }
        StepTrace.mark("ledger committed")
        reporter.info("recorded the batch and \(plan.accounts.count) ledger changes in \(Self.seconds(since: ledgerStarted)) s (the portfolio written meanwhile)\(ProcessMemory.peakNote)")
        Failpoint.hit("outbound.built")
        reporter.info("built batch \(batch.batchID): \(plan.count(.place)) place, \(plan.count(.update)) update, \(plan.count(.recall)) recall",
                      ["partner": pid, "batch_id": batch.batchID])
        return batch
    }

    /// Seals (if needed) and delivers (if needed) a batch; returns it as delivered.
    func finish(_ start: OutboundBatch, partner: PartnerSettings) throws -> OutboundBatch {
        var batch = start
        let pid = partner.id.rawValue
        if batch.state == .built {
            guard FileManager.default.fileExists(atPath: batch.plaintextPath) else {
                throw JobError(.stateMismatch, "batch \(batch.batchID) is recorded as built but its plaintext \(batch.plaintextPath) is gone; it cannot be sealed again with the same content. Restore the file or ask support to cancel the batch")
            }
            let sealedPath = batch.plaintextPath + "." + partner.envelope.fileExtension
            let result = try context.seal(for: partner, input: batch.plaintextPath, output: sealedPath)
            guard result.plaintextSHA256 == batch.plaintextSHA256 else {
                try? FileManager.default.removeItem(atPath: sealedPath)
                throw JobError(.stateMismatch, "the plaintext of batch \(batch.batchID) changed since it was built (sha256 \(result.plaintextSHA256.prefix(12))… instead of \(batch.plaintextSHA256.prefix(12))…); refusing to seal it")
            }
            Failpoint.hit("outbound.sealed_file_written")
            if let layout = partner.layouts.portfolio { try sealLayoutFiles(batch, partner: partner, layout: layout) }
            let time = Timestamp.iso8601(context.now())
            try context.store.write { db in
                try PlacementLedger.advance(db, batchID: batch.batchID, to: .sealed, sealedPath: sealedPath,
                                            sealedSHA256: result.sealedSHA256, sealedBytes: result.sealedBytes, at: time)
                try context.audit.append([AuditEvent(
                    action: "batch.sealed", outcome: "ok", partner: pid, direction: "outbound", batchID: batch.batchID,
                    fileID: batch.fileID, fileName: batch.fileName, plaintextSHA256: batch.plaintextSHA256,
                    sealedSHA256: result.sealedSHA256, detail: ["sealed_bytes": String(result.sealedBytes)]
                )], in: db)
            }
            Failpoint.hit("outbound.sealed")
            // Plaintext exists only until it is sealed.
            try? FileManager.default.removeItem(atPath: batch.plaintextPath)
            batch.state = .sealed
            batch.sealedPath = sealedPath
            batch.sealedSHA256 = result.sealedSHA256
            batch.sealedBytes = result.sealedBytes
        }
        if batch.state == .sealed {
            // A crash between recording "sealed" and removing the plaintext leaves it behind.
            try? FileManager.default.removeItem(atPath: batch.plaintextPath)
            guard let sealedPath = batch.sealedPath, FileManager.default.fileExists(atPath: sealedPath) else {
                throw JobError(.stateMismatch, "batch \(batch.batchID) is recorded as sealed but its sealed file is missing from the work folder")
            }
            let outcome: DeliveryOutcome
            do {
                let transport = try context.transport(for: partner)
                outcome = try partner.layouts.portfolio == nil
                    ? transport.deliver(localFile: sealedPath, as: batch.fileName)
                    : deliverLayoutFiles(batch, partner: partner, transport: transport)
            } catch let error as any ARLinkFailure {
                // Recorded (and signed) here, with the batch it concerns; the run stops.
                context.recordFailure(error, action: "batch.delivery_failed", partner: pid, direction: "outbound", batchID: batch.batchID,
                                      fileID: batch.fileID, fileName: batch.fileName, checkpoint: true)
                failureRecorded = true
                throw error
            }
            Failpoint.hit("outbound.delivered_file")
            let time = Timestamp.iso8601(context.now())
            try context.store.write { db in
                try PlacementLedger.advance(db, batchID: batch.batchID, to: .delivered, at: time)
                try context.audit.append([AuditEvent(
                    action: "batch.delivered", outcome: outcome == .delivered ? "ok" : "already_present", partner: pid,
                    direction: "outbound", batchID: batch.batchID, fileID: batch.fileID, fileName: batch.fileName,
                    sealedSHA256: batch.sealedSHA256, recordCount: batch.recordCounts.values.reduce(0, +),
                    detail: partner.transferAuditDetail(companyCountry: config.company.country)
                        .merging(["transport": Self.transportKind(partner.transport)]) { a, _ in a }
                )], in: db)
            }
            Failpoint.hit("outbound.delivered")
            batch.state = .delivered
            batch.deliveredAt = time
            reporter.info("delivered \(batch.fileName) to \(pid)", ["partner": pid, "file": batch.fileName])
        }
        return batch
    }

    static func transportKind(_ t: TransportConfig) -> String {
        switch t {
        case .folder: "folder"
        case .sftp: "sftp"
        case .https: "https"
        }
    }
}

/// An extract as read for selection: the kept items plus what the early filter dropped.
struct ExtractView {
    var extract: Extract
    /// Customers with open items that were dropped early (not yet overdue enough for any partner).
    var otherOpenItems: Set<String>
    /// Customers with an invoice in the extract that is settled or has nothing open, as the
    /// `hashValue` of their id (a number per customer, not a string).
    var paidCustomers: Set<Int>
    /// Those invoices, as ``invoiceKey(customer:invoice:)`` (a number per invoice, not a string).
    var settledInvoices: Set<Int>
    /// Invoices dropped early, by reason; every partner's report includes them.
    var earlyExclusions: [ExclusionReason: Int]
    /// The extract's receivables, aging and credit sales for the KPI report (issue 19).
    var kpiFacts: ExtractFacts

    /// A customer's invoice as a hash (within one run).
    static func invoiceKey(customer: String, invoice: String) -> Int {
        var hasher = Hasher()
        hasher.combine(customer)
        hasher.combine(invoice)
        return hasher.finalize()
    }
}

/// Writes a plan's portfolio on its own thread; ``wait()`` returns what the writer returned.
final class PortfolioWrite: @unchecked Sendable {
    typealias Written = (totals: ControlTotals, plaintextSHA256: String, bytes: Int64)

    private let writer: PortfolioWriter
    private let plan: PlacementPlan
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Written, any Error>?
    private var collected: Result<Written, any Error>?
    private(set) var seconds = 0.0

    init(writer: PortfolioWriter, plan: PlacementPlan) {
        self.writer = writer
        self.plan = plan
    }

    func start() {
        let thread = Thread { [self] in
            let started = Date()
            // Records are built one at a time from the plan's small entries and dropped once written.
            result = Result {
                for account in plan.accounts { try writer.write(try plan.record(for: account)) }
                return try writer.finish()
            }
            seconds = Date().timeIntervalSince(started)
            done.signal()
        }
        thread.name = "arlink-portfolio-writer"
        thread.start()
    }

    /// Waits for the thread (once; later calls return the same result).
    func wait() -> Result<Written, any Error> {
        if let collected { return collected }
        done.wait()
        let out = result ?? .failure(OutboundJobError.writerVanished)
        collected = out
        return out
    }
}

/// The portfolio thread ended without a result (it cannot; named for the impossible case).
enum OutboundJobError: Error {
    case writerVanished
}
