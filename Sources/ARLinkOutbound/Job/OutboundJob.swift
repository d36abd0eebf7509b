public import ARLinkCore
public import ARLinkConfig
public import ARLinkJobs
import ARLinkFormats
import ARLinkEnvelope
import ARLinkStore
import ARLinkAudit
import ARLinkTransport
import Foundation

/// The outbound pipeline: extract → select → portfolio → seal → deliver, one batch per
/// partner and as-of date, each step recorded in the ledger and the audit log.
///
/// Safe to repeat at any time: a batch left built or sealed by a crashed run is finished with
/// the same file (same sequence number, same plaintext); a delivered batch is never rebuilt.
public final class OutboundJob {
    public struct Options: Sendable {
        /// Only this partner (all partners when nil).
        public var partner: String?
        public var asOf: LocalDate
        /// Count only; write nothing.
        public var dryRun: Bool
        /// Build a batch even when it recalls more than the partner's `max_recall_share` or
        /// `max_recalls` (recorded in the audit log).
        public var allowMassRecall: Bool
        /// Build a batch as of a day before a partner's latest batch (refused otherwise).
        public var allowBackdated: Bool

        public init(partner: String? = nil, asOf: LocalDate, dryRun: Bool = false, allowMassRecall: Bool = false, allowBackdated: Bool = false) {
            self.partner = partner
            self.asOf = asOf
            self.dryRun = dryRun
            self.allowMassRecall = allowMassRecall
            self.allowBackdated = allowBackdated
        }
    }

    let context: RunContext
    /// Set when the step that failed already recorded its failure in the audit log.
    var failureRecorded = false
    /// The partner whose part is running, for the record of a failure.
    var currentPartner: String?
    /// Open items per sorted run of the extract's temporary files (tests lower it so that
    /// small extracts go through the files too).
    var sortRunLength = 1 << 16
    /// Open-items files at least this large are read by two threads (tests lower it).
    var parallelReadThreshold: Int64 = 8 << 20
    var reporter: any RunReporter { context.reporter }
    var config: ArlinkConfiguration { context.config }

    public init(context: RunContext) {
        self.context = context
    }

    /// Runs the pipeline for the selected partners.
    /// - Throws: the first error that stops the run (extract errors 65/66, envelope 77,
    ///   transport 69/75, configuration 78, a backdated as-of date 64); earlier partners'
    ///   completed work stays committed.
    public func run(_ options: Options) throws -> OutboundReport {
        StepTrace.mark("outbound run started")
        do {
            return try runAll(options)
        } catch let error as any ARLinkFailure where !options.dryRun {
            // Every stopped run leaves a signed record of why (a failed delivery records itself).
            if !failureRecorded {
                context.recordFailure(error, action: "run.failed", partner: currentPartner, direction: "outbound", checkpoint: true)
            }
            throw error
        }
    }

    private func runAll(_ options: Options) throws -> OutboundReport {
        let partners = try options.partner.map { [try config.partner($0)] } ?? config.partners
        var report = OutboundReport(asOf: options.asOf)
        if !options.allowBackdated { try refuseBackdated(options.asOf, partners: partners) }
        // Our keys and the partners' certificates before any extract is read (77/78 stop the run).
        for warning in try context.checkKeysAndTrust(for: partners) { reporter.warning(warning) }
        if !options.dryRun {
            try context.store.write { db in
                try context.audit.append([AuditEvent(action: "config.loaded", outcome: "ok", direction: "outbound",
                                                     detail: ["config_sha256": context.configSHA256, "as_of": options.asOf.iso])], in: db)
            }
        }
        try checkTransferBases(partners, dryRun: options.dryRun)
        StepTrace.mark("keys and transfer bases checked")
        var extract: ExtractView?
        let minDays = partners.map(\.selection.minDaysPastDue).min() ?? 0
        for partner in partners {
            currentPartner = partner.id.rawValue
            let partnerReport = try runPartner(partner, options: options, minDays: minDays, extract: &extract, report: &report)
            report.partners.append(partnerReport)
        }
        currentPartner = nil
        if !options.dryRun {
            _ = try context.audit.checkpoint()
            StepTrace.mark("audit checkpoint signed")
        }
        return report
    }

