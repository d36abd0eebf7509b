import Dispatch
import Synchronization

/// An RFC 9162 Merkle tree held in memory: every leaf hash and every perfect-subtree hash,
/// level by level (about 2n hashes, 64 MB for a million leaves).
///
/// Built in O(n) hashes; after that any tree head MTH(D[0:m]), inclusion proof or
/// consistency proof costs O(log² n) hashes, so verification can check a consistency proof
/// between every pair of successive checkpoints.
public struct MerkleTree: Sendable {
    /// `levels[0]` are the leaf hashes; `levels[h][i]` is the root of leaves `i·2^h ..< (i+1)·2^h`.
    private var levels: [[MerkleHash]]

    /// Number of leaves.
    public var size: Int { levels[0].count }

    /// Builds the tree over `leafHashes`. Large levels are hashed by two threads (each with its
    /// own digest context), since verification of a million entries spends a fifth of its
    /// time here.
    public init(leafHashes: [MerkleHash], hasher: MerkleHasher) {
        var levels = [leafHashes]
        while let last = levels.last, last.count > 1 {
            let pairs = last.count / 2
            if pairs >= 1 << 15, let level = Self.parallelLevel(last, pairs: pairs) {
                levels.append(level)
                continue
            }
            var next: [MerkleHash] = []
            next.reserveCapacity(pairs)
            for pair in 0..<pairs {
                next.append(hasher.nodeHash(last[2 * pair], last[2 * pair + 1]))
            }
            levels.append(next)
        }
        self.levels = levels
    }

    /// One level from the one below, the two halves hashed concurrently (each with its own
    /// digest context); nil when a context cannot be made.
    private static func parallelLevel(_ below: [MerkleHash], pairs: Int) -> [MerkleHash]? {
        let halves = Mutex<[[MerkleHash]?]>([nil, nil])
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            guard let hasher = try? MerkleHasher() else { return }
            let range = part == 0 ? 0..<(pairs / 2) : (pairs / 2)..<pairs
            var half: [MerkleHash] = []
            half.reserveCapacity(range.count)
            for pair in range { half.append(hasher.nodeHash(below[2 * pair], below[2 * pair + 1])) }
            halves.withLock { $0[part] = half }
        }
        return halves.withLock { halves in
            guard let first = halves[0], let second = halves[1] else { return nil }
            return first + second
        }
    }

    /// The leaf hash at `index`.
    public func leaf(_ index: Int) -> MerkleHash { levels[0][index] }

    /// MTH(D[start:end]) for a range that the RFC recursion produces: `start` is a multiple
    /// of the largest power of two not above `end - start` (true for every range below).
    func subtreeHash(_ start: Int, _ end: Int, hasher: MerkleHasher) -> MerkleHash {
        let count = end - start
        if count == 1 { return levels[0][start] }
        if count & (count - 1) == 0 {
            let height = count.trailingZeroBitCount
            if start % count == 0, height < levels.count, start / count < levels[height].count {
                return levels[height][start / count]
            }
        }
        let split = Self.largestPowerOfTwo(below: count)
        return hasher.nodeHash(subtreeHash(start, start + split, hasher: hasher), subtreeHash(start + split, end, hasher: hasher))
    }

    /// MTH(D[0:treeSize]), the tree head after `treeSize` leaves.
    public func root(treeSize: Int, hasher: MerkleHasher) -> MerkleHash {
        precondition(treeSize >= 0 && treeSize <= size, "tree size out of range")
        return treeSize == 0 ? hasher.emptyRoot() : subtreeHash(0, treeSize, hasher: hasher)
    }

    /// PATH(m, D[0:n]) of RFC 9162 section 2.1.3.1: the audit path of leaf `index` in the
    /// tree of the first `treeSize` leaves, nearest sibling first.
    public func inclusionProof(index: Int, treeSize: Int, hasher: MerkleHasher) -> [MerkleHash] {
        precondition(index >= 0 && index < treeSize && treeSize <= size, "leaf index out of range")
        var proof: [MerkleHash] = []
        path(index, 0, treeSize, into: &proof, hasher: hasher)
        return proof
    }

    private func path(_ m: Int, _ start: Int, _ end: Int, into proof: inout [MerkleHash], hasher: MerkleHasher) {
        let n = end - start
        if n <= 1 { return }
        let k = Self.largestPowerOfTwo(below: n)
        if m < k {
            path(m, start, start + k, into: &proof, hasher: hasher)
            proof.append(subtreeHash(start + k, end, hasher: hasher))
        } else {
            path(m - k, start + k, end, into: &proof, hasher: hasher)
            proof.append(subtreeHash(start, start + k, hasher: hasher))
        }
    }

    /// PROOF(m, D[0:n]) of RFC 9162 section 2.1.4.1: proves that the tree of `oldSize`
    /// leaves is a prefix of the tree of `newSize` leaves.
    public func consistencyProof(oldSize: Int, newSize: Int, hasher: MerkleHasher) -> [MerkleHash] {
        precondition(oldSize >= 0 && oldSize <= newSize && newSize <= size, "sizes out of range")
        var proof: [MerkleHash] = []
        if oldSize == 0 || oldSize == newSize { return proof }
        subproof(oldSize, 0, newSize, complete: true, into: &proof, hasher: hasher)
        return proof
    }

    private func subproof(_ m: Int, _ start: Int, _ end: Int, complete: Bool, into proof: inout [MerkleHash], hasher: MerkleHasher) {
        let n = end - start
        if m == n {
            if !complete { proof.append(subtreeHash(start, end, hasher: hasher)) }
            return
        }
        let k = Self.largestPowerOfTwo(below: n)
        if m <= k {
            subproof(m, start, start + k, complete: complete, into: &proof, hasher: hasher)
            proof.append(subtreeHash(start + k, end, hasher: hasher))
        } else {
            subproof(m - k, start + k, end, complete: false, into: &proof, hasher: hasher)
            proof.append(subtreeHash(start, start + k, hasher: hasher))
        }
    }

    /// The largest power of two strictly smaller than `n` (n ≥ 2).
    static func largestPowerOfTwo(below n: Int) -> Int {
        1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }
}
