/// The right edge of a growing Merkle tree: the roots of the perfect subtrees that make up
/// the first `size` leaves (one per set bit of `size`, largest first).
///
/// Appending a leaf and computing the root are both O(log n), so the log never re-reads
/// old entries to sign a checkpoint.
public struct MerkleFrontier: Sendable, Equatable {
    /// Roots of the perfect subtrees, largest (leftmost) first.
    public private(set) var hashes: [MerkleHash] = []
    /// Number of leaves appended.
    public private(set) var size: UInt64 = 0

    public init() {}

    /// Restores a frontier saved from ``hashes`` and ``size``; `nil` when they do not fit together.
    public init?(size: UInt64, hashes: [MerkleHash]) {
        guard size.nonzeroBitCount == hashes.count else { return nil }
        self.size = size
        self.hashes = hashes
    }

    /// Adds the next leaf hash, merging equal-sized subtrees.
    public mutating func append(_ leaf: MerkleHash, hasher: MerkleHasher) {
        var hash = leaf
        var carry = size
        while carry & 1 == 1 {
            hash = hasher.nodeHash(hashes.removeLast(), hash)
            carry >>= 1
        }
        hashes.append(hash)
        size += 1
    }

    /// The RFC 9162 tree head of the leaves appended so far.
    public func root(hasher: MerkleHasher) -> MerkleHash {
        guard var root = hashes.last else { return hasher.emptyRoot() }
        for hash in hashes.dropLast().reversed() {
            root = hasher.nodeHash(hash, root)
        }
        return root
    }
}
