public import ARLinkStore
import Foundation

/// Checks the whole audit log: every entry against its hash and its predecessor, every
/// checkpoint's signature and root, a consistency proof between successive checkpoints, and
/// the exported checkpoint file (which catches a database rolled back to an older copy).
public enum AuditVerifier {
    /// Verifies the log in `store`.
    ///
    /// - Parameters:
    ///   - store: the state database.
    ///   - key: the audit public key and key name.
    ///   - origin: the expected checkpoint origin.
    ///   - checkpointFile: the exported checkpoint file to compare with, if any.
    /// - Returns: a summary when everything matches.
    /// - Throws: ``AuditError`` `.tampered` naming the first entry or checkpoint that does not
    ///   match and how; `.storage`, `.checkpointFile`, `.malformed` for unreadable inputs.
    public static func verify(store: StateStore, key: AuditVerifierKey, origin: String?, checkpointFile: String?,
                              witnessNotes: [(source: String, note: String)] = []) throws -> AuditVerification {
        let hasher = try MerkleHasher()
        let leaves: [MerkleHash]
        let rows: [AuditRecords.StoredCheckpoint]
        let witnessed: [(source: String, note: String)]
        var prunedIndexes: [Int64] = []
        do {
            (leaves, rows, witnessed) = try store.read { db in
                let leaves = try EntryScanner.scan(db, hasher: hasher, pruned: &prunedIndexes)
                let rows = try AuditRecords.checkpoints(db)
                let witnessed = try AuditRecords.witnesses(db).map { (source: "the checkpoint partner \($0.partner) witnessed", note: $0.note) }
                return (leaves, rows, witnessed)
            }
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(.storage, "cannot read the audit log in \(store.path): \(error)", underlying: error)
        }
        let pruned = try prunedEntries(store, found: prunedIndexes)
        let tree = MerkleTree(leafHashes: leaves, hasher: hasher)
        let size = UInt64(leaves.count)
        var chain = CheckpointChain(tree: tree, hasher: hasher)
        var warnings: [String] = []

        var stored: [SignedCheckpoint] = []
        for row in rows {
            let source = "checkpoint #\(row.id) in the database"
            let checkpoint = try key.open(row.note, source: source, origin: origin)
            guard UInt64(row.treeSize) == checkpoint.treeSize, MerkleHash(bytes: row.rootHash) == checkpoint.rootHash else {
                throw AuditError(.tampered, "\(source): its tree_size or root_hash column differs from its signed note: the row was edited")
            }
            try chain.check(checkpoint, source: source, rollbackHint: "the newest entries were deleted (truncated) or the database was rolled back")
            stored.append(checkpoint)
        }
        if size > 0 && stored.isEmpty {
            throw AuditError(.tampered, "the log holds \(size) entries but no signed checkpoint: the checkpoints were deleted, or no run has finished yet (a run ends with a checkpoint)")
        }
        if let latest = stored.last, latest.treeSize < size {
            warnings.append("entries \(latest.treeSize) to \(size - 1) are not yet covered by a signed checkpoint (the next run's checkpoint will cover them)")
        }

        var fileCount: Int?
        if let checkpointFile {
            let notes = try CheckpointFile.read(checkpointFile)
            if notes.isEmpty && !stored.isEmpty {
                throw AuditError(.checkpointFile, "the checkpoint file \(checkpointFile) is missing or empty but the database holds \(stored.count) checkpoints; restore it from write-once storage")
            }
            var fileChain = CheckpointChain(tree: tree, hasher: hasher)
            for (index, note) in notes.enumerated() {
                let source = "checkpoint #\(index + 1) of the checkpoint file \(checkpointFile)"
                let checkpoint = try key.open(note, source: source, origin: origin)
                try fileChain.check(checkpoint, source: source, rollbackHint: "the database was replaced by an older copy (rolled back) or its newest entries were deleted")
            }
            chain.consistencyProofs += fileChain.consistencyProofs
            fileCount = notes.count
            let exported = Set(notes)
            let pending = rows.filter { !exported.contains($0.note) }.count
            if pending > 0 {
                warnings.append("\(pending) checkpoint(s) in the database are not yet in the checkpoint file (the next run exports them)")
            }
        }
        // Checkpoints partners echoed back (stored), and any further copies given (`--witness`).
        var witnessCount = 0
        for (source, note) in witnessed + witnessNotes {
            let checkpoint = try key.open(note, source: source, origin: origin)
            var single = CheckpointChain(tree: tree, hasher: hasher)
            try single.check(checkpoint, source: source, rollbackHint: "the database was replaced by an older copy (rolled back) or its newest entries were deleted")
            witnessCount += 1
        }
        return AuditVerification(
            entryCount: size, rootHash: tree.root(treeSize: Int(size), hasher: hasher), checkpointCount: stored.count,
            fileCheckpointCount: fileCount, latestCheckpoint: stored.last, consistencyProofsChecked: chain.consistencyProofs, warnings: warnings,
            witnessCheckpointCount: witnessCount, prunedEntryCount: pruned)
    }
}

