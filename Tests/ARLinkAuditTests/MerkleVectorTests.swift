@testable import ARLinkAudit
import Testing

/// The RFC 6962/9162 test vectors published with Certificate Transparency's reference code
/// (google/certificate-transparency `cpp/merkletree/merkle_tree_test.cc`, carried on in
/// transparency-dev/merkle `proof/verify_test.go` and `testonly/constants.go`): eight leaf
/// inputs, the tree heads of sizes 1 to 8, and inclusion and consistency proofs.
@Suite("Merkle tree against Certificate Transparency test vectors", .timeLimit(.minutes(10)))
struct MerkleVectorTests {
    static let leafInputs: [[UInt8]] = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(bytes)

    /// Tree heads of sizes 0 to 8 (size 0 is SHA-256 of the empty string).
    static let roots = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    /// (1-based leaf, tree size, audit path) from transparency-dev/merkle `proof/verify_test.go`.
    static let inclusion: [(Int, Int, [String])] = [
        (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    ]

    /// (old size, new size, proof) from the same file.
    static let consistency: [(Int, Int, [String])] = [
        (1, 1, []),
        (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
        (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    ]

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(hex.utf8)[...]
        while chars.count >= 2 {
            out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!)
            chars = chars.dropFirst(2)
        }
        return out
    }

    static func h(_ hex: String) -> MerkleHash { MerkleHash(hex: hex)! }

    func tree(_ hasher: MerkleHasher) -> MerkleTree {
        MerkleTree(leafHashes: Self.leafInputs.map { hasher.leafHash($0) }, hasher: hasher)
    }

    @Test("tree heads of sizes 0 to 8, from the full tree and from the growing frontier")
    func roots() throws {
        let hasher = try MerkleHasher()
        let tree = tree(hasher)
        var frontier = MerkleFrontier()
        #expect(frontier.root(hasher: hasher) == Self.h(Self.roots[0]))
        for size in 0...8 {
            #expect(tree.root(treeSize: size, hasher: hasher) == Self.h(Self.roots[size]), "size \(size)")
            if size > 0 {
                frontier.append(hasher.leafHash(Self.leafInputs[size - 1]), hasher: hasher)
                #expect(frontier.root(hasher: hasher) == Self.h(Self.roots[size]), "frontier size \(size)")
            }
        }
    }

    @Test("inclusion proofs are generated exactly as published and verify; corrupted ones do not")
    func inclusionVectors() throws {
        let hasher = try MerkleHasher()
        let tree = tree(hasher)
        for (leaf, size, path) in Self.inclusion {
            let expected = path.map(Self.h)
            let generated = tree.inclusionProof(index: leaf - 1, treeSize: size, hasher: hasher)
            #expect(generated == expected, "leaf \(leaf) size \(size)")
            let root = Self.h(Self.roots[size])
            let leafHash = hasher.leafHash(Self.leafInputs[leaf - 1])
            #expect(MerkleProofVerifier.verifyInclusion(index: UInt64(leaf - 1), treeSize: UInt64(size), leafHash: leafHash, proof: expected, root: root, hasher: hasher))
            // Probes after transparency-dev's corruptInclusionProof: each must fail.
            let index = UInt64(leaf - 1)
            var probes: [(UInt64, UInt64, MerkleHash, [MerkleHash], MerkleHash)] = [
                (index &+ 1, UInt64(size), leafHash, expected, root),
                (index ^ 2, UInt64(size), leafHash, expected, root),
                (index, UInt64(size) * 2, leafHash, expected, root),
                (index, UInt64(size) / 2, leafHash, expected, root),
                (index, UInt64(size), hasher.leafHash(Array("WrongLeaf".utf8)), expected, root),
                (index, UInt64(size), leafHash, expected, Self.h(Self.roots[0])),
                (index, UInt64(size), leafHash, expected + [root], root),
                (index, UInt64(size), leafHash, [root] + expected, root),
                (index, UInt64(size), leafHash, Array(expected.dropLast()), root),
            ]
            if index > 0 { probes.append((index - 1, UInt64(size), leafHash, expected, root)) }
            for position in expected.indices {
                var flipped = expected[position].bytes
                flipped[0] ^= 8
                var wrong = expected
                wrong[position] = MerkleHash(bytes: flipped)!
                probes.append((index, UInt64(size), leafHash, wrong, root))
            }
            for (n, probe) in probes.enumerated() {
                #expect(!MerkleProofVerifier.verifyInclusion(index: probe.0, treeSize: probe.1, leafHash: probe.2, proof: probe.3, root: probe.4, hasher: hasher),
                        "corrupted probe \(n) for leaf \(leaf) size \(size) verified")
            }
        }
    }

