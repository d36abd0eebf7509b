import ARLinkCore
import ARLinkOutbound
import Foundation

/// The outbound run report as text for people or JSON for machines (stdout).
enum OutboundSummary {
    static func render(_ report: OutboundReport, format: LogFormat, dryRun: Bool) -> String {
        format == .json ? json(report) : human(report, dryRun: dryRun)
    }

    static func human(_ report: OutboundReport, dryRun: Bool) -> String {
        var lines: [String] = []
        lines.append(dryRun ? "Dry run as of \(report.asOf.iso) (nothing written):" : "Outbound run as of \(report.asOf.iso):")
        if report.openItemsRead > 0 {
            lines.append("  read \(report.openItemsRead) open items of \(report.customersRead) customers")
        }
        if report.summaryRowsSkipped > 0 { lines.append("  summary rows skipped: \(report.summaryRowsSkipped)") }
        if report.otherDocumentRowsSkipped > 0 {
            lines.append("  rows skipped as not posted customer invoices: \(report.otherDocumentRowsSkipped)")
        }
        for bad in report.badRows { lines.append("  accepted bad row: \(bad)") }
        for p in report.partners {
            lines.append("  partner \(p.partner): \(p.outcome.text)")
            let verb = switch p.outcome {
            case .dryRun: "would"
            case .alreadyDelivered: "delivered earlier; nothing new is sent"
            case .builtNotDelivered: "built earlier; the next run delivers them"
            default: "did"
            }
            lines.append("    accounts: \(p.placed) place, \(p.updated) update, \(p.recalled) recall (\(verb)); invoices: \(p.invoices)")
            for warning in p.warnings { lines.append("    warning: \(warning)") }
            if let file = p.fileName { lines.append("    file: \(file) (sequence \(p.sequence ?? 0))") }
            if let manifest = p.manifestFileName { lines.append("    manifest: \(manifest)") }
            if let sealed = p.sealedSHA256 { lines.append("    sealed sha256: \(sealed)") }
            if !p.totals.isEmpty {
                lines.append("    totals: " + p.totals.sorted { $0.key < $1.key }.map { $0.value.description }.joined(separator: ", "))
            }
            if !p.accountExclusions.isEmpty {
                lines.append("    accounts excluded: " + p.accountExclusions.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
            }
            if !p.invoiceExclusions.isEmpty {
                lines.append("    invoices excluded: " + p.invoiceExclusions.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ report: OutboundReport) -> String {
        func obj(_ pairs: [(String, String)]) -> String { "{" + pairs.map { "\(JSONLine.quote($0.0)):\($0.1)" }.joined(separator: ",") + "}" }
        func counts(_ d: [ExclusionReason: Int]) -> String { obj(d.sorted { $0.key < $1.key }.map { ($0.key.rawValue, String($0.value)) }) }
        let partners = report.partners.map { p in
            obj([
                ("partner", JSONLine.quote(p.partner)), ("outcome", JSONLine.quote(p.outcome.rawValue)),
                ("batch_id", p.batchID.map(JSONLine.quote) ?? "null"), ("file_name", p.fileName.map(JSONLine.quote) ?? "null"),
                ("manifest_file_name", p.manifestFileName.map(JSONLine.quote) ?? "null"),
                ("sequence", p.sequence.map(String.init) ?? "null"),
                ("place", String(p.placed)), ("update", String(p.updated)), ("recall", String(p.recalled)),
                ("invoices", String(p.invoices)),
                ("totals", obj(p.totals.sorted { $0.key < $1.key }.map { ($0.key.code, JSONLine.quote($0.value.decimalString)) })),
                ("sealed_sha256", p.sealedSHA256.map(JSONLine.quote) ?? "null"),
                ("accounts_excluded", counts(p.accountExclusions)), ("invoices_excluded", counts(p.invoiceExclusions)),
                ("warnings", "[" + p.warnings.map(JSONLine.quote).joined(separator: ",") + "]"),
            ])
        }
        return obj([
            ("as_of", JSONLine.quote(report.asOf.iso)), ("open_items_read", String(report.openItemsRead)),
            ("customers_read", String(report.customersRead)),
            ("summary_rows_skipped", String(report.summaryRowsSkipped)),
            ("other_document_rows_skipped", String(report.otherDocumentRowsSkipped)),
            ("bad_rows", "[" + report.badRows.map(JSONLine.quote).joined(separator: ",") + "]"),
            ("partners", "[" + partners.joined(separator: ",") + "]"),
        ])
    }
}
