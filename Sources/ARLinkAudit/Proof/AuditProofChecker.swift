public import ARLinkEnvelope
import Foundation

/// Checks an inclusion proof with nothing but the proof, a checkpoint and the audit public
/// key: no database (`arlink audit check-proof`). This is what a partner or auditor runs.
public enum AuditProofChecker {
    /// What a valid proof established.
    public struct Result: Sendable {
        public var fileID: String
        public var origin: String
        public var treeSize: UInt64
        public var keyName: String
        public var entries: [AuditEntry]
    }

    /// Verifies `proofJSON` against the checkpoint of the same tree size found in
    /// `checkpointText` (one note, or a whole exported checkpoint file).
    ///
    /// The key is identified by what the caller knows, the public key and the log's origin
    /// (which is the key's name): the name written in a note is not trusted, so a note
    /// relabelled with another name is refused.
    ///
    /// - Throws: ``AuditError`` `.malformed` (unreadable proof or note), `.tampered` (the
    ///   checkpoint is not signed by `publicKey`), `.notFound` (no checkpoint of that size),
    ///   `.proofInvalid` (an entry is not in the log, or is not about the file).
    public static func check(proofJSON: [UInt8], checkpointText: String, publicKey: Ed25519PublicKey, origin: String) throws -> Result {
        let proof: AuditInclusionProof
        do {
            proof = try JSONDecoder().decode(AuditInclusionProof.self, from: Data(proofJSON))
        } catch {
            throw AuditError(.malformed, "the proof is not an arlink inclusion proof (JSON with format, file_id, tree_size, root_hash, entries): \(error)")
        }
        guard proof.format == AuditInclusionProof.formatName else {
            throw AuditError(.malformed, "the proof format is \"\(proof.format.prefix(60))\", expected \(AuditInclusionProof.formatName)")
        }
        guard !proof.entries.isEmpty else { throw AuditError(.malformed, "the proof holds no entries") }
        let hasher = try MerkleHasher()

        let key = try AuditVerifierKey(publicKey: publicKey, keyName: origin)
        var checkpoint: SignedCheckpoint?
        var sizes: [UInt64] = []
        for (index, note) in SignedNote.splitNotes(checkpointText).enumerated() {
            let opened = try key.open(note, source: "checkpoint #\(index + 1) of the given checkpoint file", origin: origin)
            sizes.append(opened.treeSize)
            if opened.treeSize == proof.treeSize { checkpoint = opened }
        }
        guard let checkpoint else {
            throw AuditError(.notFound, "the given checkpoints (tree sizes \(sizes.map(String.init).joined(separator: ", "))) include none of tree size \(proof.treeSize), which the proof is for")
        }
        guard checkpoint.origin == proof.origin else {
            throw AuditError(.proofInvalid, "the proof is for log \"\(proof.origin.prefix(80))\" but the checkpoint is for \"\(checkpoint.origin.prefix(80))\"")
        }
        if let claimed = MerkleHash(base64: proof.rootHash), claimed != checkpoint.rootHash {
            throw AuditError(.proofInvalid, "the proof claims root \(proof.rootHash) but the signed checkpoint of tree size \(proof.treeSize) has root \(checkpoint.rootHash.base64)")
        }

        var entries: [AuditEntry] = []
        for proven in proof.entries {
            let label = "proof entry for leaf \(proven.leafIndex)"
            var path: [MerkleHash] = []
            for element in proven.inclusionPath {
                guard let hash = MerkleHash(base64: element) else { throw AuditError(.malformed, "\(label): an inclusion path element is not base64 of 32 bytes") }
                path.append(hash)
            }
            let bytes = Array(proven.entry.utf8)
            let leaf = hasher.leafHash(bytes)
            guard MerkleProofVerifier.verifyInclusion(index: proven.leafIndex, treeSize: checkpoint.treeSize, leafHash: leaf, proof: path, root: checkpoint.rootHash, hasher: hasher) else {
                throw AuditError(.proofInvalid, "\(label) is not in the log: its inclusion path does not lead to the root of the signed checkpoint (tree size \(checkpoint.treeSize)); the entry or the path was altered")
            }
            let entry = try AuditEntry(canonicalBytes: bytes, source: label)
            guard entry.sequence == proven.leafIndex else {
                throw AuditError(.proofInvalid, "\(label) carries sequence number \(entry.sequence)")
            }
            guard entry.event.fileID == proof.fileID else {
                throw AuditError(.proofInvalid, "\(label) is in the log but is about another file, not \"\(proof.fileID.prefix(200))\"")
            }
            entries.append(entry)
        }
        return Result(fileID: proof.fileID, origin: checkpoint.origin, treeSize: checkpoint.treeSize, keyName: key.keyName, entries: entries)
    }
}
