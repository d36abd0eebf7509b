import ARLinkFormats

/// A JSON value with keys in the order given (the report's order), and its text.
public indirect enum KPIJSON: Sendable, Hashable {
    case object([(String, KPIJSON)])
    case array([KPIJSON])
    case string(String)
    case int(Int)
    case double(Double)
    case null

    public static func == (a: KPIJSON, b: KPIJSON) -> Bool { a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    /// The value as JSON text, two-space indented.
    public var text: String {
        var out = ""
        write(to: &out, indent: "")
        return out
    }

    func write(to out: inout String, indent: String) {
        switch self {
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            out += "{\n"
            for (index, (key, value)) in members.enumerated() {
                out += indent + "  " + KPIJSON.quote(key) + ": "
                value.write(to: &out, indent: indent + "  ")
                out += index == members.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += indent + "  "
                item.write(to: &out, indent: indent + "  ")
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .string(let s): out += KPIJSON.quote(s)
        case .int(let n): out += String(n)
        case .double(let d): out += d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        case .null: out += "null"
        }
    }

    /// A JSON string literal (the formats module's one escaper).
    static func quote(_ s: String) -> String { JSONText.quoted(s) }
}

extension KPIValue {
    /// Counts as numbers, amounts as decimal strings, rates and days as numbers (null when missing).
    var json: KPIJSON {
        switch self {
        case .count(let n): .int(n)
        case .money: .string(text)
        case .rate(let r): r.map(KPIJSON.double) ?? .null
        case .days(let d): d.map(KPIJSON.double) ?? .null
        case .counts(let c): .object(c.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })
        }
    }
}
