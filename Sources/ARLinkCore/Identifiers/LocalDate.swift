/// A calendar date without time zone (the ERP's due dates, the run's as-of date).
///
/// Stored as days since 1970-01-01 so that days-past-due is a subtraction. Conversion uses
/// the proleptic Gregorian calendar (days-from-civil arithmetic), no Foundation calendar,
/// because extracts hold millions of dates.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let daysSinceEpoch: Int32

    public init(daysSinceEpoch: Int32) { self.daysSinceEpoch = daysSinceEpoch }

    /// Creates a date from its parts, refusing impossible dates (2025-02-31).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= LocalDate.daysIn(month: month, year: year) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        daysSinceEpoch = Int32(era * 146097 + doe - 719468)
    }

    /// Year, month and day.
    public var components: (year: Int, month: Int, day: Int) {
        let z = Int(daysSinceEpoch) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso text: some StringProtocol) {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == 45, u[7] == 45,
              let y = LocalDate.digits(u[0..<4]), let m = LocalDate.digits(u[5..<7]), let d = LocalDate.digits(u[8..<10])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// `YYYY-MM-DD` from its ten ASCII bytes (as ``init(iso:)``, without an array per date).
    @unsafe
    public init?(isoBytes u: UnsafeBufferPointer<UInt8>) {
        self.init(isoBytes: unsafe u.span)
    }

    /// `YYYY-MM-DD` from its ten ASCII bytes (as ``init(iso:)``, without an array per date).
    public init?(isoBytes u: Span<UInt8>) {
        guard u.count == 10, u[4] == 45, u[7] == 45 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var v = 0
            for i in range {
                let b = u[i]
                guard b >= 48, b <= 57 else { return nil }
                v = v * 10 + Int(b - 48)
            }
            return v
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// `YYYY-MM-DD` (years outside 0...9999 keep their sign and all their digits).
    public var iso: String {
        let (y, m, d) = components
        guard (0...9999).contains(y) else {
            func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
            return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
        }
        // Ten ASCII scalars appended to a small (inline, unallocated) string: a million-row
        // run formats millions of dates.
        var text = ""
        func digit(_ v: Int) { text.unicodeScalars.append(Unicode.Scalar(UInt8(ascii: "0") + UInt8(v))) }
        digit(y / 1000); digit(y / 100 % 10); digit(y / 10 % 10); digit(y % 10)
        text.unicodeScalars.append("-")
        digit(m / 10); digit(m % 10)
        text.unicodeScalars.append("-")
        digit(d / 10); digit(d % 10)
        return text
    }

    /// `YYYYMMDD`, as used in file names.
    public var compact: String { String(iso.filter { $0 != "-" }) }

    public var description: String { iso }

    public func adding(days: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + Int32(days)) }

    /// Days from `other` to `self` (positive when `self` is later).
    public func days(since other: LocalDate) -> Int { Int(daysSinceEpoch) - Int(other.daysSinceEpoch) }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let d = LocalDate(iso: s) else {
            throw CoreError(.invalidDate, "\"\(s.prefix(20))\" is not a date (expected YYYY-MM-DD)")
        }
        self = d
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(iso)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var v = 0
        for b in bytes {
            guard b >= 48, b <= 57 else { return nil }
            v = v * 10 + Int(b - 48)
        }
        return v
    }
}
