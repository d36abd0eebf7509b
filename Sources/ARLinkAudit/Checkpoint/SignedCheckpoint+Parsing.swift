extension SignedCheckpoint {
    /// Reads origin, size and root from a note without checking its signature (for notes
    /// this process just read back from its own database; verification uses
    /// ``AuditVerifierKey/open(_:source:origin:)``).
    /// - Throws: ``AuditError`` `.malformed`.
    public init(unverifiedNote note: String, source: String) throws {
        let lines = note.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, let size = UInt64(lines[1]), let root = MerkleHash(base64: String(lines[2])) else {
            throw AuditError(.malformed, "\(source) is not a checkpoint note (origin, tree size, base64 root hash)")
        }
        self.init(origin: String(lines[0]), treeSize: size, rootHash: root, noteText: note)
    }
}
