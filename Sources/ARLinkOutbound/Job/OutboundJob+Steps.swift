import ARLinkCore
import ARLinkConfig
import ARLinkJobs
import ARLinkLayouts
import ARLinkFormats
import ARLinkEnvelope
import ARLinkStore
import ARLinkAudit
import ARLinkSystem
import ARLinkTransport
import Foundation

extension OutboundJob {
    /// Reads the ERP extract named in the configuration, keeping only items that can matter:
    /// open items overdue at least `minDaysPastDue` (any partner's minimum), open credit
    /// notes, and disputed items (for recall reasons). Customers with other open items are
    /// remembered so that their recalls say "no longer eligible", not "paid".
    func readExtract(asOf: LocalDate, minDaysPastDue: Int, dryRun: Bool) throws -> ExtractView {
        let erp = config.erp
        reporter.info("reading ERP extract \(erp.openItemsPath)")
        var otherOpen: Set<String> = []
        var paidCustomers: Set<Int> = []
        var settledInvoices: Set<Int> = []
        var early: [ExclusionReason: Int] = [:]
        var seen: Int64 = 0
        let step = "reading " + URL(fileURLWithPath: erp.openItemsPath).lastPathComponent
        let estimate = LineEstimate(path: erp.openItemsPath)
        var facts = ExtractFacts(asOf: asOf)
        // The items kept are sorted by customer through temporary files in the work folder
        // (in the system's temporary folder for a dry run, which creates nothing of its own).
        let temporary = try temporaryFolder(dryRun: dryRun)
        var reader = ExtractReader(options: try erp.extractOptions())
        reader.temporaryFolder = temporary
        reader.parallelThreshold = parallelReadThreshold
        reader.trace = { StepTrace.mark($0) }
        let spill = OpenItemSpill(folder: temporary, runLength: sortRunLength)
        let (extract, items) = try reader.read(erp.extractFiles, into: spill) { item in
            seen += 1
            if seen & 0xFFFF == 0 { reporter.progress(step: step, done: estimate.bytes(throughLine: item.sourceLine), total: estimate.size) }
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
        if let size = estimate.size { reporter.progress(step: step, done: size, total: size) }
        return ExtractView(extract: extract, items: items, otherOpenItems: otherOpen, paidCustomers: paidCustomers, settledInvoices: settledInvoices,
                           earlyExclusions: early, kpiFacts: facts)
    }

    /// Writes the plaintext portfolio and records the batch with its ledger changes.
    func build(plan: PlacementPlan, items: SortedOpenItems, partner: PartnerSettings, asOf: LocalDate, workFolder: String) throws -> OutboundBatch {
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
        let background = PortfolioWrite(writer: writer, plan: plan, items: items)
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
            // The ledger asks for the accounts in order: one more pass over the sorted items.
            var cursor = CustomerItemsCursor(items)
            var placedInvoices = PlacedInvoiceCounts()
            try PlacementLedger.recordBuilt(db, batch: batch, changes: plan.changes) { ref in
                guard let account = planned[ref], account.action != .recall else { return nil }
                let invoices = plan.invoices(for: account, items: try cursor.items(of: ref))
                if account.action == .place { placedInvoices.add(invoices) }
                return invoices
            }
            try KPIFacts.recordPlacedInvoices(db, batchID: batch.batchID, placedInvoices.byCurrency)
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
            StepTrace.mark("sealed")
            Failpoint.hit("outbound.sealed_file_written")
            var sealedDetail = ["sealed_bytes": String(result.sealedBytes)]
            if let layout = partner.layouts.portfolio {
                sealedDetail.merge(try sealLayoutFiles(batch, partner: partner, layout: layout)) { a, _ in a }
            }
            let time = Timestamp.iso8601(context.now())
            try context.store.write { db in
                try PlacementLedger.advance(db, batchID: batch.batchID, to: .sealed, sealedPath: sealedPath,
                                            sealedSHA256: result.sealedSHA256, sealedBytes: result.sealedBytes, at: time)
                try context.audit.append([AuditEvent(
                    action: "batch.sealed", outcome: "ok", partner: pid, direction: "outbound", batchID: batch.batchID,
                    fileID: batch.fileID, fileName: batch.fileName, plaintextSHA256: batch.plaintextSHA256,
                    sealedSHA256: result.sealedSHA256, detail: sealedDetail
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
                    ? transport.deliver(localFile: sealedPath, as: batch.fileName, progress: reporter.byteProgress("uploading " + batch.fileName, total: RunContext.fileSize(sealedPath)))
                    : deliverLayoutFiles(batch, partner: partner, transport: transport)
            } catch let error as any ARLinkFailure {
                // Recorded (and signed) here, with the batch it concerns; the run stops.
                context.recordFailure(error, action: "batch.delivery_failed", partner: pid, direction: "outbound", batchID: batch.batchID,
                                      fileID: batch.fileID, fileName: batch.fileName, checkpoint: true)
                failureRecorded = true
                throw error
            }
            StepTrace.mark("delivered")
            Failpoint.hit("outbound.delivered_file")
            let time = Timestamp.iso8601(context.now())
            // A layout partner received the layout's data file and manifest, not arlink's own file.
            let layoutFiles = partner.layouts.portfolio.map { layout in
                Self.layoutAuditDetail(layout: layout.name, names: Self.layoutNames(batchFileName: batch.fileName,
                                                                                      envelopeExtension: partner.envelope.fileExtension))
            }
            try context.store.write { db in
                try PlacementLedger.advance(db, batchID: batch.batchID, to: .delivered, at: time)
                try context.audit.append([AuditEvent(
                    action: "batch.delivered", outcome: outcome == .delivered ? "ok" : "already_present", partner: pid,
                    direction: "outbound", batchID: batch.batchID, fileID: batch.fileID, fileName: batch.fileName,
                    sealedSHA256: batch.sealedSHA256, recordCount: batch.recordCounts.values.reduce(0, +),
                    detail: partner.transferAuditDetail(companyCountry: config.company.country)
                        .merging(["transport": Self.transportKind(partner.transport)]) { a, _ in a }
                        .merging(layoutFiles ?? [:]) { a, _ in a }
                )], in: db)
            }
            Failpoint.hit("outbound.delivered")
            batch.state = .delivered
            batch.deliveredAt = time
            let delivered = layoutFiles.map { "\($0["layout_data_file"] ?? "") and \($0["layout_manifest_file"] ?? "")" } ?? batch.fileName
            reporter.info("delivered \(delivered) to \(pid)", ["partner": pid, "file": batch.fileName])
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
    /// Customers, payments, problems and counts (its ``Extract/openItems`` is empty).
    var extract: Extract
    /// The open items kept, sorted by customer (in temporary files when there are many).
    var items: SortedOpenItems
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
    private let items: SortedOpenItems
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Written, any Error>?
    private var collected: Result<Written, any Error>?
    private(set) var seconds = 0.0

    init(writer: PortfolioWriter, plan: PlacementPlan, items: SortedOpenItems) {
        self.writer = writer
        self.plan = plan
        self.items = items
    }

    func start() {
        let thread = Thread { [self] in
            let started = Date()
            // Records are built one at a time from the customer's items, read again in
            // account order (places, then updates: two passes when there are both), and
            // dropped once written.
            result = Result {
                var cursor = CustomerItemsCursor(items)
                for account in plan.accounts {
                    let customerItems = account.action == .recall ? [] : try cursor.items(of: account.accountRef)
                    try writer.write(try plan.record(for: account, items: customerItems))
                }
                let written = try writer.finish()
                StepTrace.mark("portfolio written (its own thread)")
                return written
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

extension OutboundJob {
    /// Where the open items are sorted: `work_dir/sort` (private), after removing what a
    /// crashed run left there; the system's temporary folder for a dry run.
    func temporaryFolder(dryRun: Bool) throws -> String {
        if dryRun { return NSTemporaryDirectory() }
        let path = config.state.workDirectory + "/sort"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where name.hasPrefix("items-") {
            try? FileManager.default.removeItem(atPath: path + "/" + name)
        }
        return path
    }
}
