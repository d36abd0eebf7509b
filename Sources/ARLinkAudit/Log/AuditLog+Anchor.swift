import ARLinkCore
import ARLinkStore
import Foundation

/// Why the log does not extend its newest signed checkpoint (the `finding` of an
/// `audit.recovered` entry).
public enum AnchorFinding: String, Sendable {
    /// Entries but no signed checkpoint in the database.
    case noCheckpoint = "no_checkpoint"
    /// No entries and no checkpoints, but the checkpoint file holds some.
    case databaseReplaced = "database_replaced"
    /// The checkpoint file lost checkpoints written to it (deleted, shortened, edited).
    case fileLostCheckpoints = "file_lost_checkpoints"
    /// The checkpoint file's notes are out of order.
    case fileOutOfOrder = "file_out_of_order"
    /// A checkpoint covers more entries than the database holds (an older copy, a truncation).
    case databaseBehind = "database_behind"
    /// The database's and the file's newest checkpoints disagree on the same tree size.
    case diverged = "diverged"
    /// The entries no longer hash to the newest signed root, or a newer entry's bytes no
    /// longer match its recorded leaf hash.
    case rewritten = "rewritten"
    /// A checkpoint note does not verify with the audit key.
    case badCheckpoint = "bad_checkpoint"
}

/// A failed anchor check: what was found and a sentence for the operator.
struct AnchorProblem: Error {
    var finding: AnchorFinding
    var message: String

    /// The error a job stops with (exit 77).
    var error: AuditError {
        AuditError(.unanchored, message + "; jobs stay stopped until an operator finds out why and runs `arlink audit recover`, which records what happened")
    }
}

extension AuditLog {
    /// The fail-closed check every job runs before it appends or signs anything: the log must
    /// extend the newest checkpoint it can find, in the database or in the checkpoint file.
    ///
    /// A torn note at the end of the checkpoint file (a crash or a full disk during an append)
    /// is cut off first and the repair recorded (`audit.checkpoint_file_repaired`). A fresh
    /// installation (no entries, no checkpoints anywhere) signs a checkpoint of the empty log,
    /// so that from the first entry on, a log without a checkpoint is never normal.
    /// - Throws: ``AuditError`` `.unanchored` (exit 77) naming what is missing or changed and
    ///   the way out (`arlink audit recover`); `.storage`, `.checkpointFile`, `.checkpointWrite`.
    public func requireAnchored() throws {
        let repair = try checkpointFile.flatMap { try CheckpointFile.repairTornTail($0) }
        do {
            try store.write { db in
                cached = try anchoredState(db)
                if let repair, let checkpointFile {
                    try append([AuditEvent(
                        action: "audit.checkpoint_file_repaired", outcome: "repaired", fileName: URL(fileURLWithPath: checkpointFile).lastPathComponent,
                        detail: ["removed_bytes": String(repair.removedBytes), "removed_sha256": repair.removedSHA256]
                    )], in: db)
                }
            }
        } catch let problem as AnchorProblem {
            throw problem.error
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(.storage, "cannot check the audit log in \(store.path): \(error)", underlying: error)
        }
        try exportCheckpoints()
    }

    /// What ``recover(reference:)`` did.
    public struct Recovery: Sendable {
        /// What the anchor check found; `nil` when there was nothing to recover.
        public var finding: AnchorFinding?
        public var message: String?
        /// Where the previous checkpoint file was moved, if it existed.
        public var supersededFile: String?
        /// The checkpoint signed over the log as it is now.
        public var checkpoint: SignedCheckpoint?
    }

