/// A growable run of bytes that renderers append records to before they go to a file.
///
/// `[UInt8]` checks uniqueness and capacity on every append; at the hundreds of MB of records
/// a file can hold, those checks dominate rendering. This buffer keeps its address, fill level
/// and capacity in one heap cell reached through a constant pointer, so appends pay neither
/// uniqueness nor dynamic exclusivity checks. A buffer belongs to one writer at a time.
///
/// Callers outside this module use the safe members (``append(_:)-(Span<UInt8>)``,
/// ``withBytes(_:)``, the number and date renderers); the pointer-level members (``base``,
/// ``tail(_:)``) remain for the renderers that have not moved to them yet.
public final class RenderBuffer {
    @usableFromInline
    struct State {
        @usableFromInline var base: UnsafeMutablePointer<UInt8>
        @usableFromInline var count: Int
        @usableFromInline var capacity: Int

        @usableFromInline
        init(base: UnsafeMutablePointer<UInt8>, count: Int, capacity: Int) {
            self.base = base
            self.count = count
            self.capacity = capacity
        }
    }

    @usableFromInline let state: UnsafeMutablePointer<State>
    /// The address alignment of the memory, kept when the buffer grows (4096 for direct I/O).
    public let alignment: Int

    /// - Parameters:
    ///   - capacity: the initial capacity in bytes; the buffer grows as needed.
    ///   - alignment: a power of two; 4096 for buffers written with `O_DIRECT`.
    public init(capacity: Int = 1 << 16, alignment: Int = 16) {
        let capacity = max(16, capacity)
        self.alignment = max(16, alignment)
        state = .allocate(capacity: 1)
        state.initialize(to: State(base: Self.allocate(capacity, alignment: self.alignment), count: 0, capacity: capacity))
    }

    deinit {
        state.pointee.base.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    private static func allocate(_ count: Int, alignment: Int) -> UnsafeMutablePointer<UInt8> {
        UnsafeMutableRawPointer.allocate(byteCount: count, alignment: alignment).bindMemory(to: UInt8.self, capacity: count)
    }

    /// The number of bytes written so far.
    @inlinable public var count: Int { state.pointee.count }

    /// The first byte's address (valid until the next append that grows the buffer).
    @inlinable public var base: UnsafeMutablePointer<UInt8> { state.pointee.base }

    /// The bytes written so far, as an array.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: state.pointee.base, count: state.pointee.count)) }

    /// The bytes from `start` to the end, decoded as UTF-8.
    public func string(from start: Int = 0) -> String {
        precondition(start >= 0 && start <= count)
        return String(decoding: UnsafeBufferPointer(start: state.pointee.base + start, count: count - start), as: UTF8.self)
    }

    /// Calls `body` with the bytes written so far.
    @inlinable
    public func withBytes<R, E: Error>(_ body: (Span<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: state.pointee.base, count: state.pointee.count).span)
    }

    /// The byte at `index` (below ``count``).
    @inlinable
    public subscript(index: Int) -> UInt8 {
        get {
            precondition(index >= 0 && index < state.pointee.count, "RenderBuffer index out of range")
            return state.pointee.base[index]
        }
        set {
            precondition(index >= 0 && index < state.pointee.count, "RenderBuffer index out of range")
            state.pointee.base[index] = newValue
        }
    }

    /// Makes room for `n` more bytes.
    @inlinable @inline(__always)
    public func reserve(_ n: Int) {
        if state.pointee.count + n > state.pointee.capacity { grow(to: state.pointee.count + n) }
    }

    @usableFromInline
    func grow(to needed: Int) {
        var next = state.pointee.capacity * 2
        while next < needed { next *= 2 }
        let bigger = Self.allocate(next, alignment: alignment)
        bigger.update(from: state.pointee.base, count: state.pointee.count)
        state.pointee.base.deallocate()
        state.pointee.base = bigger
        state.pointee.capacity = next
    }

    @inlinable @inline(__always)
    public func append(_ byte: UInt8) {
        reserve(1)
        state.pointee.base[state.pointee.count] = byte
        state.pointee.count += 1
    }

