public import Foundation

/// A 32-byte SHA-256 value of the Merkle tree: a leaf hash, a node hash or a root.
///
/// Stored inline (no heap allocation), so a million of them are 32 MB in an array.
public struct MerkleHash: Sendable, Hashable, CustomStringConvertible {
    var storage: (UInt64, UInt64, UInt64, UInt64)

    /// All zero bytes: the `prev` of the first entry.
    public static let zero = MerkleHash(storage: (0, 0, 0, 0))

    init(storage: (UInt64, UInt64, UInt64, UInt64)) { self.storage = storage }

    /// Copies 32 bytes; returns `nil` for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var value = MerkleHash.zero
        withUnsafeMutableBytes(of: &value.storage) { target in
            if bytes.withContiguousStorageIfAvailable({ target.copyMemory(from: UnsafeRawBufferPointer($0)) }) == nil {
                for (index, byte) in bytes.enumerated() { target[index] = byte }
            }
        }
        self = value
    }

    /// Copies 32 bytes of `Data` (or `nil` for another length) without iterating byte by byte.
    public init?(data: Data) {
        guard data.count == 32 else { return nil }
        self = data.withUnsafeBytes { MerkleHash(raw: $0) }
    }

    /// Decodes 64 hex digits at `digits` (either case); `nil` on any other character.
    init?(hexDigits digits: UnsafeBufferPointer<UInt8>) {
        guard digits.count == 64 else { return nil }
        var value = MerkleHash.zero
        var invalid: UInt8 = 0
        withUnsafeMutableBytes(of: &value.storage) { target in
            Self.hexValues.withUnsafeBufferPointer { table in
                for index in 0..<32 {
                    let high = table[Int(digits[2 * index])], low = table[Int(digits[2 * index + 1])]
                    invalid |= (high | low) & 0x10
                    target[index] = high << 4 | (low & 0x0F)
                }
            }
        }
        guard invalid == 0 else { return nil }
        self = value
    }

    /// Appends the 64 lowercase hex digits to `output`.
    func appendHex(to output: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { target in
            withBytes { raw in
                Self.hexTable.withUnsafeBufferPointer { table in
                    for (index, byte) in raw.enumerated() {
                        target[2 * index] = table[Int(byte >> 4)]
                        target[2 * index + 1] = table[Int(byte & 15)]
                    }
                }
            }
        }
        withUnsafeBytes(of: digits) { output.append(contentsOf: $0) }
    }

    /// Hex digit values by ASCII code; 0x10 marks a non-digit.
    private static let hexValues: [UInt8] = (0..<256).map { UInt8(truncatingIfNeeded: $0) }.map { nibble($0) ?? 0x10 }

    private static let hexTable: [UInt8] = Array("0123456789abcdef".utf8)

    init(raw: UnsafeRawBufferPointer) {
        var value = MerkleHash.zero
        withUnsafeMutableBytes(of: &value.storage) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw.prefix(32))) }
        self = value
    }

    /// Parses 64 hex digits (either case).
    public init?(hex: some StringProtocol) {
        let digits = Array(hex.utf8)
        guard let value = digits.withUnsafeBufferPointer({ MerkleHash(hexDigits: $0) }) else { return nil }
        self = value
    }

    /// Parses standard base64 of 32 bytes.
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64) else { return nil }
        self.init(bytes: data)
    }

    /// The 32 bytes.
    public var bytes: [UInt8] { withUnsafeBytes(of: storage) { Array($0) } }

    /// Calls `body` with the 32 bytes, without copying.
    public func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try withUnsafeBytes(of: storage, body)
    }

    /// Lowercase hex.
    public var hex: String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        appendHex(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The 32 bytes as `Data`.
    public var data: Data { withBytes { Data($0) } }

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
