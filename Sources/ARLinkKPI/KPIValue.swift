public import ARLinkCore

/// One figure of the report as every format shows it.
public enum KPIValue: Sendable, Hashable {
    case count(Int)
    /// Minor units of the row's currency, shown as a decimal string in major units.
    case money(Int64, Currency)
    /// A rate in [0, 1], or nil when it has no denominator (nothing placed, nothing judged).
    case rate(Double?)
    /// A number of days, or nil when there is nothing to measure.
    case days(Double?)
    /// Counts by reason or code.
    case counts([String: Int])

    /// The text for CSV and HTML cells: amounts as decimal strings, rates with four decimals,
    /// days with one, counts as `reason=n` joined by `;` (sorted), nothing for a missing value.
    public var text: String {
        switch self {
        case .count(let n): String(n)
        case .money(let minor, let currency): Money(minorUnits: minor, currency: currency).decimalString
        case .rate(let r): r.map { KPIValue.fixed($0, digits: 4) } ?? ""
        case .days(let d): d.map { KPIValue.fixed($0, digits: 1) } ?? ""
        case .counts(let c): c.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        }
    }

    /// `value` rounded to `digits` decimals, without Foundation's locale-dependent formatting.
    static func fixed(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((value * scale).rounded())
        let sign = scaled < 0 ? "-" : ""
        let magnitude = scaled.magnitude
        let whole = magnitude / UInt64(scale)
        var fraction = String(magnitude % UInt64(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        return digits == 0 ? sign + String(whole) : sign + String(whole) + "." + fraction
    }

    /// `part / whole`, nil when `whole` is zero, capped to [0, 1].
    static func ratio(_ part: Int64, _ whole: Int64) -> Double? {
        guard whole > 0 else { return nil }
        return min(1, max(0, Double(part) / Double(whole)))
    }
}
