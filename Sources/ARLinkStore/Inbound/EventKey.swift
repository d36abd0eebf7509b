import ARLinkSystem

/// A 128-bit digest of a partner's `event_id`: how the state database remembers every event
/// it ever applied without a row per event.
///
/// The digest is MurmurHash3 x64 128 (seed 0; `hi` is its first 64-bit half) of the id's
/// UTF-8 bytes, checked against an independent implementation in the tests: stored keys must
/// hash the same in every version.
/// Two different ids share a key with probability about n²/2¹²⁹ (n ids); at a billion
/// events that is below 10⁻²¹. It is not a cryptographic hash: a partner who crafts
/// colliding ids can only get its own later event refused as a duplicate (and sees that in
/// the receipt).
public struct EventKey: Hashable, Comparable, Sendable {
    public var hi: UInt64
    public var lo: UInt64

    public init(hi: UInt64, lo: UInt64) {
        self.hi = hi
        self.lo = lo
    }

    /// The key of `eventID`.
    public init(_ eventID: String) {
        (hi, lo) = Self.digest(eventID.utf8.span)
    }

    public static func < (a: EventKey, b: EventKey) -> Bool { a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo }

    static func digest(_ bytes: Span<UInt8>) -> (UInt64, UInt64) {
        let c1: UInt64 = 0x87c3_7b91_1142_53d5
        let c2: UInt64 = 0x4cf5_ad43_2745_937f
        var h1: UInt64 = 0
        var h2: UInt64 = 0
        let count = bytes.count
        func word(_ at: Int, _ length: Int) -> UInt64 {
            var value: UInt64 = 0
            for i in 0..<length { value |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
            return value
        }
        func mixed1(_ k: UInt64) -> UInt64 { rotl(k &* c1, 31) &* c2 }
        func mixed2(_ k: UInt64) -> UInt64 { rotl(k &* c2, 33) &* c1 }
        var at = 0
        while at + 16 <= count {
            h1 ^= mixed1(word(at, 8))
            h1 = rotl(h1, 27) &+ h2
            h1 = h1 &* 5 &+ 0x52dc_e729
            h2 ^= mixed2(word(at + 8, 8))
            h2 = rotl(h2, 31) &+ h1
            h2 = h2 &* 5 &+ 0x3849_5ab5
            at += 16
        }
        let tail = count - at
        if tail > 8 { h2 ^= mixed2(word(at + 8, tail - 8)) }
        if tail > 0 { h1 ^= mixed1(word(at, min(tail, 8))) }
        h1 ^= UInt64(count)
        h2 ^= UInt64(count)
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        h1 = finish(h1)
        h2 = finish(h2)
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        return (h1, h2)
    }

    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    static func finish(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k = k &* 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k = k &* 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }

    // MARK: - Stored form

    /// Sorted keys as stored: 16 bytes each, `hi` then `lo`, big-endian.
    public static func encode(_ sorted: some Collection<EventKey>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(sorted.count * 16)
        for key in sorted {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: key.hi >> UInt64(shift))) }
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: key.lo >> UInt64(shift))) }
        }
        return out
    }

    /// The keys of `sorted` that also occur in `stored` (one stored blob), by a merge walk
    /// that starts where the blob's first key would be in `sorted` (a file's keys are stored
    /// in consecutive ranges, so a blob covers only a slice of `sorted`).
    static func common(_ sorted: [EventKey], stored: Span<UInt8>, into found: inout Set<EventKey>) {
        let storedCount = stored.count / 16
        let raw = unsafe stored.bytes
        // A bounds-checked load of an integer (`unsafe` only because the API is generic over
        // every bitwise-copyable type): two loads per key where a byte loop took sixteen.
        func word(_ at: Int) -> UInt64 { UInt64(bigEndian: unsafe raw.unsafeLoadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        func key(_ j: Int) -> EventKey { EventKey(hi: word(j * 16), lo: word(j * 16 + 8)) }
        guard storedCount > 0 else { return }
        let first = key(0)
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < first { low = middle + 1 } else { high = middle }
        }
        // Each stored key is looked for from where the last one was, galloping (steps of 1, 2,
        // 4, ... then a binary search): a blob of a few thousand keys costs a few thousand short
        // searches, not a walk over every key of the file.
        var i = low
        var j = 0
        while i < sorted.count && j < storedCount {
            let other = key(j)
            if sorted[i] < other {
                var bound = 1
                while i + bound < sorted.count && sorted[i + bound] < other { bound <<= 1 }
                var lower = i + bound / 2 + 1
                var upper = min(i + bound, sorted.count)
                while lower < upper {
                    let middle = (lower + upper) / 2
                    if sorted[middle] < other { lower = middle + 1 } else { upper = middle }
                }
                i = lower
                if i == sorted.count { break }
            }
            if sorted[i] == other {
                found.insert(other)
                i += 1
            }
            j += 1
        }
    }
}

extension Array where Element == EventKey {
    /// Sorts the keys ascending in place, without the scratch buffer of the standard (stable)
    /// sort: a million keys would need 8 more MB at the moment an inbound file's memory peaks.
    /// Quicksort with random pivots (expected O(n log n) whatever the ids), insertion sort
    /// for short ranges.
    public mutating func sortInPlace() {
        guard count > 1 else { return }
        // Pivots from a generator seeded once from the system's: asking the system for each
        // pivot was a system call per partition (an eighth of the sort).
        var generator = SplitMix64(seed: UInt64.random(in: 1...UInt64.max))
        var keys = mutableSpan
        do {
            var stack: [(Int, Int)] = [(0, keys.count - 1)]
            while let (low, high) = stack.popLast() {
                if high - low < 24 {
                    var i = low + 1
                    while i <= high {
                        let key = keys[i]
                        var j = i - 1
                        while j >= low && key < keys[j] {
                            keys[j + 1] = keys[j]
                            j -= 1
                        }
                        keys[j + 1] = key
                        i += 1
                    }
                    continue
                }
                let pivot = keys[Int.random(in: low...high, using: &generator)]
                var i = low
                var j = high
                while i <= j {
                    while keys[i] < pivot { i += 1 }
                    while pivot < keys[j] { j -= 1 }
                    if i <= j {
                        keys.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                // The smaller side last, so it is taken first and the stack stays O(log n).
                if j - low < high - i {
                    if i < high { stack.append((i, high)) }
                    if low < j { stack.append((low, j)) }
                } else {
                    if low < j { stack.append((low, j)) }
                    if i < high { stack.append((i, high)) }
                }
            }
        }
    }
}
