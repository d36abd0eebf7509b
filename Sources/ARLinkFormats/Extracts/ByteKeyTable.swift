/// An open-addressing hash table from byte strings (customer ids) to an `Int32`, built so a
/// lookup costs one cache miss: keys up to 16 bytes are stored inside the 24-byte slot, longer
/// ones in a byte arena. Lookups hash the raw field bytes, so no `String` is made.
///
/// Used for the customer master (thousands to a few hundred thousand keys); SipHash, string
/// comparison and a second miss into key storage made `Dictionary<String, Int32>` cost about
/// 15% of the extract read (measured with `arlink-bench csv`).
struct ByteKeyTable: Sendable {
    private struct Slot: Sendable {
        /// Key bytes (up to 16) for short keys; arena offset in `a` for long keys.
        var a: UInt64 = 0
        var b: UInt64 = 0
        var hash: UInt32 = 0
        /// Key length; 0 marks an empty slot (keys are never empty).
        var length: UInt32 = 0
        var value: Int32 = 0
    }

    private var slots: [Slot]
    private var mask: Int
    private var arena: [UInt8] = []
    private(set) var count = 0

    init(expected: Int = 1024) {
        var size = 16
        while size < expected * 2 { size <<= 1 }
        slots = Array(repeating: Slot(), count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func packed(_ key: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        var a: UInt64 = 0
        var b: UInt64 = 0
        guard let base = key.baseAddress else { return (0, 0) }
        for i in 0..<min(key.count, 16) {
            if i < 8 { a |= UInt64(base[i]) << (UInt64(i) * 8) } else { b |= UInt64(base[i]) << (UInt64(i - 8) * 8) }
        }
        return (a, b)
    }

    @inline(__always)
    private func matches(_ slot: Slot, _ key: UnsafeBufferPointer<UInt8>, _ a: UInt64, _ b: UInt64, _ h32: UInt32) -> Bool {
        guard slot.hash == h32, Int(slot.length) == key.count else { return false }
        if key.count <= 16 { return slot.a == a && slot.b == b }
        return arena.withUnsafeBufferPointer { arena in
            let start = Int(slot.a)
            return UnsafeBufferPointer(rebasing: arena[start..<start + key.count]).elementsEqual(key)
        }
    }

    /// Inserts `key` with `value` unless present.
    /// - Returns: the existing value when the key was already there (nothing is changed), else nil.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, value: Int32) -> Int32? {
        if (count + 1) * 2 > slots.count { grow() }
        let h = ByteHash.hash(key)
        let h32 = UInt32(truncatingIfNeeded: h >> 32)
        let (a, b) = Self.packed(key)
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i].length != 0 {
            if matches(slots[i], key, a, b, h32) { return slots[i].value }
            i = (i + 1) & mask
        }
        var slot = Slot(a: a, b: b, hash: h32, length: UInt32(key.count), value: value)
        if key.count > 16 {
            slot.a = UInt64(arena.count)
            arena.append(contentsOf: key)
        }
        slots[i] = slot
        count += 1
        return nil
    }

    /// The value stored for `key`, if any.
    @inline(__always)
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        let h = ByteHash.hash(key)
        let h32 = UInt32(truncatingIfNeeded: h >> 32)
        let (a, b) = Self.packed(key)
        var i = Int(truncatingIfNeeded: h) & mask
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let slot = slots[i]
                if slot.length == 0 { return nil }
                if matches(slot, key, a, b, h32) { return slot.value }
                i = (i + 1) & mask
            }
        }
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(), count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot.length != 0 {
            let h: UInt64
            if slot.length <= 16 {
                var words = (slot.a, slot.b)
                h = withUnsafeBytes(of: &words) { ByteHash.hash(UnsafeBufferPointer(start: $0.bindMemory(to: UInt8.self).baseAddress, count: Int(slot.length))) }
            } else {
                h = arena.withUnsafeBufferPointer { ByteHash.hash(UnsafeBufferPointer(rebasing: $0[Int(slot.a)..<Int(slot.a) + Int(slot.length)])) }
            }
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[i].length != 0 { i = (i + 1) & mask }
            slots[i] = slot
        }
    }
}
