import ARLinkCore

/// Typed, strict access to the members of one JSON record, with messages that name the file,
/// line and field and what was expected (values of personal fields are never quoted).
struct PortfolioFields {
    let members: [String: LineJSON]
    /// `portfolio.jsonl line 3`, or with a path inside the record: `... invoices[2]`.
    let place: String

    init(_ value: LineJSON, place: String) throws {
        guard case .object(let members) = value else {
            throw FormatError(.badRecord, "\(place): the record is \(value.typeName), expected an object")
        }
        self.members = members
        self.place = place
    }

    func bad(_ key: String, _ expected: String) -> FormatError {
        FormatError(.badRecord, "\(place), field \"\(key)\": expected \(expected)")
    }

    /// Refuses members other than `allowed` and `optional`, and requires all of `allowed` to be
    /// present.
    func exactly(_ allowed: [String], optional: [String] = []) throws {
        for key in allowed where members[key] == nil {
            throw FormatError(.badRecord, "\(place): the field \"\(key)\" is missing")
        }
        let known = Set(allowed + optional)
        for key in members.keys.sorted() where !known.contains(key) {
            throw FormatError(.badRecord, "\(place): unknown field \"\(key.prefix(40))\" (portfolio.v1 allows only \((allowed + optional).joined(separator: ", ")))")
        }
    }

    func string(_ key: String, nonEmpty: Bool = true) throws -> String {
        guard case .string(let s)? = members[key], !nonEmpty || !s.isEmpty else { throw bad(key, "a non-empty string") }
        return s
    }

    func optionalString(_ key: String) throws -> String? {
        switch members[key] {
        case .null?, nil: return nil
        case .string(let s)?: return s
        default: throw bad(key, "a string or null")
        }
    }

    func int(_ key: String, min: Int = Int.min) throws -> Int {
        guard case .number(let text)? = members[key], let v = Int(text), v >= min else {
            throw bad(key, min == 0 ? "a whole number >= 0" : "a whole number")
        }
        return v
    }

    func date(_ key: String) throws -> LocalDate {
        guard case .string(let s)? = members[key], let d = LocalDate(iso: s) else { throw bad(key, "a date YYYY-MM-DD") }
        return d
    }

    func optionalDate(_ key: String) throws -> LocalDate? {
        switch members[key] {
        case .null?, nil: return nil
        case .string(let s)?:
            guard let d = LocalDate(iso: s) else { throw bad(key, "a date YYYY-MM-DD or null") }
            return d
        default: throw bad(key, "a date YYYY-MM-DD or null")
        }
    }

    func array(_ key: String) throws -> [LineJSON] {
        guard case .array(let items)? = members[key] else { throw bad(key, "an array") }
        return items
    }

    func currency(_ key: String) throws -> Currency {
        let code = try string(key)
        guard code.utf8.count == 3, code == code.uppercased(), let c = try? Currency(code) else {
            throw bad(key, "an ISO 4217 currency code such as EUR")
        }
        return c
    }

    /// A decimal string in `currency`'s exponent.
    func money(_ key: String, currency: Currency) throws -> Money {
        guard case .string(let s)? = members[key], PortfolioFields.isCanonicalDecimal(s, exponent: currency.exponent),
              let minor = try? Money.parseMinorUnits(s, exponent: currency.exponent) else {
            throw bad(key, "a decimal string with exactly \(currency.exponent) decimals for \(currency.code), such as \(Money.format(minorUnits: 123456, exponent: currency.exponent))")
        }
        return Money(minorUnits: minor, currency: currency)
    }

    /// `-?digits(.digits{exponent})?` with exactly `exponent` decimals (none when 0).
    static func isCanonicalDecimal(_ s: String, exponent: Int) -> Bool {
        var bytes = Substring(s).utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
        if exponent == 0 { return parts.count == 1 }
        guard parts.count == 2 else { return false }
        return parts[1].count == exponent && parts[1].allSatisfy { $0 >= 48 && $0 <= 57 }
    }
}
