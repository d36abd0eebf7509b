import ARLinkCore

extension FeedbackEventScanner {
    /// The values of one scanned line, read like ``RecordFields`` reads parsed members.
    struct Members {
        let bytes: UnsafeBufferPointer<UInt8>
        let values: UnsafeBufferPointer<Value>
        let present: UInt32

        /// The value of `key`, nil when absent or `null`.
        @inline(__always)
        func value(_ key: Key) -> Value? {
            guard present & key.bit != 0 else { return nil }
            let value = values[key.rawValue]
            return value.kind == .null ? nil : value
        }

        /// The bytes of a string member: not empty, at most `max` bytes, an identifier if
        /// asked (printable ASCII, so free of control characters, is a given here).
        @inline(__always)
        func optionalText(_ key: Key, max: Int, identifier: Bool = false) throws(NotFast) -> UnsafeBufferPointer<UInt8>? {
            guard let value = value(key) else { return nil }
            guard value.kind == .string, value.count > 0, value.count <= max else { throw NotFast() }
            let text = UnsafeBufferPointer(rebasing: bytes[value.start..<(value.start + value.count)])
            if identifier, !Self.isIdentifier(text) { throw NotFast() }
            return text
        }

        @inline(__always)
        func text(_ key: Key, max: Int, identifier: Bool = false) throws(NotFast) -> UnsafeBufferPointer<UInt8> {
            guard let text = try optionalText(key, max: max, identifier: identifier) else { throw NotFast() }
            return text
        }

        /// `YYYY-MM-DD`, a real calendar date (as `LocalDate(iso:)` reads it).
        func optionalDate(_ key: Key) throws(NotFast) -> LocalDate? {
            guard let text = try optionalText(key, max: 10) else { return nil }
            guard text.count == 10, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"),
                  let year = Self.digits(text, 0, 4), let month = Self.digits(text, 5, 2), let day = Self.digits(text, 8, 2),
                  let date = LocalDate(year: year, month: month, day: day) else { throw NotFast() }
            return date
        }

        func date(_ key: Key) throws(NotFast) -> LocalDate {
            guard let date = try optionalDate(key) else { throw NotFast() }
            return date
        }

        /// A whole number in `range`; only short plain integers (longer ones are out of every
        /// range checked here, and the ordinary path says so).
        func optionalInt(_ key: Key, range: ClosedRange<Int>) throws(NotFast) -> Int? {
            guard let value = value(key) else { return nil }
            guard value.kind == .integer, value.count <= 9 else { throw NotFast() }
            var n = 0
            for i in value.start..<(value.start + value.count) { n = n * 10 + Int(bytes[i] - UInt8(ascii: "0")) }
            guard range.contains(n) else { throw NotFast() }
            return n
        }

        /// An amount in `currency`, in the plain form `-?digits(.digits)?` with at most the
        /// currency's decimals and at most 14 whole digits (so nothing can overflow); the
        /// value `Money(decimal:currency:)` gives for the same text.
        func money(_ key: Key, currency: Currency) throws(NotFast) -> Money {
            let text = try text(key, max: 32)
            let exponent = currency.exponent
            guard exponent <= 4 else { throw NotFast() }
            var i = 0
            let negative = text[0] == UInt8(ascii: "-")
            if negative { i = 1 }
            var whole: Int64 = 0
            let wholeStart = i
            while i < text.count, text[i] >= UInt8(ascii: "0"), text[i] <= UInt8(ascii: "9") {
                guard i - wholeStart < 14 else { throw NotFast() }
                whole = whole * 10 + Int64(text[i] - UInt8(ascii: "0"))
                i += 1
            }
            guard i > wholeStart else { throw NotFast() }
            var fraction: Int64 = 0
            var decimals = 0
            if i < text.count {
                guard text[i] == UInt8(ascii: "."), exponent > 0 else { throw NotFast() }
                i += 1
                while i < text.count, text[i] >= UInt8(ascii: "0"), text[i] <= UInt8(ascii: "9") {
                    guard decimals < exponent else { throw NotFast() }
                    fraction = fraction * 10 + Int64(text[i] - UInt8(ascii: "0"))
                    decimals += 1
                    i += 1
                }
                guard i == text.count, decimals > 0, decimals <= exponent else { throw NotFast() }
            }
            var scale: Int64 = 1
            for _ in 0..<exponent { scale *= 10 }
            while decimals < exponent { fraction *= 10; decimals += 1 }
            let minor = whole * scale + fraction
            return Money(minorUnits: negative ? -minor : minor, currency: currency)
        }

        /// Letters, digits and `. _ : / -`, starting with a letter or digit (``RecordFields/isIdentifier(_:)``).
        static func isIdentifier(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let p = text.baseAddress, text.count > 0, isAlphanumeric(p[0]) else { return false }
            for i in 1..<text.count {
                let b = p[i]
                guard isAlphanumeric(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: ":")
                    || b == UInt8(ascii: "/") || b == UInt8(ascii: "-") else { return false }
            }
            return true
        }

        /// ASCII `0-9`, `A-Z`, `a-z`.
        @inline(__always)
        static func isAlphanumeric(_ b: UInt8) -> Bool {
            b &- UInt8(ascii: "0") < 10 || (b | 0x20) &- UInt8(ascii: "a") < 26
        }

        static func digits(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
            var v = 0
            for i in start..<(start + count) {
                let b = text[i]
                guard b >= 48, b <= 57 else { return nil }
                v = v * 10 + Int(b - 48)
            }
            return v
        }
    }
}
