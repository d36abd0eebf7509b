public import ARLinkCore

/// A date format of a layout: `CCYY` or `YYYY` (year), `MM`, `DD`, anything else literal;
/// `hh`, `mm`, `ss` are two digits of a time of day, checked when read and written as `00`
/// (arlink keeps dates only).
struct DateFormat: Sendable, Hashable {
    enum Part: Hashable { case year, month, day, time(Int), literal(Character) }
    let parts: [Part]
    let width: Int

    init?(_ text: String) {
        var parts: [Part] = []
        var rest = Substring(text)
        var year = false, month = false, day = false
        while let c = rest.first {
            if rest.hasPrefix("CCYY") || rest.hasPrefix("YYYY") { parts.append(.year); year = true; rest = rest.dropFirst(4) }
            else if rest.hasPrefix("MM") { parts.append(.month); month = true; rest = rest.dropFirst(2) }
            else if rest.hasPrefix("DD") { parts.append(.day); day = true; rest = rest.dropFirst(2) }
            else if rest.hasPrefix("hh") { parts.append(.time(23)); rest = rest.dropFirst(2) }
            else if rest.hasPrefix("mm") || rest.hasPrefix("ss") { parts.append(.time(59)); rest = rest.dropFirst(2) }
            else if c.isLetter || c.isNumber { return nil }
            else { parts.append(.literal(c)); rest = rest.dropFirst() }
        }
        guard year, month, day else { return nil }
        self.parts = parts
        width = parts.reduce(0) { n, p in
            switch p { case .year: n + 4; case .month, .day, .time: n + 2; case .literal: n + 1 }
        }
    }

    func parse(_ text: String) -> LocalDate? {
        let chars = Array(text)
        guard chars.count == width else { return nil }
        var i = 0, y = 0, m = 0, d = 0
        func digits(_ n: Int) -> Int? {
            var v = 0
            for _ in 0..<n {
                guard let digit = chars[i].wholeNumberValue, chars[i].isASCII else { return nil }
                v = v * 10 + digit; i += 1
            }
            return v
        }
        for part in parts {
            switch part {
            case .year: guard let v = digits(4) else { return nil }; y = v
            case .month: guard let v = digits(2) else { return nil }; m = v
            case .day: guard let v = digits(2) else { return nil }; d = v
            case .time(let max): guard let v = digits(2), v <= max else { return nil }
            case .literal(let c): guard chars[i] == c else { return nil }; i += 1
            }
        }
        return LocalDate(year: y, month: m, day: d)
    }

