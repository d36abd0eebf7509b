import ARLinkCore
import ARLinkConfig
import ARLinkEnvelope
import ARLinkFormats
import ARLinkJobs
import ARLinkLayouts
import ARLinkStore
import ARLinkTransport
import Foundation

/// The inbound seam of partner layouts (issue 14, docs/layouts.md).
///
/// A partner whose `feedback_format` names a layout drops two sealed files: the data file in
/// its layout (`….txt.p7m`) and the signed sidecar manifest (`….txt.manifest.jsonl.p7m`).
/// ``LayoutPairTransport`` lists the manifest only once both are there and fetches and finishes
/// the pair together; after the manifest is opened, ``convertLayoutFeedback`` opens the data
/// file, checks it against the manifest and the layout, and replaces the opened manifest with
/// arlink's own `feedback.v1` text. From there the file goes the ordinary way: header,
/// sequence, chain and witness checks, reconciliation, ERP updates, receipt.
extension InboundJob {
    /// The largest opened layout feedback file read (256 MiB).
    static let maxLayoutDataBytes: Int64 = 256 << 20

    /// The local copy of a manifest's data file.
    static func layoutDataPath(_ local: String) -> String { local + ".data" }

    /// Opens the data file of `remote` (a manifest), converts the pair into `feedback.v1` at
    /// `plain`. Returns the failure that quarantines the file, or nil.
    /// - Throws: our own failures (disk, state database), which stop the run.
    func convertLayoutFeedback(_ remote: RemoteFile, local: String, plain: String, layout: Layout, partner: PartnerSettings,
                               identity: DecryptionIdentity) throws -> (any ARLinkFailure)? {
        let pid = partner.id.rawValue
        pendingLayoutRecords = nil
        let dataLocal = Self.layoutDataPath(local)
        let dataPlain = plain + ".data"
        defer { unlink(dataPlain) }
        guard let dataName = LayoutPairTransport.dataName(forManifest: remote.name) else {
            return LayoutError(.badLine, "\(remote.name) is not a layout manifest (expected a name ending in .txt.manifest.jsonl.\(partner.envelope.fileExtension))")
        }
        do throws(EnvelopeError) {
            _ = try context.open(from: partner, input: dataLocal, output: dataPlain, identity: identity, durable: false)
        } catch {
            if error.isLocalFault { throw error }
            return error
        }
        // Read whole (the layout reader checks the trailer before returning anything); capped.
        let size = (try FileManager.default.attributesOfItem(atPath: dataPlain)[.size] as? NSNumber)?.int64Value ?? 0
        guard size <= Self.maxLayoutDataBytes else {
            return LayoutError(.badLine, "\(dataName) opens to \(size) bytes, more than the \(Self.maxLayoutDataBytes) a layout feedback file may have")
        }
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataPlain)))
        let manifestText = try String(contentsOfFile: plain, encoding: .utf8)
        let (numbers, placed) = try context.store.read { db in
            let table = FileNumberTable(try FileNumberLedger.all(db, partner: pid))
            let positions = try PlacementLedger.placedPositions(db, partner: pid, refs: table.byAccount.keys)
            return (table, positions.compactMapValues { $0.balances.first { $0.currency == layout.currency } })
        }
        do {
            let manifest = try SidecarManifest(text: manifestText, name: remote.name)
            let report = try LayoutFeedbackConversion.convert(
                data: data, dataName: String(dataName.dropLast(partner.envelope.fileExtension.count + 1)), manifest: manifest,
                feedback: FeedbackLayout(layout: layout, noteCodes: partner.layouts.noteCodes), fileNumbers: numbers,
                placedBalances: placed, output: plain)
            // Recorded in the file's transaction (``recordLayoutRecords``).
            pendingLayoutRecords = PendingLayoutRecords(fileName: remote.name, report: report, placed: placed)
            for (ack, outcome) in report.acknowledgements {
                if case .rejected(let reason, let detail) = outcome {
                    reporter.warning("partner \(pid): \(dataName) line \(ack.line): acknowledgement of file number \(ack.fileNumber) rejected (\(reason)): \(detail)",
                                     ["partner": pid, "file": dataName, "reason": reason])
                }
            }
            reporter.info("partner \(pid): \(dataName) read through layout \(layout.name): \(report.acknowledgements.count) acknowledgements, \(report.reconciliations.count) reconciliations, \(report.recallObjections.count) recall objections, events \(report.eventCounts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))",
                          ["partner": pid, "file": dataName])
            return nil
        } catch let error as LayoutError {
            return error
        }
    }
}

/// A partner's transport seen as pairs of a layout data file and its manifest: the listing
/// holds a manifest once its data file is there too; fetching and finishing a manifest does
/// the same to its data file.
final class LayoutPairTransport: Transport {
    private let inner: any Transport
    private let envelopeExtension: String
    private var dataSizes: [String: Int64] = [:]

    init(_ inner: any Transport, envelopeExtension: String) {
        self.inner = inner
        self.envelopeExtension = envelopeExtension
    }

    /// `inner` as pairs for a partner with a feedback layout, unchanged otherwise.
    static func wrap(_ inner: any Transport, partner: PartnerSettings) -> any Transport {
        partner.layouts.feedback == nil ? inner : LayoutPairTransport(inner, envelopeExtension: partner.envelope.fileExtension)
    }

    /// `X.txt.manifest.jsonl.p7m` → `X.txt.p7m`; nil for a name that is no manifest.
    static func dataName(forManifest name: String) -> String? {
        guard let range = name.range(of: ".manifest.jsonl.", options: .backwards) else { return nil }
        return String(name[..<range.lowerBound]) + "." + String(name[range.upperBound...])
    }

    func deliver(localFile: String, as remoteName: String) throws -> DeliveryOutcome { try inner.deliver(localFile: localFile, as: remoteName) }
    func checkFolders() throws -> String { try inner.checkFolders() }

    func list() throws -> OutboxListing {
        let listing = try inner.list()
        let names = Dictionary(listing.files.map { ($0.name, $0.size) }, uniquingKeysWith: { a, _ in a })
        var manifests: [RemoteFile] = []
        for file in listing.files {
            guard let data = Self.dataName(forManifest: file.name), let size = names[data] else { continue }
            dataSizes[data] = size
            manifests.append(file)
        }
        // Data files wait for their manifest (and are fetched with it); nothing is reported
        // about them until then.
        return OutboxListing(files: manifests, skipped: listing.skipped)
    }

    func fetch(_ file: RemoteFile, to localPath: String) throws {
        try inner.fetch(file, to: localPath)
        guard let data = Self.dataName(forManifest: file.name), let size = dataSizes[data] else {
            throw TransportError(.invalidName, "\(file.name) has no data file listed beside it (expected \(Self.dataName(forManifest: file.name) ?? "a layout manifest name"))")
        }
        try inner.fetch(RemoteFile(name: data, size: size), to: InboundJob.layoutDataPath(localPath))
        try FetchedFile.makeDurable(InboundJob.layoutDataPath(localPath))
    }

    func finish(_ file: RemoteFile, disposition: FetchedDisposition) throws {
        if let data = Self.dataName(forManifest: file.name) {
            try inner.finish(RemoteFile(name: data, size: 0), disposition: disposition)
        }
        try inner.finish(file, disposition: disposition)
    }
}
