public import ARLinkCore

/// Writes JSON text for exchange-file records: quoted strings and ordered objects.
///
/// Keys are written in the order given (stable, readable output); values that are already
/// JSON (numbers, nested objects) are passed as ``Field/raw(_:)``.
public enum JSONText {
    /// One member value.
    public enum Field: Sendable {
        case string(String)
        case int(Int)
        /// Already-encoded JSON (an object or array built with ``object(_:)``).
        case raw(String)
        case null
    }

    /// `{"k":v,...}` in the order given; nil values are left out.
    public static func object(_ members: [(String, Field?)]) -> String {
        var out = "{"
        out.reserveCapacity(256)
        var first = true
        for (key, value) in members {
            guard let value else { continue }
            if !first { out += "," }
            first = false
            appendQuoted(key, to: &out)
            out += ":"
            switch value {
            case .string(let s): appendQuoted(s, to: &out)
            case .int(let i): out += String(i)
            case .raw(let r): out += r
            case .null: out += "null"
            }
        }
        return out + "}"
    }

    /// A JSON string literal.
    public static func quoted(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }

    /// Appends `s` as a JSON string literal.
    public static func appendQuoted(_ s: String, to out: inout String) {
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) {
            out += "\""
            out += s
            out += "\""
            return
        }
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `{"EUR":"12.50",...}` sorted by currency.
    public static func totals(_ totals: [Currency: Money]) -> String {
        object(totals.sorted { $0.key < $1.key }.map { ($0.key.code, .string($0.value.decimalString)) })
    }

    /// `{"payment":3,...}` sorted by key.
    public static func counts(_ counts: [String: Int]) -> String {
        object(counts.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })
    }
}