    func format(_ date: LocalDate) -> String {
        let (y, m, d) = date.components
        func padded(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        var out = ""
        for part in parts {
            switch part {
            case .year: out += padded(y, 4)
            case .month: out += padded(m, 2)
            case .day: out += padded(d, 2)
            case .time: out += "00"
            case .literal(let c): out.append(c)
            }
        }
        return out
    }
}

/// Reads and writes the text of one field.
enum FieldCodec {
    /// The value of a field's text (already cut out of its line; padding still in place).
    /// - Throws: ``LayoutError`` `.badValue` or `.missingValue` naming `place`.
    static func decode(_ raw: String, field: FieldLayout, place: LayoutPlace) throws -> LayoutValue {
        let trimmed = raw.trimmingSpaces()
        if let constant = field.constant {
            guard trimmed == constant.trimmingSpaces() else {
                throw LayoutError(.badValue, "\(place): \(Self.quote(trimmed, field)) is not the expected value \"\(constant)\"")
            }
        }
        switch field.type {
        case .filler:
            return .null
        case .text:
            if trimmed.isEmpty { return try blank(field, place) }
            return .text(trimmed)
        case .code(let map, _, _):
            if trimmed.isEmpty { return try blank(field, place) }
            guard map[trimmed] != nil else {
                let known = map.keys.sorted().prefix(12).joined(separator: ", ")
                throw LayoutError(.badValue, "\(place): \"\(trimmed.prefix(20))\" is not a known code (expected one of \(known))")
            }
            return .text(trimmed)
        case .integer(let pad):
            _ = pad
            let body = trimmed
            if trimmed.isEmpty { return try blank(field, place) }
            guard let v = Int64(body), body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) else {
                throw LayoutError(.badValue, "\(place): \"\(trimmed.prefix(30))\" is not a whole number")
            }
            return .integer(v)
        case .decimal(let places, let implied, _):
            if trimmed.isEmpty { return try blank(field, place) }
            let parsed: Int64?
            if implied {
                parsed = trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) || (trimmed.first == "-" && trimmed.dropFirst().allSatisfy { $0.isASCII && $0.isNumber } && trimmed.count > 1) ? Int64(trimmed) : nil
            } else {
                parsed = Self.explicitDecimal(trimmed, places: places)
            }
            guard let v = parsed else {
                let example = implied ? String(repeating: "0", count: max(1, field.length - 5)) + "12345" : Money.format(minorUnits: 12345, exponent: places)
                throw LayoutError(.badValue, "\(place): \"\(trimmed.prefix(30))\" is not an amount (expected digits with \(places) decimals \(implied ? "implied, no dot" : "after a dot"), such as \(example))")
            }
            return .amount(v)
        case .date(let format, let null):
            if trimmed.isEmpty { return try blank(field, place) }
            if let null, trimmed == null { return try blank(field, place) }
            guard let f = DateFormat(format), let date = f.parse(trimmed) else {
                throw LayoutError(.badValue, "\(place): \"\(trimmed.prefix(30))\" is not a date (expected \(format)\(null.map { ", or \($0) for none" } ?? ""))")
            }
            return .date(date)
        }
    }

    /// `-123.45` with exactly `places` decimals (or none when places is 0); leading zeros allowed.
    static func explicitDecimal(_ text: String, places: Int) -> Int64? {
        var s = Substring(text)
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        let whole: Substring, fraction: Substring
        if places == 0 {
            guard parts.count == 1 else { return nil }
            whole = parts[0]; fraction = ""
        } else {
            guard parts.count == 2, parts[1].count == places else { return nil }
            whole = parts[0]; fraction = parts[1]
        }
        guard !whole.isEmpty, whole.allSatisfy({ $0.isASCII && $0.isNumber }), fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard let v = Int64(whole + fraction) else { return nil }
        return negative ? -v : v
    }

    private static func blank(_ field: FieldLayout, _ place: LayoutPlace) throws -> LayoutValue {
        if field.required { throw LayoutError(.missingValue, "\(place) is blank (the field is required)") }
        return .null
    }

    /// A value for messages: quoted for numbers, dates and codes; text is withheld.
    static func quote(_ text: String, _ field: FieldLayout) -> String {
        if case .text = field.type, field.constant == nil { return "the text" }
        return "\"\(text.prefix(30))\""
    }

    /// The text of a value for a field, padded to its width when `fixed`.
    /// - Throws: ``LayoutError/Code/cannotRender`` naming `context` when the value does not fit.
    static func encode(_ value: LayoutValue, field: FieldLayout, fixed: Bool, context: String) throws -> String {
        let (text, justify, pad) = try encodedParts(value, field: field, fixed: fixed, context: context)
        if text.count > field.length {
            throw LayoutError(.cannotRender, "\(context): field \(field.name) (\(field.positionText)) holds at most \(field.length) characters, the value has \(text.count)")
        }
        guard fixed else {
            // Delimited: no padding, except zero-padded integers keep their width.
            if case .integer(let p) = field.type, p == "0", !text.isEmpty { return String(repeating: "0", count: field.length - text.count) + text }
            return text
        }
        let fill = String(repeating: pad, count: field.length - text.count)
        return justify == .left ? text + fill : fill + text
    }

    /// A value's text before padding, with the side it is justified to and the padding.
    /// - Throws: ``LayoutError/Code/cannotRender`` when the field cannot hold the value.
    static func encodedParts(_ value: LayoutValue, field: FieldLayout, fixed: Bool, context: String) throws -> (String, Justification, Character) {
        var justify = Justification.left
        var pad: Character = " "
        var text: String
        switch (field.type, value) {
        case (.filler, _):
            text = ""
        case (_, _) where field.constant != nil && value == .null:
            text = field.constant!
        case (.text(let j, let p), .text(let t)), (.code(_, let j, let p), .text(let t)):
            justify = j; pad = p; text = t
        case (.text, .null), (.code, .null):
            if field.required { throw LayoutError(.cannotRender, "\(context): field \(field.name) is required but has no value") }
            text = ""
        case (.integer(let p), .integer(let v)):
            justify = .right; pad = p; text = String(v)
            if p == "0" && v < 0 { text = "-" + String(repeating: "0", count: max(0, field.length - text.count)) + String(v.magnitude); pad = " " }
        case (.integer(let p), .null):
            justify = .right; pad = p; text = field.required ? "" : (p == "0" ? "0" : "")
            if field.required { throw LayoutError(.cannotRender, "\(context): field \(field.name) is required but has no value") }
        case (.decimal(let places, let implied, let p), .amount(let v)):
            justify = .right; pad = p
            if implied { text = String(v.magnitude) } else { text = Money.format(minorUnits: Int64(v.magnitude), exponent: places) }
            if v < 0 {
                if p == "0" && fixed { text = "-" + String(repeating: "0", count: max(0, field.length - 1 - text.count)) + text; pad = " " }
                else { text = "-" + text }
            }
        case (.decimal(let places, let implied, let p), .null):
            if field.required { throw LayoutError(.cannotRender, "\(context): field \(field.name) is required but has no value") }
            justify = .right; pad = p; text = implied ? "0" : Money.format(minorUnits: 0, exponent: places)
        case (.date(let format, _), .date(let d)):
            text = DateFormat(format)!.format(d)
        case (.date(_, let null), .null):
            if field.required { throw LayoutError(.cannotRender, "\(context): field \(field.name) is required but has no value") }
            text = null ?? ""
        default:
            throw LayoutError(.cannotRender, "\(context): field \(field.name) cannot hold a \(value.kindName)")
        }
        return (text, justify, pad)
    }
}

extension LayoutValue {
    var kindName: String {
        switch self {
        case .text: "text"
        case .integer: "whole number"
        case .amount: "amount"
        case .date: "date"
        case .null: "blank"
        }
    }
}

extension String {
    /// Without leading and trailing spaces (only U+0020: tabs are data).
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