    @Test("consistency proofs are generated exactly as published and verify; corrupted ones do not")
    func consistencyVectors() throws {
        let hasher = try MerkleHasher()
        let tree = tree(hasher)
        for (old, new, path) in Self.consistency {
            let expected = path.map(Self.h)
            #expect(tree.consistencyProof(oldSize: old, newSize: new, hasher: hasher) == expected, "\(old) -> \(new)")
            let oldRoot = Self.h(Self.roots[old]), newRoot = Self.h(Self.roots[new])
            #expect(MerkleProofVerifier.verifyConsistency(oldSize: UInt64(old), newSize: UInt64(new), oldRoot: oldRoot, newRoot: newRoot, proof: expected, hasher: hasher))
            guard !expected.isEmpty else { continue }
            var probes: [(UInt64, UInt64, MerkleHash, MerkleHash, [MerkleHash])] = [
                (UInt64(old) - 1, UInt64(new), oldRoot, newRoot, expected),
                (UInt64(old) + 1, UInt64(new), oldRoot, newRoot, expected),
                (UInt64(old) ^ 2, UInt64(new), oldRoot, newRoot, expected),
                (UInt64(old), UInt64(new) * 2, oldRoot, newRoot, expected),
                (UInt64(old), UInt64(new) / 2, oldRoot, newRoot, expected),
                (UInt64(old), UInt64(new), newRoot, oldRoot, expected),
                (UInt64(old), UInt64(new), oldRoot, newRoot, []),
                (UInt64(old), UInt64(new), oldRoot, newRoot, expected + [oldRoot]),
                (UInt64(old), UInt64(new), oldRoot, newRoot, [newRoot] + expected),
                (UInt64(old), UInt64(new), oldRoot, newRoot, Array(expected.dropLast())),
            ]
            for position in expected.indices {
                var flipped = expected[position].bytes
                flipped[0] ^= 16
                var wrong = expected
                wrong[position] = MerkleHash(bytes: flipped)!
                probes.append((UInt64(old), UInt64(new), oldRoot, newRoot, wrong))
            }
            for (n, probe) in probes.enumerated() {
                #expect(!MerkleProofVerifier.verifyConsistency(oldSize: probe.0, newSize: probe.1, oldRoot: probe.2, newRoot: probe.3, proof: probe.4, hasher: hasher),
                        "corrupted probe \(n) for \(old) -> \(new) verified")
            }
        }
    }

    @Test("every proof in trees of 1 to 40 leaves verifies, and the frontier agrees with the tree")
    func allShapes() throws {
        let hasher = try MerkleHasher()
        let leaves = (0..<40).map { hasher.leafHash([UInt8($0), UInt8(truncatingIfNeeded: $0 &* 7)]) }
        let tree = MerkleTree(leafHashes: leaves, hasher: hasher)
        var frontier = MerkleFrontier()
        for size in 1...40 {
            frontier.append(leaves[size - 1], hasher: hasher)
            let root = tree.root(treeSize: size, hasher: hasher)
            #expect(frontier.root(hasher: hasher) == root)
            // A tree built from exactly `size` leaves has the same head.
            #expect(MerkleTree(leafHashes: Array(leaves.prefix(size)), hasher: hasher).root(treeSize: size, hasher: hasher) == root)
            for index in 0..<size {
                let proof = tree.inclusionProof(index: index, treeSize: size, hasher: hasher)
                #expect(MerkleProofVerifier.verifyInclusion(index: UInt64(index), treeSize: UInt64(size), leafHash: leaves[index], proof: proof, root: root, hasher: hasher))
                #expect(!MerkleProofVerifier.verifyInclusion(index: UInt64(index), treeSize: UInt64(size), leafHash: leaves[(index + 1) % 40], proof: proof, root: root, hasher: hasher))
            }
            for old in 1...size {
                let proof = tree.consistencyProof(oldSize: old, newSize: size, hasher: hasher)
                #expect(MerkleProofVerifier.verifyConsistency(oldSize: UInt64(old), newSize: UInt64(size), oldRoot: tree.root(treeSize: old, hasher: hasher), newRoot: root, proof: proof, hasher: hasher))
            }
        }
    }

    @Test("a large tree (levels hashed by two threads) agrees with the sequential frontier")
    func largeTree() throws {
        let hasher = try MerkleHasher()
        let count = (1 << 17) + 5
        var frontier = MerkleFrontier()
        var leaves: [MerkleHash] = []
        leaves.reserveCapacity(count)
        for index in 0..<count {
            let leaf = hasher.leafHash([UInt8(truncatingIfNeeded: index), UInt8(truncatingIfNeeded: index >> 8), UInt8(truncatingIfNeeded: index >> 16)])
            leaves.append(leaf)
            frontier.append(leaf, hasher: hasher)
        }
        let tree = MerkleTree(leafHashes: leaves, hasher: hasher)
        let root = tree.root(treeSize: count, hasher: hasher)
        #expect(root == frontier.root(hasher: hasher))
        for index in [0, 1, 65_535, 65_536, 100_000, count - 1] {
            let proof = tree.inclusionProof(index: index, treeSize: count, hasher: hasher)
            #expect(proof.count == (index < 1 << 17 ? 18 : 2), "index \(index)")
            #expect(MerkleProofVerifier.verifyInclusion(index: UInt64(index), treeSize: UInt64(count), leafHash: leaves[index], proof: proof, root: root, hasher: hasher))
        }
        let old = 70_001
        let proof = tree.consistencyProof(oldSize: old, newSize: count, hasher: hasher)
        #expect(MerkleProofVerifier.verifyConsistency(oldSize: UInt64(old), newSize: UInt64(count), oldRoot: tree.root(treeSize: old, hasher: hasher), newRoot: root, proof: proof, hasher: hasher))
    }
}
