public import ARLinkCore

/// A run of days, first and last inclusive, and the calendar months it touches.
public struct KPIPeriod: Sendable, Hashable {
    public var from: LocalDate
    public var to: LocalDate

    public init(from: LocalDate, to: LocalDate) {
        self.from = from
        self.to = to
    }

    public func contains(_ day: LocalDate) -> Bool { day >= from && day <= to }

    public var days: Int { to.days(since: from) + 1 }

    /// The period's months, each clipped to the period.
    public var months: [(label: String, period: KPIPeriod)] {
        var out: [(String, KPIPeriod)] = []
        var start = from
        while start <= to {
            let (y, m, _) = start.components
            let next = (m == 12 ? LocalDate(year: y + 1, month: 1, day: 1) : LocalDate(year: y, month: m + 1, day: 1)) ?? to.adding(days: 1)
            out.append((start.month, KPIPeriod(from: start, to: min(to, next.adding(days: -1)))))
            start = next
        }
        return out
    }
}
