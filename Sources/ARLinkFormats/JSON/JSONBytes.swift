import ARLinkCore

/// Hand-written JSON encoding straight into a ``FileSink``: deterministic key order, no
/// `JSONEncoder`, no intermediate strings for numbers, money or dates.
extension FileSink {
    /// A JSON string literal with RFC 8259 escaping (quote, backslash, control characters).
    func jsonString(_ value: String) throws {
        try append(UInt8(ascii: "\""))
        var s = value
        try s.withUTF8 { utf8 in
            var start = 0
            for (i, b) in utf8.enumerated() where b < 0x20 || b == 0x22 || b == 0x5C {
                if i > start { try append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[start..<i])) }
                switch b {
                case 0x22: try append(Array("\\\"".utf8))
                case 0x5C: try append(Array("\\\\".utf8))
                case 0x0A: try append(Array("\\n".utf8))
                case 0x0D: try append(Array("\\r".utf8))
                case 0x09: try append(Array("\\t".utf8))
                case 0x08: try append(Array("\\b".utf8))
                case 0x0C: try append(Array("\\f".utf8))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    try append([0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
                }
                start = i + 1
            }
            if start < utf8.count { try append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[start...])) }
        }
        try append(UInt8(ascii: "\""))
    }

    /// `"key":` (keys are ASCII literals from this module).
    func jsonKey(_ key: StaticString) throws {
        try append(UInt8(ascii: "\""))
        try append(UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        try append(UInt8(ascii: "\""))
        try append(UInt8(ascii: ":"))
    }

    func raw(_ text: StaticString) throws {
        try append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A decimal integer.
    func integer(_ value: Int64) throws {
        let p = try reserve(24)
        var n = 0
        var magnitude = value.magnitude
        if value < 0 { p[n] = UInt8(ascii: "-"); n += 1 }
        var digits: (UInt64, Int) = (magnitude, 0)
        repeat { digits.1 += 1; digits.0 /= 10 } while digits.0 > 0
        var i = n + digits.1 - 1
        repeat {
            p[i] = UInt8(truncatingIfNeeded: 48 + magnitude % 10)
            magnitude /= 10
            i -= 1
        } while magnitude > 0
        commit(n + digits.1)
    }

    /// Minor units as a decimal with `exponent` places: 1250 and 2 give `12.50`.
    func decimal(minorUnits: Int64, exponent: Int) throws {
        let p = try reserve(32)
        var n = 0
        if minorUnits < 0 { p[n] = UInt8(ascii: "-"); n += 1 }
        var magnitude = minorUnits.magnitude
        // Digits in reverse into a small buffer.
        var tmp: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let count = withUnsafeMutableBytes(of: &tmp) { t -> Int in
            var k = 0
            repeat {
                t[k] = UInt8(truncatingIfNeeded: 48 + magnitude % 10)
                magnitude /= 10
                k += 1
            } while magnitude > 0
            while k <= exponent { t[k] = 48; k += 1 }
            for j in stride(from: k - 1, through: 0, by: -1) {
                if j == exponent - 1 && exponent > 0 { p[n] = UInt8(ascii: "."); n += 1 }
                p[n] = t[j]
                n += 1
            }
            return n
        }
        commit(count)
    }

    /// `YYYY-MM-DD` without quotes.
    func isoDate(_ date: LocalDate) throws {
        let (y, m, d) = date.components
        let p = try reserve(10)
        p[0] = UInt8(48 + (y / 1000) % 10); p[1] = UInt8(48 + (y / 100) % 10)
        p[2] = UInt8(48 + (y / 10) % 10); p[3] = UInt8(48 + y % 10)
        p[4] = UInt8(ascii: "-")
        p[5] = UInt8(48 + m / 10); p[6] = UInt8(48 + m % 10)
        p[7] = UInt8(ascii: "-")
        p[8] = UInt8(48 + d / 10); p[9] = UInt8(48 + d % 10)
        commit(10)
    }

    /// A quoted money amount: `"12.50"`.
    func jsonMoney(_ money: Money) throws {
        try append(UInt8(ascii: "\""))
        try decimal(minorUnits: money.minorUnits, exponent: money.currency.exponent)
        try append(UInt8(ascii: "\""))
    }

    /// A quoted date or `null`.
    func jsonDate(_ date: LocalDate?) throws {
        guard let date else { return try raw("null") }
        try append(UInt8(ascii: "\""))
        try isoDate(date)
        try append(UInt8(ascii: "\""))
    }

    /// A string or `null`.
    func jsonOptional(_ value: String?) throws {
        guard let value else { return try raw("null") }
        try jsonString(value)
    }
}
