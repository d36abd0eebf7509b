#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable run of bytes written through a raw pointer: what renderers append records to
/// before they go to a file.
///
/// `[UInt8]` checks uniqueness and capacity on every append; at the hundreds of MB of ERP
/// update records an inbound file can produce, those checks were a third of the rendering.
///
/// Its properties skip Swift's run-time exclusivity checks (`@exclusivity(unchecked)`): a buffer
/// belongs to one writer at a time, and the checks cost more than the appends they guard.
public final class ByteBuffer {
    @exclusivity(unchecked) public private(set) var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) public private(set) var count = 0
    @exclusivity(unchecked) private var capacity: Int
    /// The address alignment of `base`, kept when the buffer grows (4096 for direct I/O).
    public let alignment: Int

    /// - Parameter alignment: a power of two; 4096 for buffers written with `O_DIRECT`.
    public init(capacity: Int = 1 << 16, alignment: Int = 16) {
        self.capacity = max(16, capacity)
        self.alignment = max(16, alignment)
        base = Self.allocate(self.capacity, alignment: self.alignment)
    }

    deinit { base.deallocate() }

    private static func allocate(_ count: Int, alignment: Int) -> UnsafeMutablePointer<UInt8> {
        UnsafeMutableRawPointer.allocate(byteCount: count, alignment: alignment).bindMemory(to: UInt8.self, capacity: count)
    }

    /// The bytes written so far, as an array (tests and small renderings).
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Makes room for `n` more bytes.
    @inline(__always)
    public func reserve(_ n: Int) {
        if count + n > capacity { grow(to: count + n) }
    }

    private func grow(to needed: Int) {
        var next = capacity * 2
        while next < needed { next *= 2 }
        let bigger = Self.allocate(next, alignment: alignment)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = next
    }

    @inline(__always)
    public func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Short runs (most fields of a record are a few bytes) are copied with two overlapping
    /// loads and stores instead of a call to `memmove`: the calls were a fifth of the ERP
    /// writing thread.
    @inline(__always)
    public func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        guard let source = bytes.baseAddress, n > 0 else { return }
        reserve(n)
        let target = UnsafeMutableRawPointer(base + count)
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
            for i in 0..<n { (base + count + i).pointee = source[i] }
        } else {
            (base + count).update(from: source, count: n)
        }
        count += n
    }

    public func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends the UTF-8 of `text`.
    public func append(utf8 text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// Forgets the content, keeping the memory.
    public func removeAll() { count = 0 }

    /// Forgets everything after the first `count` bytes.
    public func truncate(to count: Int) {
        precondition(count >= 0 && count <= self.count)
        self.count = count
    }

    /// Room for `n` more bytes, to be written at the returned address and then counted with
    /// ``commit(_:)`` (no closure between the writer and the memory).
    @inline(__always)
    public func tail(_ n: Int) -> UnsafeMutableBufferPointer<UInt8> {
        reserve(n)
        return UnsafeMutableBufferPointer(start: base + count, count: n)
    }

    /// Counts `n` bytes written into ``tail(_:)``.
    @inline(__always)
    public func commit(_ n: Int) { count += n }

    /// Trades memory and content with `other` (of the same alignment): a writer keeps filling
    /// the same buffer object while the bytes it had go out from the other one.
    public func exchange(with other: ByteBuffer) {
        precondition(alignment == other.alignment)
        swap(&base, &other.base)
        swap(&count, &other.count)
        swap(&capacity, &other.capacity)
    }
}
