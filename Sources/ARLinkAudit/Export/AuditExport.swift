public import ARLinkStore
import Foundation

/// A verifiable export of one period of the audit log for an auditor (`arlink audit export`):
/// the period's entries with inclusion proofs against the newest checkpoint, every checkpoint,
/// and a consistency proof from each checkpoint to the newest. `arlink audit check-export`
/// (``AuditExportChecker``) verifies it with the audit public key alone; the format is plain
/// enough to check with any SHA-256 and Ed25519 implementation (the folder's README says how).
public struct AuditExport: Codable, Sendable {
    /// A consistency proof from an older checkpoint to the newest one.
    public struct Consistency: Codable, Sendable {
        public var oldSize: UInt64
        public var oldRoot: String
        /// RFC 9162 consistency proof, base64.
        public var proof: [String]

        enum CodingKeys: String, CodingKey {
            case oldSize = "old_size"
            case oldRoot = "old_root"
            case proof
        }
    }

    /// `arlink-audit-export-v1`.
    public var format: String
    public var origin: String
    /// First and last day of the period, inclusive (`YYYY-MM-DD`, UTC).
    public var from: String
    public var to: String
    /// The newest checkpoint's tree size and root (base64), which every proof is against.
    public var treeSize: UInt64
    public var rootHash: String
    /// Entries of the period recorded after the newest checkpoint (not in this export).
    public var uncoveredEntries: Int
    public var entries: [AuditInclusionProof.ProvenEntry]
    public var consistency: [Consistency]

    public static let formatName = "arlink-audit-export-v1"
    /// File names inside the export folder.
    public static let exportFile = "export.json", checkpointsFile = "checkpoints.log", readmeFile = "README.md"

    enum CodingKeys: String, CodingKey {
        case format, origin, from, to
        case treeSize = "tree_size"
        case rootHash = "root_hash"
        case uncoveredEntries = "uncovered_entries"
        case entries, consistency
    }

    /// Writes the export of the days `from` to `to` into the new folder `out`.
    ///
    /// The tree is recomputed from the entry bytes (checking the chain) and must match the
    /// newest checkpoint; an export is never made from a log that does not verify.
    /// - Returns: the export written.
    /// - Throws: ``AuditError`` `.notFound` (no checkpoint yet), `.tampered`, `.malformed`
    ///   (dates), `.checkpointFile` (the folder exists or cannot be written), `.storage`.
    @discardableResult
    public static func write(store: StateStore, from: String, to: String, out: String) throws -> AuditExport {
        for (name, day) in [("--from", from), ("--to", to)] where !AuditReport.isDay(day) {
            throw AuditError(.malformed, "\(name) \"\(day.prefix(40))\" is not a date (expected YYYY-MM-DD)")
        }
        guard from <= to else { throw AuditError(.malformed, "--from \(from) is after --to \(to)") }
        guard !FileManager.default.fileExists(atPath: out) else {
            throw AuditError(.checkpointFile, "\(out) already exists; an export goes into a new folder")
        }
        let hasher = try MerkleHasher()
        let (export, notes) = try AuditProver.wrapStorage(store) {
            try store.read { db -> (AuditExport, [String]) in
                let notes = try AuditRecords.checkpoints(db).map(\.note)
                guard let newestNote = notes.last else { throw AuditError(.notFound, "the audit log has no checkpoint yet; a run ends with one") }
                let newest = try SignedCheckpoint(unverifiedNote: newestNote, source: "the newest audit checkpoint")
                let leaves = try EntryScanner.scan(db, hasher: hasher, limit: newest.treeSize)
                let tree = MerkleTree(leafHashes: leaves, hasher: hasher)
                guard UInt64(leaves.count) == newest.treeSize, tree.root(treeSize: leaves.count, hasher: hasher) == newest.rootHash else {
                    throw AuditError(.tampered, "the entries do not match the newest checkpoint; run `arlink audit verify`")
                }
                let rows = try AuditRecords.entries(db, recordedFrom: from, until: to + "T99")
                var entries: [AuditInclusionProof.ProvenEntry] = []
                var uncovered = 0
                for row in rows {
                    let index = row.index
                    guard UInt64(index) < newest.treeSize else { uncovered += 1; continue }
                    // Past retention, only the leaf hash is left: nothing to prove about it.
                    if AuditEntry.isPruned(row.entry) { continue }
                    let path = tree.inclusionProof(index: Int(index), treeSize: leaves.count, hasher: hasher)
                    entries.append(.init(leafIndex: UInt64(index), entry: row.entry, inclusionPath: path.map(\.base64)))
                }
                var consistency: [Consistency] = []
                for note in notes.dropLast() {
                    let old = try SignedCheckpoint(unverifiedNote: note, source: "an audit checkpoint")
                    let proof = tree.consistencyProof(oldSize: Int(old.treeSize), newSize: leaves.count, hasher: hasher)
                    consistency.append(.init(oldSize: old.treeSize, oldRoot: old.rootHash.base64, proof: proof.map(\.base64)))
                }
                let export = AuditExport(format: formatName, origin: newest.origin, from: from, to: to, treeSize: newest.treeSize,
                                         rootHash: newest.rootHash.base64, uncoveredEntries: uncovered, entries: entries, consistency: consistency)
                return (export, notes)
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(export).write(to: URL(fileURLWithPath: out + "/" + exportFile))
            try Data(notes.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: out + "/" + checkpointsFile))
            try Data(readme(export).utf8).write(to: URL(fileURLWithPath: out + "/" + readmeFile))
        } catch {
            throw AuditError(.checkpointFile, "cannot write the export into \(out): \(error.localizedDescription)")
        }
        return export
    }

    /// The folder's README: what is inside and how to check it.
    static func readme(_ export: AuditExport) -> String {
        """
        # arlink audit log export: \(export.from) to \(export.to)

        Log `\(export.origin)`; \(export.entries.count) entries recorded in the period, proven against the newest
        signed checkpoint (tree size \(export.treeSize), root `\(export.rootHash)`).\(export.uncoveredEntries > 0 ? " \(export.uncoveredEntries) later entries of the period are not yet covered by a checkpoint and are not included." : "")

        - `\(checkpointsFile)`: every signed checkpoint of the log, oldest first (C2SP signed notes, each followed by a blank line).
        - `\(exportFile)`: the entries (`entries[].entry`, canonical JSON bytes as UTF-8), each with its leaf index and RFC 9162
          audit path to the newest checkpoint, and an RFC 9162 consistency proof from every older checkpoint to the newest.

        Check it with the audit public key and the log's origin, no database needed:

            arlink audit check-export THIS-FOLDER --key audit.pub --origin \(export.origin)

        Or independently: each note's signature is Ed25519 over the note's text lines (up to the blank line, with the final
        newline) by the key named `\(export.origin)`, whose 4-byte key id is SHA-256(name || 0x0A || 0x01 || public key)[0..4];
        a leaf hash is SHA-256(0x00 || entry bytes), an inner node SHA-256(0x01 || left || right); the audit paths and
        consistency proofs are checked as RFC 9162 sections 2.1.3.2 and 2.1.4.2 describe.
        """
    }
}
