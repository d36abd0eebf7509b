public import ARLinkCore
import ARLinkFormats
import Foundation

/// What one partner's outbound run did (or, with `--dry-run`, would do).
public struct PartnerOutboundReport: Sendable {
    /// How the run ended for this partner.
    public enum Outcome: String, Sendable {
        /// A new batch was built, sealed and delivered.
        case delivered
        /// A batch left unfinished by an earlier run was completed (no new batch built).
        case resumed
        /// The batch for this as-of date was already delivered; nothing was sent.
        case alreadyDelivered = "already_delivered"
        /// Dry run: the batch for this as-of date was built (or sealed) by an earlier run that
        /// stopped before delivering it; the next run delivers it.
        case builtNotDelivered = "built_not_delivered"
        /// Nothing to place, update or recall.
        case nothingToSend = "nothing_to_send"
        /// Dry run: counts only, nothing written.
        case dryRun = "dry_run"

        /// The outcome in words, for people.
        public var text: String {
            switch self {
            case .builtNotDelivered: "built, not yet delivered: the next run delivers it"
            default: rawValue.replacingOccurrences(of: "_", with: " ")
            }
        }
    }

    public var partner: String
    public var outcome: Outcome
    public var batchID: String?
    /// The file the partner receives: the batch's sealed file, or for a partner with a
    /// portfolio layout the layout's data file (its manifest in ``manifestFileName``).
    public var fileName: String?
    /// The signed sidecar manifest delivered with a layout data file.
    public var manifestFileName: String?
    public var sequence: Int?
    public var placed = 0
    public var updated = 0
    public var recalled = 0
    public var invoices = 0
    public var invoiceExclusions: [ExclusionReason: Int] = [:]
    public var accountExclusions: [ExclusionReason: Int] = [:]
    /// Totals per currency of the open amounts sent.
    public var totals: [Currency: Money] = [:]
    public var plaintextSHA256: String?
    public var sealedSHA256: String?
    public var sealedBytes: Int64?
    /// Things the operator should look at (an exclusion entry matching nothing, a mass recall).
    public var warnings: [String] = []

    public init(partner: String, outcome: Outcome) {
        self.partner = partner
        self.outcome = outcome
    }
}

/// The whole outbound run: per-partner reports plus what was read.
public struct OutboundReport: Sendable {
    public var asOf: LocalDate
    public var openItemsRead = 0
    public var customersRead = 0
    /// Bad extract rows accepted under `max_bad_rows`, each named.
    public var badRows: [String] = []
    /// A report's total lines in the open items, skipped (ERPNext's `'Total'` row).
    public var summaryRowsSkipped = 0
    /// Open-item rows that are not posted customer invoices or credit notes, skipped.
    public var otherDocumentRowsSkipped = 0
    public var partners: [PartnerOutboundReport] = []

    public init(asOf: LocalDate) { self.asOf = asOf }
}
