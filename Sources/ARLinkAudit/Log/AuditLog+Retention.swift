import ARLinkStore
public import Foundation

extension AuditEntry {
    /// The suffix that replaces an entry's content when it is pruned past retention: the
    /// stored text keeps only `{"v":1,"seq":N,"prev":"…"` and this.
    static let prunedSuffix = ",\"pruned\":true}"

    /// Whether stored entry text is a pruned entry (its leaf hash is the stored one).
    public static func isPruned(_ text: String) -> Bool { text.hasSuffix(prunedSuffix) }
}

extension AuditLog {
    /// What ``prune(retentionDays:now:dryRun:)`` did or would do.
    public struct Pruning: Sendable {
        /// Entries whose content was (or would be) removed now.
        public var pruned: Int
        /// Every entry below this index is pruned afterwards.
        public var belowLeaf: UInt64
        /// Entries recorded before this day are past retention.
        public var cutoffDay: String
    }

    /// Removes the content of entries older than `retentionDays` (by the time they were
    /// recorded) and covered by a signed checkpoint, keeping each entry's index, leaf hash and
    /// head (`seq`, `prev`): the tree, the hash chain and every checkpoint still verify, and
    /// the next entry's `prev` still binds the pruned one. Records `audit.pruned` (the index
    /// below which everything is pruned) and signs a checkpoint.
    /// - Throws: ``AuditError`` `.storage`, `.unanchored`.
    @discardableResult
    public func prune(retentionDays: Int, now: Date = Date(), dryRun: Bool = false) throws -> Pruning {
        let cutoff = now.addingTimeInterval(-Double(retentionDays) * 86_400)
        let cutoffDay = String(UTCTimestamp.string(from: cutoff).prefix(10))
        let result: Pruning
        do {
            result = try store.write { db -> Pruning in
                let size = try AuditRecords.entryCount(db)
                let young = try AuditRecords.firstIndex(db, recordedFrom: cutoffDay).map(UInt64.init)
                let covered = try Self.latestCheckpoint(db)?.treeSize ?? 0
                let below = min(young ?? size, covered)
                let already = UInt64(try AuditRecords.prunedBelow(db))
                guard below > already else { return Pruning(pruned: 0, belowLeaf: already, cutoffDay: cutoffDay) }
                let pruning = Pruning(pruned: Int(below - already), belowLeaf: below, cutoffDay: cutoffDay)
                if dryRun { return pruning }
                try AuditRecords.prune(db, from: Int64(already), below: Int64(below), at: UTCTimestamp.string(), suffix: AuditEntry.prunedSuffix)
                try append([AuditEvent(action: "audit.pruned", outcome: "ok", recordCount: pruning.pruned,
                                       detail: ["below_leaf": String(below), "retention_days": String(retentionDays), "cutoff_day": cutoffDay])], in: db)
                return pruning
            }
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(.storage, "cannot prune the audit log in \(store.path): \(error)", underlying: error)
        }
        if !dryRun && result.pruned > 0 { try checkpoint() }
        return result
    }
}
