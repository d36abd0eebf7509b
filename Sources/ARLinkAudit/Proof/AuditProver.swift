public import ARLinkStore
import Foundation

/// Builds inclusion proofs (`arlink audit prove`).
public enum AuditProver {
    /// Proves the entries of the transfer `fileID` against the newest checkpoint, or against
    /// the stored checkpoint of `treeSize` (for a verifier who holds an older checkpoint, such
    /// as the one in a file header the partner received).
    ///
    /// The tree is recomputed from the entry bytes (checking the chain on the way) and must
    /// match the checkpoint's root; a proof is never built from a log that does not verify.
    /// - Throws: ``AuditError`` `.notFound` (no checkpoint, no entries, or entries newer than
    ///   the newest checkpoint), `.tampered`, `.storage`.
    public static func prove(store: StateStore, fileID: String, treeSize: UInt64? = nil) throws -> AuditInclusionProof {
        let hasher = try MerkleHasher()
        return try wrapStorage(store) {
            try store.read { db in
                let found: SignedCheckpoint?
                if let treeSize {
                    found = try AuditRecords.checkpointNote(db, treeSize: Int64(treeSize))
                        .map { try SignedCheckpoint(unverifiedNote: $0, source: "the audit checkpoint of tree size \(treeSize)") }
                    guard found != nil else {
                        throw AuditError(.notFound, "the audit log has no checkpoint of tree size \(treeSize); `arlink audit verify` prints the newest one")
                    }
                } else {
                    found = try AuditLog.latestCheckpoint(db)
                }
                guard let checkpoint = found else {
                    throw AuditError(.notFound, "the audit log has no checkpoint yet; a run ends with one")
                }
                let rows = try AuditRecords.entries(db, fileID: fileID)
                guard !rows.isEmpty else {
                    throw AuditError(.notFound, "no audit entries for file id \"\(fileID.prefix(200))\"")
                }
                let covered = rows.filter { $0.index < Int64(checkpoint.treeSize) }
                guard !covered.isEmpty else {
                    throw AuditError(.notFound, "the audit entries for file id \"\(fileID.prefix(200))\" are newer than the checkpoint (tree size \(checkpoint.treeSize)); the next run's checkpoint will cover them")
                }
                let leaves = try EntryScanner.scan(db, hasher: hasher, limit: checkpoint.treeSize)
                guard UInt64(leaves.count) == checkpoint.treeSize else {
                    throw AuditError(.tampered, "the newest checkpoint covers \(checkpoint.treeSize) entries but the database holds \(leaves.count); run `arlink audit verify`")
                }
                let tree = MerkleTree(leafHashes: leaves, hasher: hasher)
                guard tree.root(treeSize: leaves.count, hasher: hasher) == checkpoint.rootHash else {
                    throw AuditError(.tampered, "the entries do not match the newest checkpoint; run `arlink audit verify`")
                }
                var proven: [AuditInclusionProof.ProvenEntry] = []
                for row in covered {
                    let index = row.index
                    let text = row.entry
                    let entry = try AuditEntry(canonicalBytes: Array(text.utf8), source: "audit entry \(index)")
                    guard entry.event.fileID == fileID else {
                        throw AuditError(.tampered, "audit entry \(index) is indexed under file id \"\(fileID.prefix(200))\" but its bytes name another file: the index column was edited")
                    }
                    let path = tree.inclusionProof(index: Int(index), treeSize: leaves.count, hasher: hasher)
                    proven.append(.init(leafIndex: UInt64(index), entry: text, inclusionPath: path.map(\.base64)))
                }
                return AuditInclusionProof(
                    format: AuditInclusionProof.formatName, fileID: fileID, origin: checkpoint.origin, treeSize: checkpoint.treeSize,
                    rootHash: checkpoint.rootHash.base64, checkpoint: checkpoint.noteText, entries: proven)
            }
        }
    }

    static func wrapStorage<T>(_ store: StateStore, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(.storage, "cannot read the audit log in \(store.path): \(error)", underlying: error)
        }
    }
}
