/// A partner's value as it may appear in a message, a log line or a reason file.
///
/// Only for fields that cannot hold personal data (amounts, currency codes, dates, statuses,
/// record types, party ids); a field that can is named with its line, never quoted, and so is
/// a field name the partner chose. The excerpt is bounded and escaped so that no value can
/// forge a log line, move a terminal's cursor or reverse its text.
public enum Excerpt {
    /// `value` in double quotes, at most `limit` characters, with `"` and `\` escaped and every
    /// character outside printable ASCII written as `\uXXXX` (lowercase hex); `…` follows the
    /// closing quote when the value was cut.
    public static func quoted(_ value: some StringProtocol, limit: Int = 24) -> String {
        var out = "\""
        var count = 0
        var cut = false
        for scalar in value.unicodeScalars {
            if count == limit {
                cut = true
                break
            }
            count += 1
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case " "..."~": out.unicodeScalars.append(scalar)
            default:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            }
        }
        return out + (cut ? "\"…" : "\"")
    }
}