    /// Short runs (most fields of a record are a few bytes) are copied with two overlapping
    /// loads and stores instead of a call to `memmove`.
    @inlinable @inline(__always)
    public func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        guard let source = bytes.baseAddress, n > 0 else { return }
        reserve(n)
        let at = state.pointee.base + state.pointee.count
        let target = UnsafeMutableRawPointer(at)
        let from = UnsafeRawPointer(source)
        if n >= 8 && n <= 16 {
            let head = from.loadUnaligned(as: UInt64.self)
            let tail = from.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            target.storeBytes(of: head, as: UInt64.self)
            target.storeBytes(of: tail, toByteOffset: n - 8, as: UInt64.self)
        } else if n >= 4 && n < 8 {
            let head = from.loadUnaligned(as: UInt32.self)
            let tail = from.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
            target.storeBytes(of: head, as: UInt32.self)
            target.storeBytes(of: tail, toByteOffset: n - 4, as: UInt32.self)
        } else if n < 4 {
            for i in 0..<n { at[i] = source[i] }
        } else {
            at.update(from: source, count: n)
        }
        state.pointee.count += n
    }

    /// Appends `bytes`.
    @inlinable @inline(__always)
    public func append(_ bytes: Span<UInt8>) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends `bytes`.
    @inlinable
    public func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends the bytes of `other` from offset `start` to its end.
    public func append(contentsOf other: RenderBuffer, from start: Int = 0) {
        precondition(start >= 0 && start <= other.count)
        // `other` may be `self`: copy out first if the append could move the memory.
        if other === self {
            let copy = Array(UnsafeBufferPointer(start: base + start, count: count - start))
            append(copy)
        } else {
            append(UnsafeBufferPointer(start: other.base + start, count: other.count - start))
        }
    }

    /// Appends the UTF-8 of a literal.
    @inlinable
    public func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends the UTF-8 of `text`.
    @inlinable
    public func append(utf8 text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// Forgets the content, keeping the memory.
    public func removeAll() { state.pointee.count = 0 }

    /// Forgets everything after the first `count` bytes.
    public func truncate(to count: Int) {
        precondition(count >= 0 && count <= self.count)
        state.pointee.count = count
    }

    /// Room for `n` more bytes, to be written at the returned address and then counted with
    /// ``commit(_:)``.
    @inlinable @inline(__always)
    public func tail(_ n: Int) -> UnsafeMutableBufferPointer<UInt8> {
        reserve(n)
        return UnsafeMutableBufferPointer(start: state.pointee.base + state.pointee.count, count: n)
    }

    /// Counts `n` bytes written into ``tail(_:)``.
    @inlinable @inline(__always)
    public func commit(_ n: Int) { state.pointee.count += n }

    /// Trades memory and content with `other` (of the same alignment): a writer keeps filling
    /// the same buffer object while the bytes it had go out from the other one.
    public func exchange(with other: RenderBuffer) {
        precondition(alignment == other.alignment)
        swap(&state.pointee, &other.state.pointee)
    }
}

// MARK: - Numbers and dates

extension RenderBuffer {
    /// Appends `value` in decimal.
    @inlinable
    public func appendDecimal(_ value: UInt64) {
        var digits = 1
        var probe = value
        while probe >= 10 { probe /= 10; digits += 1 }
        let out = tail(digits)
        var rest = value
        var i = digits - 1
        repeat {
            out[i] = UInt8(truncatingIfNeeded: 48 &+ rest % 10)
            rest /= 10
            i -= 1
        } while rest > 0
        commit(digits)
    }

    /// Appends `value` in decimal, with a leading `-` when negative.
    @inlinable
    public func appendDecimal(_ value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        appendDecimal(value.magnitude)
    }

    /// Appends minor units as a decimal with `exponent` places: 1250 and 2 give `12.50`,
    /// -5 and 2 give `-0.05`, 7 and 0 give `7`.
    @inlinable
    public func appendDecimal(minorUnits: Int64, exponent: Int) {
        if minorUnits < 0 { append(UInt8(ascii: "-")) }
        let magnitude = minorUnits.magnitude
        guard exponent > 0 else { return appendDecimal(magnitude) }
        var scale: UInt64 = 1
        for _ in 0..<exponent { scale &*= 10 }
        appendDecimal(magnitude / scale)
        append(UInt8(ascii: "."))
        var fraction = magnitude % scale
        let out = tail(exponent)
        var i = exponent - 1
        while i >= 0 {
            out[i] = UInt8(truncatingIfNeeded: 48 &+ fraction % 10)
            fraction /= 10
            i -= 1
        }
        commit(exponent)
    }

    /// Appends `YYYY-MM-DD` (year 0–9999).
    @inlinable
    public func appendISODate(year: Int, month: Int, day: Int) {
        let p = tail(10)
        p[0] = UInt8(truncatingIfNeeded: 48 + (year / 1000) % 10)
        p[1] = UInt8(truncatingIfNeeded: 48 + (year / 100) % 10)
        p[2] = UInt8(truncatingIfNeeded: 48 + (year / 10) % 10)
        p[3] = UInt8(truncatingIfNeeded: 48 + year % 10)
        p[4] = UInt8(ascii: "-")
        p[5] = UInt8(truncatingIfNeeded: 48 + month / 10)
        p[6] = UInt8(truncatingIfNeeded: 48 + month % 10)
        p[7] = UInt8(ascii: "-")
        p[8] = UInt8(truncatingIfNeeded: 48 + day / 10)
        p[9] = UInt8(truncatingIfNeeded: 48 + day % 10)
        commit(10)
    }

    /// Appends `byte` as two lowercase hex digits.
    @inlinable
    public func appendHex(_ byte: UInt8) {
        let p = tail(2)
        p[0] = Hex.digit(byte >> 4)
        p[1] = Hex.digit(byte & 15)
        commit(2)
    }
}
