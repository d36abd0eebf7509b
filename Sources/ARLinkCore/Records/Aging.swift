/// Aging buckets by days past due: default 1-30, 31-60, 61-90, 91-180, 181-365, over 365.
public struct AgingBuckets: Sendable, Hashable {
    /// Inclusive upper bounds of each bucket but the last, ascending (default 30, 60, 90, 180, 365).
    public let upperBounds: [Int]

    public static let standard = AgingBuckets(upperBounds: [30, 60, 90, 180, 365])

    public init(upperBounds: [Int]) {
        self.upperBounds = upperBounds
    }

    /// Labels such as `1-30`, `31-60`, ..., `over-365`.
    public var labels: [String] {
        var labels: [String] = []
        var lower = 1
        for upper in upperBounds {
            labels.append("\(lower)-\(upper)")
            lower = upper + 1
        }
        labels.append("over-\(upperBounds.last ?? 0)")
        return labels
    }

    /// The index of the bucket for `daysPastDue` (>= 1), or nil when not overdue.
    public func bucketIndex(daysPastDue: Int) -> Int? {
        guard daysPastDue >= 1 else { return nil }
        for (i, upper) in upperBounds.enumerated() where daysPastDue <= upper { return i }
        return upperBounds.count
    }
}
