/// Finds repeated keys (invoice numbers) among millions in 12 bytes a row: the 64-bit hash of
/// each key and its line, never the key itself.
///
/// Rows go to one of 256 buckets by the hash's top byte. ``duplicates(keys:)`` sorts one bucket
/// at a time to find hashes seen more than once (with distinct invoice numbers, almost never),
/// asks the caller for the keys on those lines (the extract reader reads them again from the
/// file) and compares the keys themselves, so a hash collision is never taken for a repeat.
struct DuplicateFinder: Sendable {
    private var hashes: [[UInt64]]
    private var lines: [[Int32]]

    init(expected: Int) {
        let perBucket = expected / 256 + 16
        hashes = (0..<256).map { _ in [UInt64]() }
        lines = (0..<256).map { _ in [Int32]() }
        for b in 0..<256 {
            hashes[b].reserveCapacity(perBucket)
            lines[b].reserveCapacity(perBucket)
        }
    }

    /// Remembers `key`, seen on `line`.
    @inline(__always)
    mutating func add(_ key: Span<UInt8>, line: Int) {
        let hash = ByteHash.hash(key)
        let bucket = Int(hash >> 56)
        hashes[bucket].append(hash)
        lines[bucket].append(Int32(truncatingIfNeeded: line))
    }

    /// Adds everything `other` remembered (a later part of the same file).
    mutating func append(_ other: DuplicateFinder) {
        for b in 0..<256 {
            hashes[b] += other.hashes[b]
            lines[b] += other.lines[b]
        }
    }

    /// Every repeat of a key: the repeat's line and the line where the key was first seen,
    /// sorted by the repeat's line. Consumes the remembered hashes.
    /// - Parameter keys: the keys on the given lines (only lines whose hash is repeated).
    mutating func duplicates(keys: (Set<Int>) throws -> [Int: [UInt8]]) rethrows -> [(line: Int, firstLine: Int, key: [UInt8])] {
        var groups: [UInt64: [Int]] = [:]
        for b in 0..<256 {
            let h = hashes[b], l = lines[b]
            hashes[b] = []
            lines[b] = []
            let order = h.indices.sorted { h[$0] < h[$1] }
            for (i, j) in zip(order, order.dropFirst()) where h[i] == h[j] {
                if groups[h[i]] == nil { groups[h[i]] = [Int(l[i])] }
                groups[h[i], default: []].append(Int(l[j]))
            }
        }
        guard !groups.isEmpty else { return [] }
        let found = try keys(Set(groups.values.joined()))
        var result: [(line: Int, firstLine: Int, key: [UInt8])] = []
        for group in groups.values {
            // Same hash: the first line of each distinct key, then its repeats.
            var first: [[UInt8]: Int] = [:]
            for line in group.sorted() {
                guard let key = found[line] else { continue }
                if let firstLine = first[key] {
                    result.append((line, firstLine, key))
                } else {
                    first[key] = line
                }
            }
        }
        return result.sorted { $0.line < $1.line }
    }
}

/// A fast, well-mixed 64-bit hash of byte strings (FNV-1a over words, murmur3 finaliser).
enum ByteHash {
    @inline(__always)
    static func hash(_ key: Span<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let n = key.count
        var i = 0
        while i + 8 <= n {
            // The next eight bytes as a little-endian word.
            var word: UInt64 = 0
            for k in 0..<8 { word |= UInt64(key[i + k]) << (UInt64(k) * 8) }
            h = (h ^ word) &* 0x0000_0100_0000_01B3
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n { tail |= UInt64(key[i]) << shift; shift += 8; i += 1 }
        h = (h ^ tail ^ UInt64(n)) &* 0x0000_0100_0000_01B3
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }
}
