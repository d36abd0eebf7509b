public import ARLinkStore
import Foundation

/// What a compliance officer asks for a period: every transfer per partner and direction,
/// refusals and quarantines with reasons, reconciliation exceptions, daily volumes and the
/// state of the log (`arlink audit report`).
///
/// Built from the entries' canonical bytes only (never from the lookup columns).
public struct AuditReport: Sendable {
    /// One audit entry about a transfer.
    public struct Row: Sendable, Hashable {
        public var sequence: UInt64
        public var time: String
        public var partner: String
        public var direction: String
        public var action: String
        public var outcome: String
        public var fileID: String
        public var batchID: String
        public var fileName: String
        public var recordCount: Int?
        public var totals: [String: String]
        public var plaintextSHA256: String
        public var sealedSHA256: String
        public var errorCode: String
        /// `detail["reason"]`, else the error code.
        public var reason: String
        public var actor: String
    }

    /// Files and records per day and direction.
    public struct DailyVolume: Sendable, Hashable {
        public var day: String
        public var outboundFiles: Int
        public var inboundFiles: Int
        public var outboundRecords: Int
        public var inboundRecords: Int
    }

    /// First and last day, inclusive (`YYYY-MM-DD`, UTC).
    public var from: String
    public var to: String
    public var generatedAt: String
    public var origin: String
    /// Every entry about a transfer (with a partner, file or batch id), oldest first.
    public var transfers: [Row]
    /// Refused, quarantined, held, duplicate or failed steps.
    public var refusals: [Row]
    /// Reconciliation exceptions: files whose events did not all match the placement ledger
    /// (`exceptions` or `rejected_<reason>` counts above zero), or exception outcomes.
    public var exceptions: [Row]
    public var dailyVolumes: [DailyVolume]
    /// `intact` or the first mismatch found by verification.
    public var checkpointStatus: String
    /// The newest checkpoint note, if any.
    public var latestCheckpoint: SignedCheckpoint?
    public var entryCount: UInt64

    static let refusalOutcomes: Set<String> = ["refused", "quarantined", "held", "duplicate", "error", "rejected", "failed"]
    static let exceptionOutcomes: Set<String> = ["exception", "mismatch", "unmatched"]

