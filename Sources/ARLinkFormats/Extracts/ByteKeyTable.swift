/// An open-addressing hash table from byte strings (customer ids) to an `Int32`, built so a
/// lookup of a short key costs one cache miss: slots are 16 bytes and hold keys of up to 8
/// bytes themselves (ids such as `C000123`); longer keys live in a byte arena. Lookups hash
/// the raw field bytes, so no `String` is made.
///
/// Used for the customer master (thousands to a few hundred thousand keys). A per-row lookup
/// in a table that does not fit the CPU cache is the extract reader's largest single cost
/// (measured with `arlink-bench csv` and perf), so the slots are kept small.
struct ByteKeyTable: Sendable {
    private struct Slot: Sendable {
        /// Up to 8 key bytes for short keys; the arena offset for long ones.
        var key: UInt64 = 0
        /// The hash's top 24 bits and the key length (capped at 255) in the low 8 bits;
        /// 0 marks an empty slot (keys are never empty).
        var tag: UInt32 = 0
        var value: Int32 = 0
    }

    private var slots: [Slot]
    private var mask: Int
    /// Long keys: a 4-byte length, then the bytes.
    private var arena: [UInt8] = []
    private(set) var count = 0

    init(expected: Int = 1024) {
        var size = 16
        while size < expected * 2 { size <<= 1 }
        slots = Array(repeating: Slot(), count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func tag(_ hash: UInt64, length: Int) -> UInt32 {
        (UInt32(truncatingIfNeeded: hash >> 32) & 0xFFFF_FF00) | UInt32(min(length, 255))
    }

    @inline(__always)
    private static func packed(_ key: Span<UInt8>) -> UInt64 {
        guard key.count <= 8 else { return 0 }
        var v: UInt64 = 0
        for i in 0..<key.count { v |= UInt64(key[i]) << (UInt64(i) * 8) }
        return v
    }

    @inline(__always)
    private func matches(_ slot: Slot, _ key: Span<UInt8>, _ packed: UInt64, _ tag: UInt32) -> Bool {
        guard slot.tag == tag else { return false }
        if key.count <= 8 { return slot.key == packed }
        let start = Int(slot.key)
        guard start + 4 <= arena.count else { return false }
        let length = Int(arena[start]) | Int(arena[start + 1]) << 8 | Int(arena[start + 2]) << 16 | Int(arena[start + 3]) << 24
        guard length == key.count, start + 4 + length <= arena.count else { return false }
        for i in 0..<length where arena[start + 4 + i] != key[i] { return false }
        return true
    }

    /// Inserts `key` with `value` unless present.
    /// - Returns: the existing value when the key was already there (nothing is changed), else nil.
    mutating func insert(_ key: Span<UInt8>, value: Int32) -> Int32? {
        guard !key.isEmpty else { return nil }
        if (count + 1) * 2 > slots.count { grow() }
        let h = ByteHash.hash(key)
        let tag = Self.tag(h, length: key.count)
        let packed = Self.packed(key)
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i].tag != 0 {
            if matches(slots[i], key, packed, tag) { return slots[i].value }
            i = (i + 1) & mask
        }
        var slot = Slot(key: packed, tag: tag, value: value)
        if key.count > 8 {
            slot.key = UInt64(arena.count)
            let n = key.count
            arena.append(contentsOf: [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8((n >> 24) & 0xFF)])
            for k in 0..<n { arena.append(key[k]) }
        }
        slots[i] = slot
        count += 1
        return nil
    }

    /// The value stored for `key`, if any.
    @inline(__always)
    func find(_ key: Span<UInt8>) -> Int32? {
        guard !key.isEmpty else { return nil }
        let h = ByteHash.hash(key)
        let tag = Self.tag(h, length: key.count)
        let packed = Self.packed(key)
        var i = Int(truncatingIfNeeded: h) & mask
        let slots = self.slots.span
        while true {
            let slot = slots[i]
            if slot.tag == 0 { return nil }
            if matches(slot, key, packed, tag) { return slot.value }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(), count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot.tag != 0 {
            let h = rehash(slot)
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[i].tag != 0 { i = (i + 1) & mask }
            slots[i] = slot
        }
    }

    /// The full hash of a stored key, recomputed from its bytes.
    private func rehash(_ slot: Slot) -> UInt64 {
        let length = Int(slot.tag & 0xFF)
        if length <= 8 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: slot.key >> (UInt64($0) * 8)) }
            return ByteHash.hash(bytes.span)
        }
        let start = Int(slot.key)
        let n = Int(arena[start]) | Int(arena[start + 1]) << 8 | Int(arena[start + 2]) << 16 | Int(arena[start + 3]) << 24
        return ByteHash.hash(arena.span.extracting((start + 4)..<(start + 4 + n)))
    }
}
