public import ARLinkCore

/// Conversions between ``Money`` and the minor units of a decimal field.
enum LayoutAmounts {
    /// `money` as units with `places` decimals; nil when it would lose digits or overflow.
    static func units(_ money: Money, places: Int) -> Int64? {
        let e = money.currency.exponent
        if places == e { return money.minorUnits }
        if places > e {
            var v = money.minorUnits
            for _ in e..<places {
                let (m, o) = v.multipliedReportingOverflow(by: 10)
                if o { return nil }
                v = m
            }
            return v
        }
        var v = money.minorUnits
        for _ in places..<e {
            guard v % 10 == 0 else { return nil }
            v /= 10
        }
        return v
    }

    /// Units with `places` decimals as money in `currency`; nil when it would lose digits.
    static func money(_ units: Int64, places: Int, currency: Currency) -> Money? {
        let e = currency.exponent
        var v = units
        if places < e {
            for _ in places..<e {
                let (m, o) = v.multipliedReportingOverflow(by: 10)
                if o { return nil }
                v = m
            }
        } else if places > e {
            for _ in e..<places {
                guard v % 10 == 0 else { return nil }
                v /= 10
            }
        }
        return Money(minorUnits: v, currency: currency)
    }

    static func places(_ field: FieldLayout) -> Int? {
        if case .decimal(let p, _, _) = field.type { return p }
        return nil
    }
}
