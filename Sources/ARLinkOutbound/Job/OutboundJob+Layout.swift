import ARLinkCore
import ARLinkConfig
import ARLinkEnvelope
import ARLinkFormats
import ARLinkJobs
import ARLinkLayouts
import ARLinkStore
import ARLinkSystem
import ARLinkTransport
import Foundation

/// The outbound seam of partner layouts (issue 14, docs/layouts.md).
///
/// For a partner whose `portfolio_format` names a layout, the batch is still built as arlink's
/// own file (the ledger, digests and control totals come from it); before that file is removed
/// it is rendered through the layout into the data file the agency receives, with the signed
/// sidecar manifest beside it. Both are sealed like the batch file, and delivered instead of it.
extension OutboundJob {
    /// The names of a layout batch's data file and manifest, sealed.
    static func layoutNames(batchFileName: String, envelopeExtension: String) -> (data: String, manifest: String) {
        // `…_000001.jsonl.p7m` → `…_000001.txt.p7m` and `…_000001.txt.manifest.jsonl.p7m`.
        let plainBatch = String(batchFileName.dropLast(envelopeExtension.count + 1))
        let stem = plainBatch.hasSuffix(".jsonl") ? String(plainBatch.dropLast(6)) : plainBatch
        return (stem + ".txt." + envelopeExtension, SidecarManifest.fileName(for: stem + ".txt") + "." + envelopeExtension)
    }

    /// Renders the batch's plaintext through the partner's layout, assigns file numbers, and
    /// seals the data file and its manifest next to the batch's sealed file.
    /// - Returns: audit detail for `batch.sealed`: the layout, and the name and digests of the
    ///   data file and the manifest that are delivered in place of arlink's own file.
    func sealLayoutFiles(_ batch: OutboundBatch, partner: PartnerSettings, layout: Layout) throws -> [String: String] {
        let pid = partner.id.rawValue
        let folder = (batch.plaintextPath as NSString).deletingLastPathComponent
        let names = Self.layoutNames(batchFileName: batch.fileName, envelopeExtension: partner.envelope.fileExtension)
        let ext = partner.envelope.fileExtension.count + 1
        let dataPlain = folder + "/" + String(names.data.dropLast(ext))
        let manifestPlain = folder + "/" + String(names.manifest.dropLast(ext))
        let contents = try PortfolioReader.read(path: batch.plaintextPath, format: .jsonl)
        let time = Timestamp.iso8601(context.now())
        let (numbers, previous) = try context.store.write { db in
            var table = FileNumberTable(try FileNumberLedger.all(db, partner: pid))
            for r in contents.records where table.fileNumber(forAccount: r.accountRef) == nil {
                _ = try FileNumberLedger.assign(db, partner: pid, account: r.accountRef, at: time)
                table = FileNumberTable(try FileNumberLedger.all(db, partner: pid))
            }
            let updates = contents.records.filter { $0.action == .update }.map(\.accountRef)
            let balances = try FileNumberLedger.previousBalances(db, partner: pid, before: batch.batchID, accounts: updates)
            return (table, balances.compactMapValues { $0.first { $0.currency == layout.currency } ?? .zero(layout.currency) })
        }
        let asOf = LocalDate(iso: batch.asOf) ?? LocalDate(daysSinceEpoch: 0)
        let context = LayoutFileContext(agencyID: config.company.id.rawValue, agencyName: config.company.name,
                                        createdOn: LocalDate(iso: String(batch.createdAt.prefix(10))) ?? asOf, asOf: asOf)
        let (data, manifest) = try LayoutPortfolioConversion.convert(
            arlinkFile: batch.plaintextPath, layout: PortfolioLayout(layout: layout), dataName: (dataPlain as NSString).lastPathComponent,
            fileNumbers: numbers, previousBalances: previous, context: context)
        defer {
            try? FileManager.default.removeItem(atPath: dataPlain)
            try? FileManager.default.removeItem(atPath: manifestPlain)
        }
        // Private plaintext, sealed at once and removed (as the batch file is).
        for (path, bytes) in [(dataPlain, data), (manifestPlain, Array(manifest.text.utf8))] {
            try? FileManager.default.removeItem(atPath: path)
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                throw JobError(.io, "cannot write \(path) (the work folder is not writable or the disk is full)")
            }
        }
        let sealedData = try self.context.seal(for: partner, input: dataPlain, output: folder + "/" + names.data)
        let sealedManifest = try self.context.seal(for: partner, input: manifestPlain, output: folder + "/" + names.manifest)
        reporter.info("rendered batch \(batch.batchID) in layout \(layout.name): \(names.data) with its manifest", ["partner": pid])
        return Self.layoutAuditDetail(layout: layout.name, names: names).merging([
            "layout_data_plaintext_sha256": sealedData.plaintextSHA256, "layout_data_sealed_sha256": sealedData.sealedSHA256,
            "layout_manifest_sealed_sha256": sealedManifest.sealedSHA256,
        ]) { a, _ in a }
    }

    /// The files a layout partner receives instead of arlink's own file, for the audit log.
    static func layoutAuditDetail(layout: String, names: (data: String, manifest: String)) -> [String: String] {
        ["layout": layout, "layout_data_file": names.data, "layout_manifest_file": names.manifest]
    }

    /// Delivers a layout batch's data file, then its manifest (whose arrival completes the pair).
    func deliverLayoutFiles(_ batch: OutboundBatch, partner: PartnerSettings, transport: any Transport) throws -> DeliveryOutcome {
        let folder = ((batch.sealedPath ?? batch.plaintextPath) as NSString).deletingLastPathComponent
        let names = Self.layoutNames(batchFileName: batch.fileName, envelopeExtension: partner.envelope.fileExtension)
        for name in [names.data, names.manifest] where !FileManager.default.fileExists(atPath: folder + "/" + name) {
            throw JobError(.stateMismatch, "batch \(batch.batchID) is recorded as sealed but its layout file \(name) is missing from the work folder")
        }
        let outcome = try transport.deliver(localFile: folder + "/" + names.data, as: names.data)
        _ = try transport.deliver(localFile: folder + "/" + names.manifest, as: names.manifest)
        return outcome
    }
}
