/// Formats the "where" part of error messages: `open_items.csv line 1,204, column "due_date"`.
enum Location {
    /// `1204` as `1,204`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        guard digits.count > 3 else { return n < 0 ? "-" + digits : digits }
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    static func describe(file: String, line: Int, column: String? = nil) -> String {
        var s = "\(file) line \(grouped(line))"
        if let column { s += ", column \"\(column)\"" }
        return s
    }

    /// The last path component, used as the file's display name in messages.
    static func displayName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// A value quoted for a message, cut to `limit` characters, control characters replaced.
    static func quote(_ value: String, limit: Int = 40) -> String {
        var out = ""
        for ch in value.prefix(limit) {
            out.append(ch.isASCII && (ch.asciiValue ?? 0) < 32 ? "?" : ch)
        }
        if value.count > limit { out += "..." }
        return "\"\(out)\""
    }
}
