/// An amount of money: an integer number of minor units in one currency.
///
/// Never a floating-point number. Arithmetic across currencies throws; overflow throws.
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    public var isZero: Bool { minorUnits == 0 }
    public var isPositive: Bool { minorUnits > 0 }

    /// Adds two amounts of the same currency.
    /// - Throws: ``CoreError/Code/currencyMismatch`` or ``CoreError/Code/overflow``.
    public func adding(_ other: Money) throws -> Money {
        guard other.currency == currency else {
            throw CoreError(.currencyMismatch, "cannot add \(other.currency) to \(currency)")
        }
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        if overflow { throw CoreError(.overflow, "amount overflow adding \(other) to \(self)") }
        return Money(minorUnits: sum, currency: currency)
    }

    /// Subtracts an amount of the same currency.
    public func subtracting(_ other: Money) throws -> Money {
        guard other.currency == currency else {
            throw CoreError(.currencyMismatch, "cannot subtract \(other.currency) from \(currency)")
        }
        let (diff, overflow) = minorUnits.subtractingReportingOverflow(other.minorUnits)
        if overflow { throw CoreError(.overflow, "amount overflow subtracting \(other) from \(self)") }
        return Money(minorUnits: diff, currency: currency)
    }

    /// The decimal string with the currency's exponent, as written in files: "12.50", "1250000", "-0.05".
    public var decimalString: String { Money.format(minorUnits: minorUnits, exponent: currency.exponent) }

    public var description: String { "\(decimalString) \(currency.code)" }

    /// Formats minor units with `exponent` decimals and a dot separator.
    public static func format(minorUnits: Int64, exponent: Int) -> String {
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        guard exponent > 0 else { return (negative ? "-" : "") + String(magnitude) }
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let whole = magnitude / divisor
        let fraction = String(magnitude % divisor)
        let padded = String(repeating: "0", count: exponent - fraction.count) + fraction
        return (negative ? "-" : "") + String(whole) + "." + padded
    }

    /// Parses a canonical decimal string ("12.50", "-3", "1250000") in `currency`.
    ///
    /// Accepts at most the currency's exponent in decimals, a dot as separator, an optional
    /// leading minus. Locale formats ("1.234,56") are the extract reader's job, not this one's.
    /// - Throws: ``CoreError/Code/invalidAmount`` naming the text and the expected form.
    public init(decimal text: String, currency: Currency) throws {
        let minor = try Money.parseMinorUnits(text, exponent: currency.exponent)
        self.init(minorUnits: minor, currency: currency)
    }

    /// Parses a dot-separated decimal into minor units with the given exponent.
    public static func parseMinorUnits(_ text: String, exponent: Int) throws -> Int64 {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if bytes.first == UInt8(ascii: "-") { negative = true; bytes = bytes.dropFirst() }
        else if bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        var whole: Int64 = 0
        var fractionDigits = 0
        var fraction: Int64 = 0
        var seenDot = false
        var digitCount = 0
        func bad() -> CoreError {
            CoreError(.invalidAmount, "\"\(text.prefix(40))\" is not an amount (expected digits with at most \(exponent) decimals after a dot, such as \(Money.format(minorUnits: 123456, exponent: exponent)))")
        }
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if seenDot || exponent == 0 { throw bad() }
                seenDot = true
                continue
            }
            guard byte >= 48, byte <= 57 else { throw bad() }
            let digit = Int64(byte - 48)
            digitCount += 1
            if seenDot {
                fractionDigits += 1
                if fractionDigits > exponent { throw bad() }
                fraction = fraction * 10 + digit
            } else {
                let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(digit)
                if o1 || o2 { throw CoreError(.overflow, "\"\(text.prefix(40))\" is too large an amount") }
                whole = s
            }
        }
        guard digitCount > 0 else { throw bad() }
        while fractionDigits < exponent { fraction *= 10; fractionDigits += 1 }
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let (m, o1) = whole.multipliedReportingOverflow(by: scale)
        let (v, o2) = m.addingReportingOverflow(fraction)
        if o1 || o2 { throw CoreError(.overflow, "\"\(text.prefix(40))\" is too large an amount") }
        return negative ? -v : v
    }
}
