/// SplitMix64 (Steele, Lea and Flood, 2014): a small, fast, seedable pseudo-random generator for
/// sample data, simulations and test schedules. Not for keys or anything secret.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's position; each call to ``next()`` advances it by the golden-ratio increment.
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective 64-bit mixer, so `mix(key)` gives a stateless
    /// random value for any key (a seed combined with a record's index, say).
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