    /// `arlink audit recover`: when the anchor check fails, records what was found in an
    /// `audit.recovered` entry, moves the checkpoint file aside (kept as evidence, never
    /// deleted, its SHA-256 in the entry), writes a new checkpoint file from the database's
    /// checkpoints, and signs a checkpoint over the log as it is now, so jobs can run again.
    ///
    /// Recovery does not make a rewritten history verify: `audit verify` still names every
    /// stored or written-once checkpoint that the entries no longer match.
    /// - Parameter reference: an operator's ticket or case id for the entry (identifier rules).
    /// - Returns: what was found and done; a ``Recovery`` with a `nil` finding changes nothing.
    public func recover(reference: String?) throws -> Recovery {
        let repair = try checkpointFile.flatMap { try CheckpointFile.repairTornTail($0) }
        let problem: AnchorProblem?
        do {
            problem = try store.read { db -> AnchorProblem? in
                do {
                    _ = try anchoredState(db, signGenesis: false)
                    return nil
                } catch let problem as AnchorProblem {
                    return problem
                }
            }
        } catch {
            throw AuditError(.storage, "cannot check the audit log in \(store.path): \(error)", underlying: error)
        }
        guard let problem else {
            if repair != nil { try requireAnchored() }
            return Recovery(finding: nil, message: nil, supersededFile: nil, checkpoint: nil)
        }
        var superseded: (path: String, sha256: String)?
        if let checkpointFile, FileManager.default.fileExists(atPath: checkpointFile) {
            let bytes = [UInt8](FileManager.default.contents(atPath: checkpointFile) ?? Data())
            let path = checkpointFile + ".superseded-" + UTCTimestamp.string().replacingOccurrences(of: ":", with: "")
            guard unsafe rename(checkpointFile, path) == 0 else {
                throw AuditError(.checkpointWrite, "cannot move checkpoint file \(checkpointFile) aside to \(path): \(LocalIO.describe(errno))")
            }
            superseded = (path, hexString(hasher.sha256(bytes)))
        }
        let checkpoint: SignedCheckpoint
        do {
            checkpoint = try store.write { db -> SignedCheckpoint in
                cached = try rebuiltState(db)
                var detail = ["finding": problem.finding.rawValue]
                if let superseded {
                    detail["superseded_file_sha256"] = superseded.sha256
                }
                if let repair { detail["repaired_tail_sha256"] = repair.removedSHA256 }
                try append([AuditEvent(action: "audit.recovered", outcome: "recovered", batchID: reference, recordCount: Int(cached?.frontier.size ?? 0),
                                       errorCode: AuditError.Code.unanchored.description, detail: detail)], in: db)
                return try storeCheckpoint(cached?.frontier ?? MerkleFrontier(), db)
            }
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(.storage, "cannot record the audit recovery in \(store.path): \(error)", underlying: error)
        }
        // The new checkpoint file: every checkpoint the database holds, oldest first.
        if let checkpointFile {
            let rows = try store.read { db in try AuditRecords.checkpoints(db) }
            try CheckpointFile.append(rows.map(\.note), to: checkpointFile)
            try markExported(rows.map(\.id))
        }
        return Recovery(finding: problem.finding, message: problem.message, supersededFile: superseded?.path, checkpoint: checkpoint)
    }

