/// The generator's own pseudo-random numbers: SplitMix64, keyed by (seed, stream, index).
///
/// Every record draws from its own generator derived from the seed, a stream tag and the
/// record's index, so record N is the same whatever else is generated (the number of items,
/// the variant), and no platform random source or floating point is involved: the same seed
/// gives the same bytes on every machine.
struct SampleRandom {
    /// Independent families of draws.
    enum Stream: UInt64 {
        case customer = 1
        case item = 2
        case plan = 3
        case change = 4
        case newCustomer = 5
        case heavy = 6
        case extra = 7
        case account = 8
    }

    private var state: UInt64

    /// A generator for record `index` of `stream` under `seed`.
    init(seed: UInt64, stream: Stream, index: UInt64) {
        let key = SampleRandom.mix(stream.rawValue &* 0xD1B5_4A32_D192_ED03 &+ index &* 0x9E37_79B9_7F4A_7C15)
        state = SampleRandom.mix(seed ^ key)
    }

    /// The SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mixer.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SampleRandom.mix(state)
    }

    /// A number in `0..<bound` (`bound` in 1...2^32; multiply-shift, bias far below 1e-9).
    mutating func below(_ bound: Int) -> Int {
        Int(((next() >> 32) &* UInt64(bound)) >> 32)
    }

    /// A number in `range`.
    mutating func within(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// True with probability `perMille` / 1000.
    mutating func chance(perMille: Int) -> Bool { below(1000) < perMille }

    /// One element of a non-empty array.
    mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
}
