import Foundation

extension SignedCheckpoint {
    /// Reads origin, size and root from a note without checking its signature (for notes
    /// this process just read back from its own database; verification uses
    /// ``AuditVerifierKey/open(_:source:origin:)``).
    /// - Throws: ``AuditError`` `.malformed`.
    public init(unverifiedNote note: String, source: String) throws {
        let text = note.range(of: "\n\n").map { String(note[..<$0.lowerBound]) + "\n" } ?? note
        let (origin, size, root) = try Self.parseBody(text, source: source)
        self.init(origin: origin, treeSize: size, rootHash: root, noteText: note)
    }

    /// Parses a checkpoint body exactly as C2SP tlog-checkpoint specifies: the origin line, the
    /// tree size in decimal ASCII without a sign or leading zeros, the root hash in standard
    /// base64 of 32 bytes, optional extension lines, each line ending in a newline; no
    /// control characters but the newlines (c2sp.org/signed-note).
    /// - Throws: ``AuditError`` `.malformed` naming `source` and what is wrong.
    static func parseBody(_ text: String, source: String) throws -> (origin: String, size: UInt64, root: MerkleHash) {
        guard !text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F }) else {
            throw AuditError(.malformed, "\(source): the checkpoint text holds a control character")
        }
        guard text.hasSuffix("\n") else { throw AuditError(.malformed, "\(source): the checkpoint text does not end with a newline") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, !lines[0].isEmpty else {
            throw AuditError(.malformed, "\(source) is not a checkpoint note (origin, tree size, base64 root hash)")
        }
        let digits = lines[1].utf8
        guard !digits.isEmpty, digits.count <= 20, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              digits.count == 1 || digits.first != 0x30, let size = UInt64(lines[1]) else {
            throw AuditError(.malformed, "\(source): the tree size \"\(lines[1].prefix(24))\" is not a decimal number without sign or leading zeros")
        }
        guard let root = MerkleHash(base64: String(lines[2])), root.base64 == lines[2] else {
            throw AuditError(.malformed, "\(source): the root hash is not standard base64 of 32 bytes")
        }
        guard !lines.dropFirst(3).contains(where: \.isEmpty) else {
            throw AuditError(.malformed, "\(source): an extension line is empty")
        }
        return (String(lines[0]), size, root)
    }
}
