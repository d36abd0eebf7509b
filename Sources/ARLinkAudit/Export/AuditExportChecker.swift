public import ARLinkEnvelope
import Foundation

/// Checks an audit export folder with nothing but the audit public key and the log's origin
/// (`arlink audit check-export`).
public enum AuditExportChecker {
    /// What a valid export established.
    public struct Result: Sendable {
        public var origin: String
        public var treeSize: UInt64
        public var entries: Int
        public var checkpoints: Int
        public var consistencyProofs: Int
    }

    /// Verifies every checkpoint's signature, that the newest is the one the export is
    /// against, every consistency proof to it, and every entry's audit path, sequence number
    /// and day.
    /// - Throws: ``AuditError`` `.malformed` (unreadable files), `.tampered` (a signature, an
    ///   order or a consistency proof fails), `.proofInvalid` (an entry is not in the log).
    public static func check(folder: String, publicKey: Ed25519PublicKey, origin: String) throws -> Result {
        let key = try AuditVerifierKey(publicKey: publicKey, keyName: origin)
        guard let notesData = FileManager.default.contents(atPath: folder + "/" + AuditExport.checkpointsFile),
              let exportData = FileManager.default.contents(atPath: folder + "/" + AuditExport.exportFile) else {
            throw AuditError(.malformed, "\(folder) is not an audit export: \(AuditExport.checkpointsFile) or \(AuditExport.exportFile) is missing")
        }
        let export: AuditExport
        do {
            export = try JSONDecoder().decode(AuditExport.self, from: exportData)
        } catch {
            throw AuditError(.malformed, "\(AuditExport.exportFile) is not an arlink audit export: \(error)")
        }
        guard export.format == AuditExport.formatName else {
            throw AuditError(.malformed, "the export format is \"\(export.format.prefix(60))\", expected \(AuditExport.formatName)")
        }
        let hasher = try MerkleHasher()
        var checkpoints: [SignedCheckpoint] = []
        for (index, note) in SignedNote.splitNotes(String(decoding: notesData, as: UTF8.self)).enumerated() {
            let checkpoint = try key.open(note, source: "checkpoint #\(index + 1) of \(AuditExport.checkpointsFile)", origin: origin)
            if let previous = checkpoints.last, checkpoint.treeSize < previous.treeSize {
                throw AuditError(.tampered, "checkpoint #\(index + 1) of \(AuditExport.checkpointsFile) (tree size \(checkpoint.treeSize)) follows one of tree size \(previous.treeSize): out of order")
            }
            checkpoints.append(checkpoint)
        }
        guard let newest = checkpoints.last, newest.treeSize == export.treeSize, newest.rootHash.base64 == export.rootHash else {
            throw AuditError(.tampered, "the export is against tree size \(export.treeSize), root \(export.rootHash.prefix(44)), which is not the newest signed checkpoint in \(AuditExport.checkpointsFile)")
        }
        var proofs = 0
        for consistency in export.consistency {
            guard let old = checkpoints.first(where: { $0.treeSize == consistency.oldSize }), old.rootHash.base64 == consistency.oldRoot else {
                throw AuditError(.tampered, "a consistency proof starts from tree size \(consistency.oldSize), which no signed checkpoint has with that root")
            }
            let path = try consistency.proof.map { element -> MerkleHash in
                guard let hash = MerkleHash(base64: element) else { throw AuditError(.malformed, "a consistency proof element is not base64 of 32 bytes") }
                return hash
            }
            guard MerkleProofVerifier.verifyConsistency(oldSize: old.treeSize, newSize: newest.treeSize, oldRoot: old.rootHash, newRoot: newest.rootHash,
                                                        proof: path, hasher: hasher) else {
                throw AuditError(.tampered, "the signed checkpoint of tree size \(old.treeSize) is not consistent with the newest (tree size \(newest.treeSize)): the log was rewritten between them")
            }
            proofs += 1
        }
        guard proofs == checkpoints.count - 1 else {
            throw AuditError(.tampered, "the export holds \(proofs) consistency proofs for \(checkpoints.count - 1) older checkpoints: every older checkpoint needs one")
        }
        for proven in export.entries {
            let label = "export entry for leaf \(proven.leafIndex)"
            let path = try proven.inclusionPath.map { element -> MerkleHash in
                guard let hash = MerkleHash(base64: element) else { throw AuditError(.malformed, "\(label): an audit path element is not base64 of 32 bytes") }
                return hash
            }
            let bytes = Array(proven.entry.utf8)
            guard MerkleProofVerifier.verifyInclusion(index: proven.leafIndex, treeSize: newest.treeSize, leafHash: hasher.leafHash(bytes), proof: path,
                                                      root: newest.rootHash, hasher: hasher) else {
                throw AuditError(.proofInvalid, "\(label) is not in the log: its audit path does not lead to the signed root; the entry or the path was altered")
            }
            let entry = try AuditEntry(canonicalBytes: bytes, source: label)
            guard entry.sequence == proven.leafIndex else { throw AuditError(.proofInvalid, "\(label) carries sequence number \(entry.sequence)") }
            let day = String(entry.time.prefix(10))
            guard day >= export.from, day <= export.to else {
                throw AuditError(.proofInvalid, "\(label) was recorded on \(day), outside the exported period \(export.from) to \(export.to)")
            }
        }
        return Result(origin: origin, treeSize: newest.treeSize, entries: export.entries.count, checkpoints: checkpoints.count, consistencyProofs: proofs)
    }
}
