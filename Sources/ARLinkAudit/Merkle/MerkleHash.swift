import ARLinkSystem
public import Foundation

/// A 32-byte SHA-256 value of the Merkle tree: a leaf hash, a node hash or a root.
///
/// Stored inline (no heap allocation), so a million of them are 32 MB in an array.
public struct MerkleHash: Sendable, Hashable, CustomStringConvertible {
    var storage: (UInt64, UInt64, UInt64, UInt64)

    /// All zero bytes: the `prev` of the first entry.
    public static let zero = MerkleHash(storage: (0, 0, 0, 0))

    init(storage: (UInt64, UInt64, UInt64, UInt64)) { self.storage = storage }

    /// Byte `index` (0 ..< 32) of the value: the words hold the bytes in little-endian order
    /// (the order in which digests are written into ``storage``).
    @inline(__always)
    func byte(_ index: Int) -> UInt8 {
        let word: UInt64
        switch index >> 3 {
        case 0: word = storage.0
        case 1: word = storage.1
        case 2: word = storage.2
        default: word = storage.3
        }
        return UInt8(truncatingIfNeeded: word >> (8 * UInt64(index & 7)))
    }

    /// The value of 32 bytes given one by one, in order.
    @inline(__always)
    private init(nextByte: () -> UInt8) {
        func word() -> UInt64 {
            var value: UInt64 = 0
            for shift in stride(from: UInt64(0), to: 64, by: 8) { value |= UInt64(nextByte()) << shift }
            return value
        }
        let first = word(), second = word(), third = word(), fourth = word()
        storage = (first, second, third, fourth)
    }

    /// Copies 32 bytes; returns `nil` for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var iterator = bytes.makeIterator()
        self.init(nextByte: { iterator.next() ?? 0 })
    }

    /// Copies 32 bytes of `Data` (or `nil` for another length).
    public init?(data: Data) {
        self.init(bytes: data)
    }

    /// Decodes 64 hex digits (either case); `nil` on any other character.
    init?(hexDigits digits: Span<UInt8>) {
        guard digits.count == 64 else { return nil }
        var invalid: UInt8 = 0
        var position = 0
        let table = Self.hexValues
        self.init(nextByte: {
            let high = table[Int(digits[position])], low = table[Int(digits[position + 1])]
            position += 2
            invalid |= (high | low) & 0x10
            return high << 4 | (low & 0x0F)
        })
        guard invalid == 0 else { return nil }
    }

    /// Appends the 64 lowercase hex digits to `output`.
    func appendHex(to output: inout [UInt8]) {
        for index in 0..<32 {
            let value = byte(index)
            output.append(Hex.digit(value >> 4))
            output.append(Hex.digit(value & 15))
        }
    }

    /// Hex digit values by ASCII code; 0x10 marks a non-digit.
    private static let hexValues: [UInt8] = (0..<256).map { UInt8(truncatingIfNeeded: $0) }.map { nibble($0) ?? 0x10 }

    /// Parses 64 hex digits (either case).
    public init?(hex: some StringProtocol) {
        let digits = Array(hex.utf8)
        guard let value = MerkleHash(hexDigits: digits.span) else { return nil }
        self = value
    }

    /// Parses standard base64 of 32 bytes.
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64) else { return nil }
        self.init(bytes: data)
    }

    /// The 32 bytes.
    public var bytes: [UInt8] { (0..<32).map(byte) }

    /// Lowercase hex.
    public var hex: String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        appendHex(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The 32 bytes as `Data`.
    public var data: Data { Data(bytes) }

    /// Standard base64 (as in C2SP checkpoints).
    public var base64: String { Data(bytes).base64EncodedString() }

    public var description: String { hex }

    public static func == (lhs: MerkleHash, rhs: MerkleHash) -> Bool {
        lhs.storage.0 == rhs.storage.0 && lhs.storage.1 == rhs.storage.1 && lhs.storage.2 == rhs.storage.2 && lhs.storage.3 == rhs.storage.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
        hasher.combine(storage.2)
        hasher.combine(storage.3)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
}
