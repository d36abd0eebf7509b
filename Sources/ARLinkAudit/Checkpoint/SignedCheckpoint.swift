/// A checkpoint of the audit log in C2SP signed-note text (c2sp.org/tlog-checkpoint and
/// c2sp.org/signed-note):
///
/// ```
/// <origin>
/// <tree size>
/// <base64 root hash>
///
/// — <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>
/// ```
/// The signature covers the three body lines including the final newline.
public struct SignedCheckpoint: Sendable, Hashable {
    /// The log's name, the first line.
    public var origin: String
    /// Number of entries the checkpoint covers.
    public var treeSize: UInt64
    /// MTH of the first `treeSize` entries.
    public var rootHash: MerkleHash
    /// The whole note (body, blank line, signature lines), ending with a newline.
    public var noteText: String

    /// The signed body: origin, size, base64 root, each followed by a newline.
    public static func body(origin: String, treeSize: UInt64, rootHash: MerkleHash) -> String {
        "\(origin)\n\(treeSize)\n\(rootHash.base64)\n"
    }
}
