import ARLinkCore

/// How an extract writes amounts.
public enum NumberFormat: String, Sendable, Hashable, CaseIterable, Codable {
    /// `1234.56` (dot decimal, no grouping).
    case plain
    /// `1,234.56` (dot decimal, comma grouping; plain `1234.56` is accepted too).
    case dotDecimal = "1,234.56"
    /// `1.234,56` (comma decimal, dot grouping; `1234,56` is accepted too).
    case commaDecimal = "1.234,56"

    var decimalSeparator: UInt8 { self == .commaDecimal ? UInt8(ascii: ",") : UInt8(ascii: ".") }
    var groupSeparator: UInt8? {
        switch self {
        case .plain: nil
        case .dotDecimal: UInt8(ascii: ",")
        case .commaDecimal: UInt8(ascii: ".")
        }
    }

    /// A sample for messages.
    var example: String {
        switch self {
        case .plain: "1234.56"
        case .dotDecimal: "1,234.56"
        case .commaDecimal: "1.234,56"
        }
    }

    /// Parses `bytes` into minor units with `exponent` decimals.
    ///
    /// Accepts an optional leading `-` or `+` (or a trailing `-`, as some ERPs write credit
    /// notes), grouping separators between groups of three digits, and extra decimals only
    /// when they are zeros (`12.500` in a 2-decimal currency).
    /// - Returns: nil when the text is not an amount in this format or overflows Int64.
    func parseMinorUnits(_ raw: Span<UInt8>, exponent: Int) -> Int64? {
        let base = raw.extracting(CSVReader.trimmedBounds(raw))
        guard base.count > 0 else { return nil }
        var i = 0
        var e = base.count
        var negative = false
        if base[0] == UInt8(ascii: "-") { negative = true; i = 1 } else if base[0] == UInt8(ascii: "+") { i = 1 }
        if !negative && e - i > 1 && base[e - 1] == UInt8(ascii: "-") { negative = true; e -= 1 }
        let decimal = decimalSeparator
        let group = groupSeparator
        var whole: Int64 = 0
        var wholeDigits = 0
        var digitsSinceGroup = 0
        var sawGroup = false
        var fraction: Int64 = 0
        var fractionDigits = 0
        var inFraction = false
        while i < e {
            let c = base[i]
            if c >= 48 && c <= 57 {
                let d = Int64(c - 48)
                if inFraction {
                    if fractionDigits < exponent {
                        fraction = fraction * 10 + d
                        fractionDigits += 1
                    } else if d != 0 {
                        return nil
                    }
                } else {
                    let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.addingReportingOverflow(d)
                    if o1 || o2 { return nil }
                    whole = s
                    wholeDigits += 1
                    digitsSinceGroup += 1
                }
            } else if c == decimal {
                if inFraction || exponent == 0 && !Self.onlyZeros(base, from: i + 1, to: e) { return nil }
                if sawGroup && digitsSinceGroup != 3 { return nil }
                inFraction = true
            } else if let group, c == group, !inFraction {
                // A group separator needs digits before it and exactly three after the previous one.
                if wholeDigits == 0 || (sawGroup && digitsSinceGroup != 3) || (!sawGroup && digitsSinceGroup > 3) { return nil }
                sawGroup = true
                digitsSinceGroup = 0
            } else {
                return nil
            }
            i += 1
        }
        guard wholeDigits > 0 || fractionDigits > 0 else { return nil }
        if sawGroup && !inFraction && digitsSinceGroup != 3 { return nil }
        while fractionDigits < exponent { fraction *= 10; fractionDigits += 1 }
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let (m, o1) = whole.multipliedReportingOverflow(by: scale)
        let (v, o2) = m.addingReportingOverflow(fraction)
        if o1 || o2 { return nil }
        return negative ? -v : v
    }

    private static func onlyZeros(_ base: Span<UInt8>, from: Int, to: Int) -> Bool {
        var i = from
        while i < to { if base[i] != 48 { return false }; i += 1 }
        return true
    }
}

/// How an extract writes dates: an order of day, month and year, and a separator (`-`, `.`,
/// `/`, or none). The year has four digits; written as a pattern such as `dd-MM-yyyy`.
public struct DateFormat: Sendable, Hashable, CustomStringConvertible {
    /// The order of the date's parts.
    public enum Order: Sendable, Hashable, CaseIterable {
        case dayMonthYear, monthDayYear, yearMonthDay
    }

    public let order: Order
    /// The byte between the parts; nil when they are written without one (`yyyyMMdd`).
    public let separator: UInt8?

    public init(order: Order, separator: UInt8?) {
        self.order = order
        self.separator = separator
    }

    /// `2025-03-31` (ISO 8601).
    public static let iso = DateFormat(order: .yearMonthDay, separator: UInt8(ascii: "-"))
    /// `31.03.2025` (German and most of Europe).
    public static let dayMonthYearDot = DateFormat(order: .dayMonthYear, separator: UInt8(ascii: "."))
    /// `31/03/2025` (UK, France, Spain).
    public static let dayMonthYearSlash = DateFormat(order: .dayMonthYear, separator: UInt8(ascii: "/"))
    /// `03/31/2025` (US).
    public static let monthDayYearSlash = DateFormat(order: .monthDayYear, separator: UInt8(ascii: "/"))
    /// `31-03-2025` (ERPNext's default system date format).
    public static let dayMonthYearDash = DateFormat(order: .dayMonthYear, separator: UInt8(ascii: "-"))

