import Foundation

/// Parsing of C2SP signed notes: text, a blank line, then signature lines
/// `— <name> <base64(key id || signature)>` (an em dash U+2014 and a space).
public struct SignedNote: Sendable, Hashable {
    /// One signature line.
    public struct Signature: Sendable, Hashable {
        public var keyName: String
        /// First four bytes of the decoded signature blob.
        public var keyID: [UInt8]
        /// The rest: the raw signature.
        public var signature: [UInt8]
    }

    /// The signed text, ending with a newline.
    public var text: String
    public var signatures: [Signature]

    /// Parses one note.
    /// - Throws: ``AuditError`` `.malformed` naming `source` and what is wrong.
    public init(parsing note: String, source: String) throws {
        guard note.hasSuffix("\n") else { throw AuditError(.malformed, "\(source): a signed note must end with a newline") }
        guard let split = note.range(of: "\n\n", options: .backwards) else {
            throw AuditError(.malformed, "\(source): no blank line between the text and the signatures")
        }
        text = String(note[note.startIndex..<split.lowerBound]) + "\n"
        let signatureBlock = note[split.upperBound...]
        var signatures: [Signature] = []
        for line in signatureBlock.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            guard line.hasPrefix("\u{2014} ") else {
                throw AuditError(.malformed, "\(source): signature line does not start with an em dash and a space")
            }
            let parts = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let blob = Data(base64Encoded: String(parts[1])), blob.count > 4 else {
                throw AuditError(.malformed, "\(source): signature line is not \"— <name> <base64>\"")
            }
            signatures.append(Signature(keyName: String(parts[0]), keyID: Array(blob.prefix(4)), signature: Array(blob.dropFirst(4))))
        }
        guard !signatures.isEmpty else { throw AuditError(.malformed, "\(source): the note has no signature") }
        self.signatures = signatures
    }

    /// Splits a checkpoint file (notes separated by one blank line) into notes.
    public static func splitNotes(_ text: String) -> [String] {
        var notes: [String] = []
        var current: [Substring] = []
        var inSignatures = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                if inSignatures {
                    notes.append(current.joined(separator: "\n") + "\n")
                    current = []
                    inSignatures = false
                } else if !current.isEmpty {
                    current.append(line)
                    inSignatures = true
                }
                continue
            }
            current.append(line)
        }
        if !current.isEmpty {
            notes.append(current.joined(separator: "\n") + "\n")
        }
        return notes
    }
}