extension AuditVerifier {
    /// Checks that entries pruned past retention are exactly those `audit_pruned` lists and
    /// that a recorded `audit.pruned` entry covers them all (nothing was pruned quietly).
    /// - Returns: the number of pruned entries.
    static func prunedEntries(_ store: StateStore, found: [Int64]) throws -> Int {
        let (listed, recorded): ([Int64], String?)
        do {
            (listed, recorded) = try store.read { db in
                (try AuditRecords.prunedIndexes(db), try AuditRecords.newestEntry(db, action: "audit.pruned"))
            }
        } catch {
            throw AuditError(.storage, "cannot read the audit log in \(store.path): \(error)", underlying: error)
        }
        guard !found.isEmpty || !listed.isEmpty else { return 0 }
        guard found == listed else {
            throw AuditError(.tampered, "\(found.count) entries have had their content removed but \(listed.count) are listed as pruned: entries were emptied outside `arlink audit prune`")
        }
        let below = try recorded.flatMap { try AuditEntry(canonicalBytes: Array($0.utf8), source: "the newest audit.pruned entry").event.detail["below_leaf"] }
            .flatMap { Int64($0) } ?? 0
        if let highest = found.last, highest >= below {
            throw AuditError(.tampered, "entry \(highest) is pruned but no audit.pruned entry records pruning that far: entries were emptied outside `arlink audit prune`")
        }
        return found.count
    }
}

/// Checks a sequence of checkpoints against the recomputed tree: sizes never shrink, each
/// root matches the entries, and an RFC 9162 consistency proof links each to the previous one.
struct CheckpointChain {
    let tree: MerkleTree
    let hasher: MerkleHasher
    var previous: (checkpoint: SignedCheckpoint, source: String)?
    var verifiedUpTo: UInt64 = 0
    var consistencyProofs = 0

    init(tree: MerkleTree, hasher: MerkleHasher) {
        self.tree = tree
        self.hasher = hasher
    }

    mutating func check(_ checkpoint: SignedCheckpoint, source: String, rollbackHint: String) throws {
        let size = UInt64(tree.size)
        if let previous, checkpoint.treeSize < previous.checkpoint.treeSize {
            throw AuditError(.tampered, "\(source) has tree size \(checkpoint.treeSize), smaller than \(previous.source) (\(previous.checkpoint.treeSize)): the log was rolled back between them")
        }
        if checkpoint.treeSize > size {
            throw AuditError(.tampered, "\(source) covers \(checkpoint.treeSize) entries but the database holds only \(size): entries \(size) to \(checkpoint.treeSize - 1) are gone; \(rollbackHint)")
        }
        let root = tree.root(treeSize: Int(checkpoint.treeSize), hasher: hasher)
        if root != checkpoint.rootHash {
            let from = previous.map { $0.checkpoint.treeSize } ?? 0
            throw AuditError(.tampered, "\(source) (tree size \(checkpoint.treeSize)) does not match the entries: the signed root is \(checkpoint.rootHash.base64) but entries 0 to \(checkpoint.treeSize - 1) hash to \(root.base64); the first changed entry lies between \(from) and \(checkpoint.treeSize - 1): the log was rewritten")
        }
        if let previous {
            let old = previous.checkpoint
            let proof = tree.consistencyProof(oldSize: Int(old.treeSize), newSize: Int(checkpoint.treeSize), hasher: hasher)
            guard MerkleProofVerifier.verifyConsistency(oldSize: old.treeSize, newSize: checkpoint.treeSize, oldRoot: old.rootHash, newRoot: checkpoint.rootHash, proof: proof, hasher: hasher) else {
                throw AuditError(.tampered, "\(source) is not consistent with \(previous.source): the tree of size \(old.treeSize) is not a prefix of the tree of size \(checkpoint.treeSize)")
            }
            consistencyProofs += 1
        }
        previous = (checkpoint, source)
    }
}
