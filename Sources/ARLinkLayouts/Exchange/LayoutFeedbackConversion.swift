import Foundation
public import ARLinkCore
public import ARLinkFormats

/// What a layout feedback file held besides the events for the ordinary apply path.
public struct LayoutFeedbackReport: Sendable, Hashable {
    /// Acknowledgements with their outcome (a balance mismatch is rejected with its own reason).
    public var acknowledgements: [(AgencyBalances, AcknowledgementOutcome)] = []
    public var reconciliations: [AgencyBalances] = []
    public var recallObjections: [RecallObjection] = []
    /// Events converted, by type.
    public var eventCounts: [String: Int] = [:]

    public static func == (a: Self, b: Self) -> Bool {
        a.acknowledgements.map(\.0) == b.acknowledgements.map(\.0) && a.acknowledgements.map(\.1) == b.acknowledgements.map(\.1)
            && a.reconciliations == b.reconciliations && a.recallObjections == b.recallObjections && a.eventCounts == b.eventCounts
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(eventCounts) }
}

/// Turns a feedback file in a partner layout, with its signed sidecar manifest, into arlink's
/// own `feedback.v1` JSON Lines, which the inbound job then reads, checks and applies like any
/// other feedback file: the manifest's header and trailer around the layout file's events.
///
/// Everything is checked before the output appears: the data file against the manifest
/// (name, size, SHA-256), every line against the layout (trailer counts and sums included),
/// every file number against the ones assigned. A failure throws and writes nothing.
public enum LayoutFeedbackConversion {
    /// - Parameters:
    ///   - data: the opened data file; `dataName` names it in messages.
    ///   - manifest: the opened sidecar manifest.
    ///   - placedBalances: the balance placed per account, for acknowledgement checks.
    ///   - output: where the `feedback.v1` file is written (mode 0600, appears when complete).
    public static func convert(
        data: [UInt8], dataName: String, manifest: SidecarManifest, feedback: FeedbackLayout, fileNumbers: any FileNumberDirectory,
        placedBalances: [String: Money], output: String
    ) throws -> LayoutFeedbackReport {
        try manifest.check(data: data, dataFileName: dataName)
        guard manifest.layoutName == feedback.layout.name else {
            throw LayoutError(.badLine, "manifest of \(dataName) names layout \(manifest.layoutName), the partner's is \(feedback.layout.name)")
        }
        let file = try LayoutReader(layout: feedback.layout).read(data, name: dataName)
        let records = try feedback.records(file, fileNumbers: fileNumbers)
        var report = LayoutFeedbackReport()
        let out = try AtomicTextFile(path: output)
        try out.writeLine(manifest.headerLine)
        for record in records {
            switch record {
            case .event(let e, _, _):
                try out.writeLine(FeedbackJSON.event(e))
                report.eventCounts[e.type.rawValue, default: 0] += 1
            case .acknowledgement(let b):
                report.acknowledgements.append((b, AcknowledgementCheck.judge(b, placedBalance: placedBalances[b.accountRef])))
            case .reconciliation(let b):
                report.reconciliations.append(b)
            case .recallObjection(let o):
                report.recallObjections.append(o)
            }
        }
        try out.writeLine(manifest.trailerLine)
        try out.commit()
        return report
    }
}

/// Renders arlink's own portfolio file into a partner layout and its signed sidecar manifest.
public enum LayoutPortfolioConversion {
    /// - Parameters:
    ///   - arlinkFile: arlink's `portfolio.v1` JSON Lines file of the batch (already written).
    ///   - dataName: the data file's name (for the manifest).
    ///   - fileNumbers: every account's file number.
    ///   - previousBalances: the balance last placed per account, for updates.
    /// - Returns: the data file's bytes and the manifest.
    public static func convert(
        arlinkFile: String, layout: PortfolioLayout, dataName: String, fileNumbers: any FileNumberDirectory,
        previousBalances: [String: Money], context: LayoutFileContext
    ) throws -> (data: [UInt8], manifest: SidecarManifest) {
        let contents = try PortfolioReader.read(path: arlinkFile, format: .jsonl)
        let data = try layout.render(contents.records, fileNumbers: fileNumbers, previousBalances: previousBalances, context: context)
        let text = try String(contentsOfFile: arlinkFile, encoding: .utf8)
        return (data, try SidecarManifest(arlinkFileText: text, layoutName: layout.layout.name, dataFileName: dataName, data: data))
    }
}
