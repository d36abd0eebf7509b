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
}

extension LocalDate {
    /// `YYYY-MM`, the month this day falls in.
    public var month: String { String(iso.prefix(7)) }
}
