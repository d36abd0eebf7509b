public import ARLinkStore
import Foundation

/// The tamper-evident audit log: appends entries inside the caller's transaction, keeps the
/// Merkle tree's right edge, and signs checkpoints.
///
/// Jobs create one per run, call ``append(_:in:)`` in the same `StateStore.write` transaction
/// as the state change each event describes, and ``checkpoint()`` at the end of the run.
/// Not `Sendable`: one per task.
public final class AuditLog {
    public let store: StateStore
    public let actor: AuditActor
    /// The checkpoint origin (first line of every checkpoint).
    public let origin: String
    /// Where checkpoints are exported, if anywhere.
    public let checkpointFile: String?
    /// A checkpoint is also signed whenever the tree size reaches a multiple of this.
    public let checkpointEvery: UInt64
    let signer: AuditSigner?
    let hasher: MerkleHasher
    /// The tree's right edge after the last append this process made (validated against the
    /// database before each use).
    var cached: (frontier: MerkleFrontier, lastLeaf: MerkleHash)?

    /// - Parameters:
    ///   - store: the state database (its migrations create the audit tables).
    ///   - actor: who runs this process, usually ``AuditActor/current()``.
    ///   - signer: the audit key; `nil` only for read-only use (append still works, checkpoints throw).
    ///   - origin: the log's name in checkpoints, e.g. `arlink.acme/audit`.
    ///   - checkpointFile: the append-only export file, if configured.
    ///   - checkpointEvery: sign a checkpoint every this many entries (default 10,000).
    public init(store: StateStore, actor: AuditActor, signer: AuditSigner?, origin: String, checkpointFile: String?, checkpointEvery: Int = 10_000) throws {
        self.store = store
        self.actor = actor
        self.signer = signer
        self.origin = origin
        self.checkpointFile = checkpointFile
        self.checkpointEvery = UInt64(max(1, checkpointEvery))
        hasher = try MerkleHasher()
        guard !origin.isEmpty, !origin.contains("\n") else {
            throw AuditError(.key, "audit origin must be one non-empty line")
        }
    }

    /// Appends one entry per event, inside the caller's write transaction: the entries commit
    /// or roll back with the state change they describe.
    ///
    /// Identifiers that could come from a partner and break the identifier rule are replaced
    /// by their SHA-256 (`sha256:<hex>`); then every event is checked (``AuditEvent/validate()``)
    /// and one bad event appends nothing.
    /// When the tree size reaches a multiple of ``checkpointEvery`` a checkpoint is signed and
    /// stored in the same transaction (it is exported to the file by ``checkpoint()``).
    /// - Throws: ``AuditError`` `.invalidEvent`, `.storage`, `.key`.
    public func append(_ events: [AuditEvent], in db: StoreTransaction) throws {
        guard !events.isEmpty else { return }
        let events = events.map { $0.withSafeIdentifiers(hasher: hasher) }
        for event in events { try event.validate() }
        do {
            var (frontier, last) = try syncedState(db)
            let time = UTCTimestamp.string()
            let entries = try AuditRecords.appender(db)
            for event in events {
                let entry = AuditEntry(sequence: frontier.size, previous: last, time: time, actor: actor, event: event)
                let bytes = entry.canonicalBytes
                let leaf = hasher.leafHash(bytes)
                try entries.append(index: Int64(frontier.size), entry: bytes, leafHash: leaf.bytes, recordedAt: time, action: event.action, fileID: event.fileID)
                frontier.append(leaf, hasher: hasher)
                last = leaf
                if frontier.size % checkpointEvery == 0, signer != nil {
                    _ = try storeCheckpoint(frontier, db)
                }
            }
            try AuditRecords.recordFrontier(db, size: Int64(frontier.size), hashes: frontier.hashes.flatMap(\.bytes))
            cached = (frontier, last)
        } catch let error as AuditError {
            cached = nil
            throw error
        } catch {
            cached = nil
            throw AuditError(.storage, "cannot append to the audit log in \(store.path): \(error)", underlying: error)
        }
    }