    /// Checks that the log extends its newest signed checkpoint and returns its right edge.
    ///
    /// The newest checkpoint is the largest of the database's newest, the checkpoint file's
    /// newest and the newest one a partner witnessed (each must verify with the audit key). The tree of the stored leaf hashes
    /// up to its size must have its root; every entry after it is re-hashed from its bytes
    /// and must match its recorded leaf hash. The checkpoint file must still hold, in order,
    /// every checkpoint recorded as written to it.
    /// - Parameter signGenesis: on a fresh log, sign the checkpoint of the empty log.
    /// - Throws: ``AnchorProblem``; database errors.
    func anchoredState(_ db: StoreTransaction, signGenesis: Bool = true) throws -> (MerkleFrontier, MerkleHash) {
        guard let signer else { return try rebuiltState(db) }
        let key = try AuditVerifierKey(publicKey: signer.publicKey, keyName: signer.keyName)
        let size = try AuditRecords.entryCount(db)
        let rows = try AuditRecords.checkpoints(db)
        let fileNotes = try checkpointFile.map { try CheckpointFile.read($0) } ?? []
        let fileName = checkpointFile ?? ""

        if size == 0 && rows.isEmpty {
            guard fileNotes.isEmpty else {
                throw AnchorProblem(finding: .databaseReplaced, message: "the state database holds no audit entries, but the checkpoint file \(fileName) holds \(fileNotes.count) checkpoint(s): the database was replaced by a new one")
            }
            let empty = MerkleFrontier()
            if signGenesis { _ = try storeCheckpoint(empty, db) }
            return (empty, .zero)
        }
        guard let newestRow = rows.last else {
            throw AnchorProblem(finding: .noCheckpoint, message: "the audit log holds \(size) entries but no signed checkpoint: the checkpoints were deleted from the database")
        }
        func open(_ note: String, _ source: String) throws -> SignedCheckpoint {
            do {
                return try key.open(note, source: source, origin: origin)
            } catch let error as AuditError {
                throw AnchorProblem(finding: .badCheckpoint, message: error.message)
            }
        }
        var anchor = (checkpoint: try open(newestRow.note, "the newest checkpoint in the database (#\(newestRow.id))"), source: "the newest checkpoint in the database (#\(newestRow.id))")
        if checkpointFile != nil {
            let inFile = Set(fileNotes)
            let lost = rows.filter { $0.exported && !inFile.contains($0.note) }
            if let newestLost = lost.last {
                let lostSize = (try? SignedCheckpoint(unverifiedNote: newestLost.note, source: "checkpoint #\(newestLost.id)").treeSize).map(String.init) ?? "?"
                throw AnchorProblem(finding: .fileLostCheckpoints, message: "the checkpoint file \(fileName) no longer holds \(lost.count) checkpoint(s) that were written to it (the newest of tree size \(lostSize)): the file was deleted, shortened or edited; compare it with the write-once copy")
            }
            var previous: UInt64 = 0
            for (index, note) in fileNotes.enumerated() {
                let source = "checkpoint #\(index + 1) of the checkpoint file \(fileName)"
                let checkpoint = try open(note, source)
                if checkpoint.treeSize < previous {
                    throw AnchorProblem(finding: .fileOutOfOrder, message: "\(source) (tree size \(checkpoint.treeSize)) follows one of tree size \(previous): the file's notes are out of order (a note was removed and added again, or the file was edited)")
                }
                previous = checkpoint.treeSize
                if index == fileNotes.count - 1 {
                    if checkpoint.treeSize > anchor.checkpoint.treeSize {
                        anchor = (checkpoint, source)
                    } else if checkpoint.treeSize == anchor.checkpoint.treeSize, checkpoint.rootHash != anchor.checkpoint.rootHash {
                        throw AnchorProblem(finding: .diverged, message: "\(source) and \(anchor.source) both cover \(checkpoint.treeSize) entries but sign different roots")
                    }
                }
            }
        }
        // The newest checkpoint a partner echoed back: ours, so it binds the log as well.
        if let row = try AuditRecords.newestWitness(db) {
            let source = "the checkpoint partner \(row.partner) witnessed"
            let witnessed = try open(row.note, source)
            if witnessed.treeSize > anchor.checkpoint.treeSize {
                anchor = (witnessed, source)
            } else if witnessed.treeSize == anchor.checkpoint.treeSize, witnessed.rootHash != anchor.checkpoint.rootHash {
                throw AnchorProblem(finding: .diverged, message: "\(source) and \(anchor.source) both cover \(witnessed.treeSize) entries but sign different roots")
            }
        }
        let signed = anchor.checkpoint
        guard signed.treeSize <= size else {
            throw AnchorProblem(finding: .databaseBehind, message: "\(anchor.source) covers \(signed.treeSize) entries but the database holds only \(size): the state database was restored from an older copy or its newest entries were deleted")
        }
        var frontier = try storedFrontier(db, size: signed.treeSize, root: signed.rootHash)
        guard frontier.root(hasher: hasher) == signed.rootHash else {
            throw AnchorProblem(finding: .rewritten, message: "entries 0 to \(Int64(signed.treeSize) - 1) no longer hash to the root signed in \(anchor.source): the log was rewritten")
        }
        var last = MerkleHash.zero
        if signed.treeSize > 0, let stored = try AuditRecords.leafHash(db, at: Int64(signed.treeSize) - 1), let hash = MerkleHash(bytes: stored) {
            last = hash
        }
        // Entries after the checkpoint: re-hashed from their bytes.
        try AuditRecords.forEachEntry(db, from: Int64(signed.treeSize)) { index, entry, storedHash in
            guard index == Int64(frontier.size) else {
                throw AnchorProblem(finding: .rewritten, message: "audit entry \(frontier.size) is missing (the log jumps to entry \(index))")
            }
            let leaf = hasher.leafHash(Array(entry.utf8))
            guard let stored = MerkleHash(bytes: storedHash), stored == leaf else {
                throw AnchorProblem(finding: .rewritten, message: "audit entry \(index), written after \(anchor.source), no longer matches its recorded leaf hash: it was edited")
            }
            frontier.append(leaf, hasher: hasher)
            last = leaf
        }
        return (frontier, last)
    }

    /// The tree's right edge at `size`: the stored one when it has the expected root, else
    /// rebuilt from the stored leaf hashes.
    func storedFrontier(_ db: StoreTransaction, size: UInt64, root: MerkleHash) throws -> MerkleFrontier {
        if let blob = try AuditRecords.frontier(db, size: Int64(size)), blob.count % 32 == 0 {
            let hashes = stride(from: 0, to: blob.count, by: 32).compactMap { MerkleHash(bytes: blob[$0 ..< $0 + 32]) }
            if let frontier = MerkleFrontier(size: size, hashes: hashes), frontier.root(hasher: hasher) == root {
                return frontier
            }
        }
        var frontier = MerkleFrontier()
        try AuditRecords.forEachLeafHash(db, below: Int64(size)) { _, stored in
            guard let leaf = MerkleHash(bytes: stored) else { return false }
            frontier.append(leaf, hasher: hasher)
            return true
        }
        return frontier
    }

    /// The right edge rebuilt from every stored leaf hash (read-only use and recovery).
    func rebuiltState(_ db: StoreTransaction) throws -> (MerkleFrontier, MerkleHash) {
        var frontier = MerkleFrontier()
        var last = MerkleHash.zero
        try AuditRecords.forEachLeafHash(db) { index, stored in
            guard index == Int64(frontier.size), let leaf = MerkleHash(bytes: stored) else {
                throw AuditError(.tampered, "audit entry \(frontier.size) is missing or has a malformed leaf hash; run `arlink audit verify`")
            }
            frontier.append(leaf, hasher: hasher)
            last = leaf
            return true
        }
        return (frontier, last)
    }
}