    /// Refuses the run (exit 78, audited) before any extract is read when a partner may not
    /// receive personal data today: a cross-border partner without a transfer basis, or an
    /// agreement not valid today (``PartnerSettings/transferDecision(companyCountry:on:)``).
    func checkTransferBases(_ partners: [PartnerSettings], dryRun: Bool) throws {
        let today = LocalDate(utcDayOf: context.now())
        for partner in partners {
            guard case .refused(let code, let message) = partner.transferDecision(companyCountry: config.company.country, on: today) else { continue }
            let pid = partner.id.rawValue
            if !dryRun {
                try context.store.write { db in
                    try context.audit.append([AuditEvent(
                        action: "transfer.refused", outcome: "refused", partner: pid, direction: "outbound",
                        errorCode: ConfigError.Code.transferRefused.description,
                        detail: partner.transferAuditDetail(companyCountry: config.company.country).merging(["reason": code]) { a, _ in a })], in: db)
                }
                failureRecorded = true
            }
            throw ConfigError(.transferRefused, message)
        }
    }

    // MARK: - One partner

    func runPartner(_ partner: PartnerSettings, options: Options, minDays: Int, extract: inout ExtractView?,
                    report: inout OutboundReport) throws -> PartnerOutboundReport {
        let pid = partner.id.rawValue
        if !options.dryRun {
            try removeOrphanPlaintexts(in: try partnerWorkFolder(pid), partner: pid)
        }
        // 1. Finish what an earlier run left undone, oldest first, before building anything new.
        let pending = try context.store.read { db in try PlacementLedger.pendingBatches(db, partner: pid) }
        var resumedReport: PartnerOutboundReport?
        if !pending.isEmpty && !options.dryRun {
            for batch in pending {
                reporter.notice("resuming batch \(batch.batchID) (\(batch.state.rawValue)) for partner \(pid)", ["partner": pid, "batch_id": batch.batchID])
                let finished = try finish(batch, partner: partner)
                var r = PartnerOutboundReport(partner: pid, outcome: .resumed)
                fill(&r, from: finished)
                resumedReport = r
            }
        }
        // 2. One batch per partner and as-of date.
        if let existing = try context.store.read({ db in try PlacementLedger.batch(db, partner: pid, asOf: options.asOf.iso) }) {
            if let resumedReport, resumedReport.batchID == existing.batchID { return resumedReport }
            if existing.state < .delivered {
                // Only a dry run gets here: a real run resumed every pending batch above.
                var r = PartnerOutboundReport(partner: pid, outcome: .builtNotDelivered)
                fill(&r, from: existing)
                reporter.info("batch for \(pid) as of \(options.asOf.iso) is \(existing.state.rawValue) as \(existing.fileName) but not yet delivered: the next run delivers it", ["partner": pid])
                return r
            }
            var r = PartnerOutboundReport(partner: pid, outcome: .alreadyDelivered)
            fill(&r, from: existing)
            reporter.info("batch for \(pid) as of \(options.asOf.iso) was already delivered as \(existing.fileName); nothing new is sent", ["partner": pid])
            return r
        }
        if options.dryRun {
            for batch in pending {
                reporter.notice("batch \(batch.batchID) as of \(batch.asOf) is \(batch.state.rawValue) but not yet delivered: the next run delivers it before building a new one",
                                ["partner": pid, "batch_id": batch.batchID])
            }
        }
        // 3. Read the extract once for all partners.
        if extract == nil {
            let started = Date()
            let read: ExtractView
            do {
                read = try readExtract(asOf: options.asOf, minDaysPastDue: minDays, dryRun: options.dryRun)
            } catch let error as FormatError where error.code == .noUsableRows && !options.dryRun {
                try context.store.write { db in
                    try context.audit.append([AuditEvent(action: "extract.refused", outcome: "refused", direction: "outbound",
                                                         errorCode: error.code.description, detail: ["as_of": options.asOf.iso])], in: db)
                }
                failureRecorded = true
                throw error
            }
            StepTrace.mark("extract read and sorted")
            reporter.info("read \(read.extract.counts.openItemRows) open items, kept \(read.items.count), in \(Self.seconds(since: started)) s\(ProcessMemory.peakNote)")
            report.openItemsRead = read.extract.counts.openItemRows
            // Without a customer master the customers come from the open items.
            report.customersRead = config.erp.customersPath == nil ? read.extract.customers.count : read.extract.counts.customerRows
            report.badRows = read.extract.problems.map(\.description)
            report.summaryRowsSkipped = read.extract.counts.summaryRowsSkipped
            report.otherDocumentRowsSkipped = read.extract.counts.otherDocumentRowsSkipped
            if !options.dryRun {
                try context.store.write { db in try KPIFacts.recordExtract(db, read.kpiFacts) }
            }
            extract = read
        }
        guard let view = extract else { throw JobError(.missingInput, "the ERP extract could not be read") }

        // 4. Plan against the ledger.
        let (placed, elsewhere, erased) = try context.store.read { db in
            (try PlacementLedger.activePlacements(db, partner: pid), try PlacementLedger.activeElsewhere(db, partner: pid),
             try PrivacyLedger.erasedAccounts(db))
        }
        let planStarted = Date()
        let planner = PlacementPlanner(policy: partner.selection, minimisation: partner.minimisation, asOf: options.asOf)
        var groups = try view.items.groups()
        let plan = try planner.plan(next: { try groups.next() }, customers: view.extract.customers,
                                    lastPayments: view.extract.lastPaymentDates, placed: placed, placedElsewhere: elsewhere,
                                    otherOpenItems: view.otherOpenItems,
                                    paidEvidence: try paidEvidence(view, placed: placed, partner: pid), erased: erased)
        StepTrace.mark("planned")
        reporter.info("planned \(plan.accounts.count) records for \(pid) in \(Self.seconds(since: planStarted)) s\(ProcessMemory.peakNote)")
        var r = PartnerOutboundReport(partner: pid, outcome: .dryRun)
        r.placed = plan.count(.place)
        r.updated = plan.count(.update)
        r.recalled = plan.count(.recall)
        r.invoices = plan.invoicesPlaced
        r.invoiceExclusions = plan.invoiceExclusions.merging(view.earlyExclusions, uniquingKeysWith: +)
        r.accountExclusions = plan.accountExclusions
        let unmatched = partner.selection.unmatchedGroupRules(view.extract.customers.values)
        for group in unmatched.excluded {
            r.warnings.append("exclude_groups entry \"\(group)\" matches no customer group in the extract (check its spelling)")
        }
        for group in unmatched.segments {
            r.warnings.append("segments entry \"\(group)\" matches no customer group in the extract (check its spelling)")
        }
        for warning in r.warnings { reporter.warning("partner \(pid): \(warning)", ["partner": pid]) }
        try checkRecallLimits(plan, placedCount: placed.count, partner: partner, options: options, report: &r)
        try checkLayoutCurrencies(plan, partner: partner, dryRun: options.dryRun, report: &r)
        if options.dryRun {
            r.totals = try Self.openTotals(plan)
            return r
        }
        if plan.isEmpty {
            r.outcome = .nothingToSend
            try context.store.write { db in
                try context.audit.append([AuditEvent(action: "batch.skipped", outcome: "nothing_to_send", partner: pid, direction: "outbound",
                                                     detail: ["as_of": options.asOf.iso])], in: db)
            }
            return r
        }

        // 5. Build: write the plaintext portfolio privately, then record the batch and the ledger changes.
        let batch = try build(plan: plan, items: view.items, partner: partner, asOf: options.asOf, workFolder: try partnerWorkFolder(pid))
        // 6. Seal and deliver.
        let finished = try finish(batch, partner: partner)
        fill(&r, from: finished)
        r.outcome = .delivered
        return r
    }

