import ARLinkCore

/// Typed access to the members of one exchange-file record, with errors that name the file,
/// line and field. Values are quoted only as a bounded, escaped ``Excerpt`` and only for fields
/// that cannot hold personal data; free text, contact data and unknown field names never are.
struct RecordFields {
    let members: [String: LineJSON]
    let place: String
    let lineNumber: Int
    var errorCode: FeedbackError.Code = .badRecord

    init(_ value: LineJSON, place: String, lineNumber: Int) throws(FeedbackError) {
        guard case .object(let members) = value else {
            throw FeedbackError(.badRecord, "\(place): a record must be a JSON object, found \(value.typeName)", lineNumber: lineNumber)
        }
        self.members = members
        self.place = place
        self.lineNumber = lineNumber
    }

    func fail(_ field: String, _ text: String) -> FeedbackError {
        FeedbackError(errorCode, "\(place), field \"\(field)\": \(text)", lineNumber: lineNumber)
    }

    /// Refuses members outside `allowed`.
    func only(_ allowed: Set<String>) throws(FeedbackError) {
        // The unknown name is the partner's choice and may be personal data: not repeated.
        for key in members.keys where !allowed.contains(key) {
            let unknown = members.keys.filter { !allowed.contains($0) }.count
            throw FeedbackError(errorCode, "\(place): a field that is not allowed in this record (\(unknown) such field(s); names are not repeated here; allowed: \(allowed.sorted().joined(separator: ", ")))", lineNumber: lineNumber)
        }
    }

    func string(_ key: String, max: Int = 64, identifier: Bool = false) throws(FeedbackError) -> String {
        guard let value = try optionalString(key, max: max, identifier: identifier) else { throw fail(key, "is required") }
        return value
    }

    /// - Parameter lines: newlines are allowed (a signed note); other control characters never are.
    func optionalString(_ key: String, max: Int = 64, identifier: Bool = false, lines: Bool = false) throws(FeedbackError) -> String? {
        guard let value = members[key], value != .null else { return nil }
        guard case .string(let s) = value else { throw fail(key, "must be a string, found \(value.typeName)") }
        guard !s.isEmpty else { throw fail(key, "must not be empty") }
        guard s.utf8.count <= max else { throw fail(key, "is longer than \(max) bytes") }
        if identifier {
            guard Self.isIdentifier(s) else {
                throw fail(key, "must be 1-\(max) characters of letters, digits and . _ : / - (no spaces or control characters)")
            }
        } else if s.unicodeScalars.contains(where: { ($0.value < 0x20 && !(lines && $0 == "\n")) || $0.value == 0x7F }) {
            throw fail(key, "contains control characters")
        }
        return s
    }

    /// Letters, digits and `. _ : / -`, starting with a letter or digit.
    static func isIdentifier(_ s: String) -> Bool {
        var first = true
        for b in s.utf8 {
            let alnum = (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
            if first { if !alnum { return false }; first = false; continue }
            if !(alnum || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: ":") || b == UInt8(ascii: "/") || b == UInt8(ascii: "-")) {
                return false
            }
        }
        return !first
    }

    func int(_ key: String, range: ClosedRange<Int>) throws(FeedbackError) -> Int {
        guard let value = try optionalInt(key, range: range) else { throw fail(key, "is required") }
        return value
    }

    func optionalInt(_ key: String, range: ClosedRange<Int>) throws(FeedbackError) -> Int? {
        guard let value = members[key], value != .null else { return nil }
        guard case .number(let text) = value, let n = Int(text) else { throw fail(key, "must be a whole number") }
        guard range.contains(n) else { throw fail(key, "must be between \(range.lowerBound) and \(range.upperBound), found \(n)") }
        return n
    }

    func date(_ key: String) throws(FeedbackError) -> LocalDate {
        guard let value = try optionalDate(key) else { throw fail(key, "is required") }
        return value
    }

    func optionalDate(_ key: String) throws(FeedbackError) -> LocalDate? {
        guard let text = try optionalString(key, max: 10) else { return nil }
        guard text.utf8.count == 10, let date = LocalDate(iso: text) else {
            throw fail(key, "\(Excerpt.quoted(text)) is not a date (expected YYYY-MM-DD)")
        }
        return date
    }

    func currency(_ key: String) throws(FeedbackError) -> Currency {
        let text = try string(key, max: 3)
        guard text.utf8.count == 3, text.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }), let currency = try? Currency(text) else {
            throw fail(key, "\(Excerpt.quoted(text)) is not an ISO 4217 currency code")
        }
        return currency
    }

    /// `amount` (decimal string) in `currency`.
    func money(_ key: String, currency: Currency) throws(FeedbackError) -> Money {
        guard let value = try optionalMoney(key, currency: currency) else { throw fail(key, "is required") }
        return value
    }

    func optionalMoney(_ key: String, currency: Currency) throws(FeedbackError) -> Money? {
        guard let text = try optionalString(key, max: 32) else { return nil }
        guard let money = try? Money(decimal: text, currency: currency) else {
            throw fail(key, "\(Excerpt.quoted(text)) is not an amount in \(currency) (expected a decimal string with at most \(currency.exponent) decimals, such as \(Money.format(minorUnits: 1250, exponent: currency.exponent)))")
        }
        return money
    }

    /// `{"payment": 3, ...}`.
    func counts(_ key: String) throws(FeedbackError) -> [String: Int] {
        guard case .object(let object)? = members[key] else { throw fail(key, "must be an object of counts") }
        var out: [String: Int] = [:]
        for (name, value) in object {
            guard case .number(let text) = value, let n = Int(text), n >= 0 else { throw fail(key, "count \(Excerpt.quoted(name)) must be a whole number ≥ 0") }
            out[name] = n
        }
        return out
    }

    /// `{"EUR": "12.50", ...}`.
    func totals(_ key: String) throws(FeedbackError) -> [Currency: Money] {
        guard case .object(let object)? = members[key] else { throw fail(key, "must be an object of totals per currency") }
        var out: [Currency: Money] = [:]
        for (code, value) in object {
            guard code.utf8.count == 3, let currency = try? Currency(code) else { throw fail(key, "\(Excerpt.quoted(code)) is not an ISO 4217 currency code") }
            guard case .string(let text) = value, let money = try? Money(decimal: text, currency: currency) else {
                throw fail(key, "the \(code) total must be a decimal string")
            }
            out[currency] = money
        }
        return out
    }
}