    /// Reads the entries recorded between `from` and `to` (inclusive days, UTC).
    ///
    /// - Parameters:
    ///   - verification: the result of ``AuditVerifier/verify(store:key:origin:checkpointFile:)``
    ///     (an error is reported as the checkpoint status, not thrown).
    /// - Throws: ``AuditError`` `.malformed` for dates that are not `YYYY-MM-DD` or an entry that
    ///   does not parse, `.storage`.
    public static func build(store: StateStore, from: String, to: String, origin: String, verification: Result<AuditVerification, AuditError>) throws -> AuditReport {
        for (name, day) in [("--from", from), ("--to", to)] where !isDay(day) {
            throw AuditError(.malformed, "\(name) \"\(day.prefix(40))\" is not a date (expected YYYY-MM-DD)")
        }
        guard from <= to else { throw AuditError(.malformed, "--from \(from) is after --to \(to)") }
        let texts = try AuditProver.wrapStorage(store) {
            try store.read { db in try AuditRecords.entries(db, recordedFrom: from, until: to + "T99").map { ($0.index, $0.entry) } }
        }
        var report = AuditReport(from: from, to: to, generatedAt: UTCTimestamp.string(), origin: origin, transfers: [], refusals: [], exceptions: [],
                                 dailyVolumes: [], checkpointStatus: "", latestCheckpoint: nil, entryCount: 0)
        var days: [String: DailyVolume] = [:]
        var countedFiles: Set<String> = []
        // Record counts of outbound batches, from the entry that built them.
        var batchRecords: [String: Int] = [:]
        for (index, text) in texts where !AuditEntry.isPruned(text) {
            let entry = try AuditEntry(canonicalBytes: Array(text.utf8), source: "audit entry \(index)")
            let event = entry.event
            let row = Row(
                sequence: entry.sequence, time: entry.time, partner: event.partner ?? "", direction: event.direction ?? "",
                action: event.action, outcome: event.outcome, fileID: event.fileID ?? "", batchID: event.batchID ?? "",
                fileName: event.fileName ?? "", recordCount: event.recordCount, totals: event.totals,
                plaintextSHA256: event.plaintextSHA256 ?? "", sealedSHA256: event.sealedSHA256 ?? "", errorCode: event.errorCode ?? "",
                reason: event.detail["reason"] ?? event.errorCode ?? "", actor: "\(entry.actor.user)@\(entry.actor.host)")
            let isTransfer = event.partner != nil || event.fileID != nil || event.batchID != nil
            if isTransfer { report.transfers.append(row) }
            if refusalOutcomes.contains(event.outcome) || event.action.hasSuffix(".quarantined") || event.action.hasSuffix(".refused") {
                report.refusals.append(row)
            }
            // Reconciliation exceptions: `exceptions` or `rejected_<reason>` counts in the detail.
            let rejected = event.detail.filter { ($0.key == "exceptions" || $0.key.hasPrefix("rejected_")) && (Int($0.value) ?? 0) > 0 }
            if exceptionOutcomes.contains(event.outcome) || event.action.hasPrefix("reconcile.") || !rejected.isEmpty {
                var exception = row
                if !rejected.isEmpty {
                    exception.reason = rejected.keys.sorted().map { "\($0)=\(rejected[$0] ?? "")" }.joined(separator: "; ")
                }
                report.exceptions.append(exception)
            }
            if let batchID = event.batchID, let count = event.recordCount, event.action == "batch.built" {
                batchRecords[batchID] = count
            }
            if let counted = Self.volume(of: event, batchRecords: batchRecords), countedFiles.insert(counted.key).inserted {
                let day = String(entry.time.prefix(10))
                var volume = days[day] ?? DailyVolume(day: day, outboundFiles: 0, inboundFiles: 0, outboundRecords: 0, inboundRecords: 0)
                if counted.outbound {
                    volume.outboundFiles += 1
                    volume.outboundRecords += counted.records
                } else {
                    volume.inboundFiles += 1
                    volume.inboundRecords += counted.records
                }
                days[day] = volume
            }
        }
        report.dailyVolumes = days.values.sorted { $0.day < $1.day }
        switch verification {
        case .success(let result):
            report.entryCount = result.entryCount
            report.latestCheckpoint = result.latestCheckpoint
            report.checkpointStatus = "intact: \(result.entryCount) entries, \(result.checkpointCount) signed checkpoints verified"
                + (result.fileCheckpointCount.map { ", \($0) in the exported checkpoint file" } ?? "")
                + (result.warnings.isEmpty ? "" : "; note: " + result.warnings.joined(separator: "; "))
        case .failure(let error):
            report.checkpointStatus = "NOT INTACT: \(error.message)"
        }
        return report
    }

    /// Actions that make a file count in the daily volumes: a batch delivered (outbound), and a
    /// feedback file applied, quarantined, held or received again (inbound).
    static let outboundFileActions: Set<String> = ["batch.delivered"]
    static let inboundFileActions: Set<String> = ["file.applied", "file.quarantined", "file.held", "file.received"]

    /// Whether `event` is a file for the daily volumes: a key that counts each file once, its
    /// direction and its records (an outbound batch's from its `batch.built` entry when the
    /// delivery entry carries none).
    static func volume(of event: AuditEvent, batchRecords: [String: Int]) -> (key: String, outbound: Bool, records: Int)? {
        if outboundFileActions.contains(event.action), event.outcome == "ok" || event.outcome == "already_present" {
            let key = event.fileID ?? event.batchID ?? event.fileName ?? ""
            return ("out:" + key, true, event.recordCount ?? event.batchID.flatMap { batchRecords[$0] } ?? 0)
        }
        if inboundFileActions.contains(event.action) {
            let key = event.sealedSHA256 ?? event.fileID ?? event.fileName ?? ""
            return ("in:" + key, false, event.action == "file.applied" ? event.recordCount ?? 0 : 0)
        }
        return nil
    }

    /// Whether the verification found the log intact.
    public var isIntact: Bool { checkpointStatus.hasPrefix("intact") }

    /// Transfers grouped by partner and direction, groups sorted by name.
    public var groups: [(partner: String, direction: String, rows: [Row])] {
        let grouped = Dictionary(grouping: transfers) { "\($0.partner)\u{0}\($0.direction)" }
        return grouped.keys.sorted().map { key in
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
            return (String(parts[0]), String(parts.count > 1 ? parts[1] : ""), grouped[key] ?? [])
        }
    }

    static func isDay(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 45, bytes[7] == 45 else { return false }
        let digits = bytes.enumerated().filter { $0.offset != 4 && $0.offset != 7 }.map(\.element)
        guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
        let month = Int(text.dropFirst(5).prefix(2)) ?? 0, day = Int(text.suffix(2)) ?? 0
        return (1...12).contains(month) && (1...31).contains(day)
    }
}