    /// Placed accounts the extract shows as paid: every invoice last placed is in the extract
    /// settled or with nothing open, or the payments file's payments of the customer cover
    /// every balance last placed. Only accounts with such a settled invoice or a payment are
    /// looked up in the ledger.
    func paidEvidence(_ view: ExtractView, placed: [String: PlacedAccount], partner pid: String) throws -> Set<String> {
        let totals = view.extract.paymentTotals
        guard !view.paidCustomers.isEmpty || !totals.isEmpty else { return [] }
        let payers = Set(totals.keys.lazy.map(\.customerID.hashValue))
        let candidates = placed.keys.filter {
            let key = $0.hashValue
            return (view.paidCustomers.contains(key) || payers.contains(key)) && !view.otherOpenItems.contains($0)
        }
        guard !candidates.isEmpty else { return [] }
        let positions = try context.store.read { db in try PlacementLedger.placedPositions(db, partner: pid, refs: candidates) }
        var evidence: Set<String> = []
        for (ref, position) in positions {
            let allSettled = !position.invoices.isEmpty && position.invoices.allSatisfy {
                view.settledInvoices.contains(ExtractView.invoiceKey(customer: ref, invoice: $0))
            }
            let covered = !position.balances.isEmpty && position.balances.allSatisfy {
                $0.minorUnits <= 0 || (totals[PaymentKey(customerID: ref, currency: $0.currency)] ?? 0) >= $0.minorUnits
            }
            if allSettled || covered { evidence.insert(ref) }
        }
        return evidence
    }

