import Foundation

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
            for (index, byte) in bytes.enumerated() { target[index] = byte }
        }
        self = value
    }

    init(raw: UnsafeRawBufferPointer) {
        var value = MerkleHash.zero
        withUnsafeMutableBytes(of: &value.storage) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw.prefix(32))) }
        self = value
    }

    /// Parses 64 hex digits (either case).
    public init?(hex: some StringProtocol) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in 0..<32 {
            guard let high = Self.nibble(digits[2 * index]), let low = Self.nibble(digits[2 * index + 1]) else { return nil }
            bytes[index] = high << 4 | low
        }
        self.init(bytes: bytes)
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
        let table = Array("0123456789abcdef".utf8)
        withBytes { for byte in $0 { out.append(table[Int(byte >> 4)]); out.append(table[Int(byte & 15)]) } }
        return String(decoding: out, as: UTF8.self)
    }

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
