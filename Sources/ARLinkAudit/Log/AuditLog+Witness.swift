public import ARLinkStore
import Foundation

extension AuditLog {
    /// What a partner's echoed checkpoint says about our log.
    public enum WitnessCheck: Sendable {
        /// Our signature, our origin, and our log holds exactly that tree.
        case consistent(SignedCheckpoint)
        /// Not a checkpoint of ours (no valid signature by our audit key, another origin, or
        /// not a checkpoint at all): the partner's file is at fault.
        case notOurs(String)
    }

    /// Checks a checkpoint a partner echoed in its signed feedback header (the newest one it
    /// received from us, in a portfolio header) against our log.
    ///
    /// - Returns: ``WitnessCheck/consistent(_:)`` or ``WitnessCheck/notOurs(_:)``.
    /// - Throws: ``AuditError`` `.unanchored` (exit 77) when the note is ours but our log does not
    ///   hold that tree: fewer entries (an older copy of the database) or another root (the log
    ///   was rewritten). The partner's file is not to blame and stays where it is.
    public func checkWitness(_ note: String, partner: String) throws -> WitnessCheck {
        guard let signer else { throw AuditError(.key, "no audit key is configured to check the partner's witnessed checkpoint") }
        let key = try AuditVerifierKey(publicKey: signer.publicKey, keyName: signer.keyName)
        let checkpoint: SignedCheckpoint
        do {
            checkpoint = try key.open(note, source: "the audit checkpoint partner \(partner) echoed", origin: origin)
        } catch let error as AuditError {
            return .notOurs(error.message)
        }
        let root: MerkleHash?
        do {
            root = try store.read { db -> MerkleHash? in
                let size = try AuditRecords.entryCount(db)
                guard checkpoint.treeSize <= size else { return nil }
                return try storedRoot(db, size: checkpoint.treeSize, expected: checkpoint.rootHash)
            }
        } catch {
            throw AuditError(.storage, "cannot read the audit log in \(store.path): \(error)", underlying: error)
        }
        guard let root else {
            throw AnchorProblem(finding: .databaseBehind, message: "partner \(partner) holds our signed checkpoint of \(checkpoint.treeSize) entries, more than our audit log holds: the state database was restored from an older copy or its newest entries were deleted").error
        }
        guard root == checkpoint.rootHash else {
            throw AnchorProblem(finding: .rewritten, message: "partner \(partner) holds our signed checkpoint of \(checkpoint.treeSize) entries, but our entries 0 to \(Int64(checkpoint.treeSize) - 1) no longer hash to its root: the log was rewritten").error
        }
        return .consistent(checkpoint)
    }

    /// Keeps a consistent witnessed checkpoint (in the transaction that applies the partner's
    /// file), so later runs and `audit verify` check the log against it too.
    public func recordWitness(_ checkpoint: SignedCheckpoint, partner: String, fileSHA256: String, in db: StoreTransaction) throws {
        try AuditRecords.insertWitness(db, partner: partner, fileSHA256: fileSHA256, treeSize: Int64(checkpoint.treeSize), rootHash: checkpoint.rootHash.bytes,
                                       note: checkpoint.noteText, receivedAt: UTCTimestamp.string())
    }

    /// The root of the first `size` stored leaf hashes (the stored right edge when its root is
    /// the expected one, which it then is by construction).
    func storedRoot(_ db: StoreTransaction, size: UInt64, expected: MerkleHash) throws -> MerkleHash {
        try storedFrontier(db, size: size, root: expected).root(hasher: hasher)
    }
}