    /// Refuses a plan that recalls more than the partner's `max_recall_share` of its placed
    /// accounts or more than `max_recalls` (exit 65, audited), unless the run allows it (audited
    /// too). A dry run only warns.
    func checkRecallLimits(_ plan: PlacementPlan, placedCount: Int, partner: PartnerSettings, options: Options,
                           report r: inout PartnerOutboundReport) throws {
        let recalls = plan.count(.recall)
        guard recalls > 0 else { return }
        let overShare = Double(recalls) > partner.maxRecallShare * Double(placedCount)
        let overCount = partner.maxRecalls.map { recalls > $0 } ?? false
        guard overShare || overCount else { return }
        let pid = partner.id.rawValue
        var reasons: [String: Int] = [:]
        for account in plan.accounts where account.action == .recall {
            reasons[account.recallReason?.rawValue ?? "none", default: 0] += 1
        }
        let top = reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)
        let topText = top.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var limits: [String] = []
        if overShare {
            limits.append("max_recall_share \(partner.maxRecallShare) (at most \(Int((partner.maxRecallShare * Double(placedCount)).rounded(.down))) of \(placedCount) placed accounts)")
        }
        if overCount, let max = partner.maxRecalls { limits.append("max_recalls \(max)") }
        let summary = "would recall \(recalls) of \(placedCount) placed accounts, more than \(limits.joined(separator: " and ")) allows; top reasons: \(topText)"
        var detail = ["as_of": options.asOf.iso, "recalls": String(recalls), "placed": String(placedCount),
                      "max_recall_share": String(partner.maxRecallShare)]
        if let max = partner.maxRecalls { detail["max_recalls"] = String(max) }
        for (reason, count) in reasons { detail["recall_" + reason] = String(count) }
        if options.dryRun {
            r.warnings.append("this run \(summary); a real run is refused without --allow-mass-recall")
            return
        }
        if options.allowMassRecall {
            try context.store.write { db in
                try context.audit.append([AuditEvent(action: "recall.mass_allowed", outcome: "allowed", partner: pid, direction: "outbound",
                                                     detail: detail)], in: db)
            }
            r.warnings.append("this run \(summary); allowed by --allow-mass-recall")
            reporter.warning("partner \(pid): this run \(summary); allowed by --allow-mass-recall", ["partner": pid])
            return
        }
        try context.store.write { db in
            try context.audit.append([AuditEvent(action: "recall.mass_refused", outcome: "refused", partner: pid, direction: "outbound",
                                                 errorCode: JobError.Code.massRecall.description, detail: detail)], in: db)
        }
        failureRecorded = true
        throw JobError(.massRecall, "partner \(pid): this run \(summary). Nothing was built or sent. Check the ERP extract (an incomplete export looks like this); if the recalls are right, run again with --allow-mass-recall")
    }

    /// Refuses an as-of date before a partner's latest batch: the selection would judge today's
    /// accounts by an earlier day (invoices not yet overdue then), and the batch would recall
    /// accounts that are eligible today.
    /// - Throws: ``JobError`` `.backdated` (exit 64).
    func refuseBackdated(_ asOf: LocalDate, partners: [PartnerSettings]) throws {
        for partner in partners {
            let pid = partner.id.rawValue
            guard let latest = try context.store.read({ db in try PlacementLedger.latestBatchByDate(db, partner: pid) }),
                  latest.asOf > asOf.iso else { continue }
            throw JobError(.backdated, """
                --as-of \(asOf.iso) is earlier than partner \(pid)'s latest batch (\(latest.batchID), as of \(latest.asOf), \(latest.state.rawValue)): \
                a batch as of an earlier day judges today's accounts by that day and recalls accounts that are eligible today; \
                run without --as-of, or add --allow-backdated if that is what you want
                """)
        }
    }

    /// The open amounts a batch of `plan` would carry, per currency: what the portfolio's
    /// trailer totals (every invoice and netted credit note of the accounts placed or updated).
    static func openTotals(_ plan: PlacementPlan) throws -> [Currency: Money] {
        var totals: [Currency: Money] = [:]
        // An account's balances are the sums of its invoices' open amounts per currency.
        for account in plan.accounts where account.action != .recall {
            for amount in account.balances {
                totals[amount.currency] = try (totals[amount.currency] ?? .zero(amount.currency)).adding(amount)
            }
        }
        return totals
    }

    static func seconds(since start: Date) -> String {
        String(format: "%.2f", Date().timeIntervalSince(start))
    }

    func fill(_ r: inout PartnerOutboundReport, from batch: OutboundBatch) {
        r.batchID = batch.batchID
        r.fileName = batch.fileName
        r.sequence = batch.sequence
        r.plaintextSHA256 = batch.plaintextSHA256
        r.sealedSHA256 = batch.sealedSHA256
        r.sealedBytes = batch.sealedBytes
        fillLayoutFiles(&r, from: batch)
        let counts = batch.recordCounts
        r.placed = counts["place"] ?? 0
        r.updated = counts["update"] ?? 0
        r.recalled = counts["recall"] ?? 0
        r.invoices = batch.invoiceCount
        r.totals = batch.totals
    }

    func partnerWorkFolder(_ partner: String) throws -> String {
        let path = config.state.workDirectory + "/outbound/" + partner
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }

    /// Deletes plaintext portfolios that no batch still waiting to be sealed refers to (a crash
    /// between writing a plaintext and recording its batch, or between recording the seal and
    /// deleting the plaintext, leaves one behind).
    func removeOrphanPlaintexts(in folder: String, partner: String) throws {
        let keep = Set(try context.store.read { db in try PlacementLedger.pendingBatches(db, partner: partner) }
            .filter { $0.state == .built }.map(\.plaintextPath))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where !name.hasSuffix(".p7m") && !name.hasSuffix(".pgp") {
            let path = folder + "/" + name
            if !keep.contains(path) { try? FileManager.default.removeItem(atPath: path) }
        }
    }
}
