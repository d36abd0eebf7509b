import ARLinkCore

/// Parses the UTC timestamps of exchange files: `YYYY-MM-DDTHH:MM:SSZ`.
public enum Timestamps {
    /// Seconds since 1970 for a `2026-11-29T05:00:00Z` timestamp, nil when malformed.
    public static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 20, b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              b[19] == UInt8(ascii: "Z") else { return nil }
        guard let date = LocalDate(iso: String(decoding: b[0..<10], as: UTF8.self)) else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r { guard b[i] >= 48, b[i] <= 57 else { return nil }; n = n * 10 + Int(b[i] - 48) }
            return n
        }
        guard let h = num(11..<13), let m = num(14..<16), let s = num(17..<19), h < 24, m < 60, s < 61 else { return nil }
        return Int64(date.daysSinceEpoch) * 86_400 + Int64(h * 3600 + m * 60 + s)
    }
}
