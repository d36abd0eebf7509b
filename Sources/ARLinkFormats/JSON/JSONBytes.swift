import ARLinkCore
import ARLinkSystem

/// Hand-written JSON encoding straight into a ``FileSink``: deterministic key order, no
/// `JSONEncoder`, no intermediate strings for numbers, money or dates.
extension FileSink {
    /// A JSON string literal with RFC 8259 escaping (quote, backslash, control characters).
    func jsonString(_ value: String) {
        out.append(UInt8(ascii: "\""))
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
            out.append(utf8: value)
        } else {
            for b in value.utf8 {
                switch b {
                case 0x22: out.append("\\\"")
                case 0x5C: out.append("\\\\")
                case 0x0A: out.append("\\n")
                case 0x0D: out.append("\\r")
                case 0x09: out.append("\\t")
                case 0x08: out.append("\\b")
                case 0x0C: out.append("\\f")
                case ..<0x20:
                    out.append("\\u00")
                    out.appendHex(b)
                default: out.append(b)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `"key":` (keys are ASCII literals from this module).
    func jsonKey(_ key: StaticString) {
        out.append(UInt8(ascii: "\""))
        out.append(key)
        out.append("\":")
    }

    /// A decimal integer.
    func integer(_ value: Int64) { out.appendDecimal(value) }

    /// Minor units as a decimal with `exponent` places: 1250 and 2 give `12.50`.
    func decimal(minorUnits: Int64, exponent: Int) { out.appendDecimal(minorUnits: minorUnits, exponent: exponent) }

    /// `YYYY-MM-DD` without quotes.
    func isoDate(_ date: LocalDate) {
        let (y, m, d) = date.components
        out.appendISODate(year: Int(y), month: Int(m), day: Int(d))
    }

    /// A quoted money amount: `"12.50"`.
    func jsonMoney(_ money: Money) {
        out.append(UInt8(ascii: "\""))
        decimal(minorUnits: money.minorUnits, exponent: money.currency.exponent)
        out.append(UInt8(ascii: "\""))
    }

    /// A quoted date or `null`.
    func jsonDate(_ date: LocalDate?) {
        guard let date else { return raw("null") }
        out.append(UInt8(ascii: "\""))
        isoDate(date)
        out.append(UInt8(ascii: "\""))
    }

    /// A string or `null`.
    func jsonOptional(_ value: String?) {
        guard let value else { return raw("null") }
        jsonString(value)
    }
}