    /// Every supported format: three orders times four separators, in the order the docs and
    /// the configuration schema list them.
    public static let allCases: [DateFormat] = Order.allCases.flatMap { order in
        ([UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), nil] as [UInt8?]).map { DateFormat(order: order, separator: $0) }
    }

    /// The pattern as configured: `dd-MM-yyyy`, `yyyyMMdd`, ...
    public var rawValue: String {
        let sep = separator.map { String(UnicodeScalar($0)) } ?? ""
        return switch order {
        case .dayMonthYear: "dd\(sep)MM\(sep)yyyy"
        case .monthDayYear: "MM\(sep)dd\(sep)yyyy"
        case .yearMonthDay: "yyyy\(sep)MM\(sep)dd"
        }
    }

    /// The format with this pattern (exactly as ``rawValue`` writes it), or nil.
    public init?(rawValue: String) {
        guard let found = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = found
    }

    public var description: String { rawValue }

    /// Parses a date; a time part after a space or `T` is ignored (`2025-03-31 00:00:00`).
    /// With a separator, day and month may have one digit when they come first (`1.3.2025`);
    /// after a leading year, and without a separator, they have two.
    /// - Returns: nil when the text is not a date in this format or the date is impossible.
    func parse(_ raw: Span<UInt8>) -> LocalDate? {
        let base = raw.extracting(CSVReader.trimmedBounds(raw))
        guard base.count >= 6 else { return nil }
        // Cut a time part.
        var n = base.count
        for k in 6..<n where base[k] == 32 || base[k] == UInt8(ascii: "T") { n = k; break }
        var parts: (Int, Int, Int) = (0, 0, 0)
        if order == .yearMonthDay, let sep = separator {
            // Fixed positions: yyyy-MM-dd (the common ISO case, one per date column and row).
            guard n == 10, base[4] == sep, base[7] == sep,
                  let y = Self.number(base, 0, 4), let m = Self.number(base, 5, 7), let d = Self.number(base, 8, 10)
            else { return nil }
            return LocalDate(year: y, month: m, day: d)
        } else if let sep = separator {
            var index = 0
            var start = 0
            for k in 0...n where k == n || base[k] == sep {
                let len = k - start
                // Day-first or month-first: the year comes last.
                guard index < 3, index == 2 ? len == 4 : (len >= 1 && len <= 2), let v = Self.number(base, start, k) else { return nil }
                switch index {
                case 0: parts.0 = v
                case 1: parts.1 = v
                default: parts.2 = v
                }
                index += 1
                start = k + 1
            }
            guard index == 3 else { return nil }
        } else {
            guard n == 8 else { return nil }
            let widths = order == .yearMonthDay ? (4, 2) : (2, 2)
            guard let a = Self.number(base, 0, widths.0), let b = Self.number(base, widths.0, widths.0 + widths.1),
                  let c = Self.number(base, widths.0 + widths.1, 8) else { return nil }
            parts = (a, b, c)
        }
        return switch order {
        case .dayMonthYear: LocalDate(year: parts.2, month: parts.1, day: parts.0)
        case .monthDayYear: LocalDate(year: parts.2, month: parts.0, day: parts.1)
        case .yearMonthDay: LocalDate(year: parts.0, month: parts.1, day: parts.2)
        }
    }

    @inline(__always)
    private static func number(_ base: Span<UInt8>, _ from: Int, _ to: Int) -> Int? {
        var v = 0
        var i = from
        while i < to {
            let c = base[i]
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
            i += 1
        }
        return v
    }
}

/// Flag values: `1/0`, `true/false`, `yes/no`, `y/n` (any case), `x`; empty is false.
enum BooleanValue {
    /// Extra true/false words for the `settled` column (Odoo's `payment_state`).
    static let settledTrue = words("paid", "in_payment", "reversed")
    static let settledFalse = words("not_paid", "partial", "invoicing_legacy")
    static let trueWords = words("true", "yes")
    static let falseWords = words("false", "no")

    /// Lower-case ASCII words as bytes, for ``equalsFolded(_:_:)``.
    static func words(_ list: String...) -> [[UInt8]] { list.map { Array($0.utf8) } }

    static func parse(_ raw: Span<UInt8>, settledWords: Bool = false) -> Bool? {
        let bytes = raw.extracting(CSVReader.trimmedBounds(raw))
        if bytes.isEmpty { return false }
        if bytes.count == 1 {
            switch bytes[0] | 0x20 {
            case UInt8(ascii: "0"), UInt8(ascii: "n"), UInt8(ascii: "f"): return false
            case UInt8(ascii: "1"), UInt8(ascii: "y"), UInt8(ascii: "x"), UInt8(ascii: "t"): return true
            default: return nil
            }
        }
        if bytes.count > 16 { return nil }
        // Compared byte by byte, ASCII letters folded to lower case (no String per value: this
        // runs for two columns of every row of a million-row extract).
        for word in trueWords where equalsFolded(bytes, word) { return true }
        for word in falseWords where equalsFolded(bytes, word) { return false }
        if settledWords {
            for word in settledTrue where equalsFolded(bytes, word) { return true }
            for word in settledFalse where equalsFolded(bytes, word) { return false }
        }
        return nil
    }

    /// Whether `bytes`, with ASCII capitals folded to lower case, spell `word` (lower case ASCII).
    static func equalsFolded(_ bytes: Span<UInt8>, _ letters: [UInt8]) -> Bool {
        guard bytes.count == letters.count else { return false }
        for index in 0..<bytes.count {
            let b = bytes[index]
            if (b >= 65 && b <= 90 ? b + 32 : b) != letters[index] { return false }
        }
        return true
    }
}
