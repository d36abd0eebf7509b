/// A count and an amount in minor units: the value of one KPI fact.
public struct FactFigure: Sendable, Hashable {
    public var count: Int
    public var minor: Int64

    public init(count: Int = 0, minor: Int64 = 0) {
        self.count = count
        self.minor = minor
    }

    /// Adds one item of `minor` units.
    public mutating func add(_ minor: Int64) {
        count += 1
        self.minor += minor
    }

    /// Adds another figure's count and amount.
    public mutating func merge(_ other: FactFigure) {
        count += other.count
        minor += other.minor
    }
}
