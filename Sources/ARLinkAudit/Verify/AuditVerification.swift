/// What `arlink audit verify` found when the log is intact.
public struct AuditVerification: Sendable {
    /// Entries in the log.
    public var entryCount: UInt64
    /// MTH of all entries.
    public var rootHash: MerkleHash
    /// Checkpoints in the database, all signed by the audit key and matching the entries.
    public var checkpointCount: Int
    /// Checkpoints in the exported file (nil when no file was given).
    public var fileCheckpointCount: Int?
    /// The newest checkpoint in the database.
    public var latestCheckpoint: SignedCheckpoint?
    /// Consistency proofs checked between successive checkpoints.
    public var consistencyProofsChecked: Int
    /// Things that are not tampering but deserve attention (entries after the newest
    /// checkpoint, checkpoints not yet exported).
    public var warnings: [String]
    /// Checkpoints partners witnessed (stored, and any copies given), each signed by the audit
    /// key and matching the entries.
    public var witnessCheckpointCount: Int = 0
    /// Entries whose content was removed past retention (their leaf hashes stand for them).
    public var prunedEntryCount: Int = 0
}
