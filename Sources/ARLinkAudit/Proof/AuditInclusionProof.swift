/// An inclusion proof for the entries of one transfer against a signed checkpoint, as JSON
/// (`arlink audit prove`). Everything needed to check it is inside, except the audit public
/// key and an independently obtained copy of the checkpoint.
public struct AuditInclusionProof: Codable, Sendable, Hashable {
    /// One proven entry.
    public struct ProvenEntry: Codable, Sendable, Hashable {
        /// The entry's 0-based position (Merkle leaf index).
        public var leafIndex: UInt64
        /// The entry's canonical bytes, as UTF-8 text.
        public var entry: String
        /// RFC 9162 audit path, nearest sibling first, base64.
        public var inclusionPath: [String]

        public init(leafIndex: UInt64, entry: String, inclusionPath: [String]) {
            self.leafIndex = leafIndex
            self.entry = entry
            self.inclusionPath = inclusionPath
        }

        enum CodingKeys: String, CodingKey {
            case leafIndex = "leaf_index"
            case entry
            case inclusionPath = "inclusion_path"
        }
    }

    /// `arlink-audit-inclusion-proof-v1`.
    public var format: String
    /// The transfer's file id.
    public var fileID: String
    public var origin: String
    /// Tree size of the checkpoint the proof is against.
    public var treeSize: UInt64
    /// Root hash of that checkpoint, base64.
    public var rootHash: String
    /// The checkpoint note itself, for convenience (the checker uses its own copy).
    public var checkpoint: String
    public var entries: [ProvenEntry]

    public init(format: String = AuditInclusionProof.formatName, fileID: String, origin: String, treeSize: UInt64, rootHash: String, checkpoint: String, entries: [ProvenEntry]) {
        self.format = format
        self.fileID = fileID
        self.origin = origin
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.checkpoint = checkpoint
        self.entries = entries
    }

    public static let formatName = "arlink-audit-inclusion-proof-v1"

    enum CodingKeys: String, CodingKey {
        case format
        case fileID = "file_id"
        case origin
        case treeSize = "tree_size"
        case rootHash = "root_hash"
        case checkpoint
        case entries
    }
}