    /// Signs and stores a checkpoint of the current tree, then appends every checkpoint not
    /// yet exported to the checkpoint file. Called at the end of each run.
    ///
    /// When the newest stored checkpoint already covers the whole log, it is returned as is.
    /// - Throws: ``AuditError`` `.key` without a signer, `.storage`, `.checkpointFile`.
    @discardableResult
    public func checkpoint() throws -> SignedCheckpoint {
        guard signer != nil else { throw AuditError(.key, "no audit signing key is configured, so no checkpoint can be signed") }
        let checkpoint: SignedCheckpoint
        do {
            checkpoint = try store.write { db -> SignedCheckpoint in
                let (frontier, _) = try syncedState(db)
                if let latest = try Self.latestCheckpoint(db), latest.treeSize == frontier.size {
                    return latest
                }
                return try storeCheckpoint(frontier, db)
            }
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(.storage, "cannot store the audit checkpoint in \(store.path): \(error)", underlying: error)
        }
        try exportCheckpoints()
        return checkpoint
    }

    /// The newest stored checkpoint (its note text goes into every outbound file header).
    public func latestCheckpoint() throws -> SignedCheckpoint? {
        do {
            return try store.read { try Self.latestCheckpoint($0) }
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(.storage, "cannot read the audit checkpoints in \(store.path): \(error)", underlying: error)
        }
    }

    /// Appends to the checkpoint file every stored checkpoint not yet exported, oldest first,
    /// and records each as exported once the file is `fsync`ed. A checkpoint already in the
    /// file (a crash after the append, before the record) is recorded without a second copy.
    /// - Throws: ``AuditError`` `.storage`, `.checkpointFile`, `.checkpointWrite`.
    public func exportCheckpoints() throws {
        guard let checkpointFile else { return }
        let pending: [(id: Int64, note: String)]
        do {
            pending = try store.read { db in try AuditRecords.unexportedCheckpoints(db) }
        } catch {
            throw AuditError(.storage, "cannot read the audit checkpoints in \(store.path): \(error)", underlying: error)
        }
        guard !pending.isEmpty else { return }
        let inFile = Set(try CheckpointFile.read(checkpointFile))
        try CheckpointFile.append(pending.filter { !inFile.contains($0.note) }.map(\.note), to: checkpointFile)
        try markExported(pending.map(\.id))
    }

    /// Records checkpoints as written to the checkpoint file.
    func markExported(_ ids: [Int64]) throws {
        do {
            try store.write { db in try AuditRecords.markExported(db, checkpointIDs: ids, at: UTCTimestamp.string()) }
        } catch {
            throw AuditError(.storage, "cannot record the exported audit checkpoints in \(store.path): \(error)", underlying: error)
        }
    }

    static func latestCheckpoint(_ db: StoreTransaction) throws -> SignedCheckpoint? {
        guard let note = try AuditRecords.newestCheckpointNote(db) else { return nil }
        return try SignedCheckpoint(unverifiedNote: note, source: "the newest audit checkpoint")
    }

    func storeCheckpoint(_ frontier: MerkleFrontier, _ db: StoreTransaction) throws -> SignedCheckpoint {
        guard let signer else { throw AuditError(.key, "no audit signing key is configured") }
        let root = frontier.root(hasher: hasher)
        let checkpoint = try signer.signCheckpoint(origin: origin, treeSize: frontier.size, rootHash: root)
        try AuditRecords.insertCheckpoint(db, treeSize: Int64(frontier.size), rootHash: root.bytes, note: checkpoint.noteText, createdAt: UTCTimestamp.string())
        return checkpoint
    }

    /// The right edge of the tree as the database holds it now: the cached one when the
    /// database's last entry is the one this process wrote, else the state the anchor check
    /// establishes (``anchoredState(_:)``): the log must extend its newest signed checkpoint.
    private func syncedState(_ db: StoreTransaction) throws -> (MerkleFrontier, MerkleHash) {
        if let cached {
            // The cache holds when the newest entry is still the one it ends with (or there is none).
            let newest = try AuditRecords.newestLeaf(db)
            let holds = newest.map { Int64(cached.frontier.size) == $0.index + 1 && MerkleHash(bytes: $0.leafHash) == cached.lastLeaf }
                ?? (cached.frontier.size == 0)
            if holds { return cached }
        }
        do {
            let state = try anchoredState(db)
            cached = state
            return state
        } catch let problem as AnchorProblem {
            throw problem.error
        }
    }
}
