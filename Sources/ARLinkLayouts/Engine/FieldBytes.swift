import ARLinkCore

/// Reads one fixed-width field straight from the bytes of its line.
///
/// Numbers, amounts, dates and codes are ASCII in every encoding, so they are parsed from the
/// bytes without making text; only text and code values become Strings (decoded in the
/// layout's encoding). The values and the messages are those of ``FieldCodec/decode(_:field:place:)``.
enum FieldBytes {
    /// The value of `field` in `bytes[from..<to]` (padding still in place; `to` may be short
    /// of the field's end on a lenient short line).
    /// - Parameter place: builds the field's place for a message (only when there is one).
    static func decode(_ bytes: [UInt8], from: Int, to: Int, field: FieldLayout, encoding: Layout.Encoding,
                       place: () -> LayoutPlace) throws -> LayoutValue {
        var lo = from, hi = to
        while lo < hi && bytes[lo] == 0x20 { lo += 1 }
        while hi > lo && bytes[hi - 1] == 0x20 { hi -= 1 }
        if field.constant != nil {
            // Rare (the record type): the String path, with its message.
            return try FieldCodec.decode(text(bytes, lo, hi, encoding), field: field, place: place())
        }
        if lo == hi {
            if case .filler = field.type { return .null }
            if field.required { throw LayoutError(.missingValue, "\(place()) is blank (the field is required)") }
            return .null
        }
        switch field.type {
        case .filler:
            return .null
        case .text:
            return .text(text(bytes, lo, hi, encoding))
        case .code(let map, _, _):
            let code = text(bytes, lo, hi, encoding)
            guard map[code] != nil else { return try FieldCodec.decode(code, field: field, place: place()) }
            return .text(code)
        case .integer:
            guard let v = integer(bytes, lo, hi) else { return try FieldCodec.decode(text(bytes, lo, hi, encoding), field: field, place: place()) }
            return .integer(v)
        case .decimal(let places, let implied, _):
            let v = implied ? integer(bytes, lo, hi) : explicitDecimal(bytes, lo, hi, places: places)
            guard let v else { return try FieldCodec.decode(text(bytes, lo, hi, encoding), field: field, place: place()) }
            return .amount(v)
        case .date(let format, let null):
            if let null, equals(bytes, lo, hi, null) {
                if field.required { throw LayoutError(.missingValue, "\(place()) is blank (the field is required)") }
                return .null
            }
            if (format == "CCYYMMDD" || format == "YYYYMMDD"), hi - lo == 8, let v = integer(bytes, lo, hi), v >= 0,
               let date = LocalDate(year: Int(v / 10_000), month: Int(v / 100 % 100), day: Int(v % 100)) {
                return .date(date)
            }
            guard let f = DateFormat(format), let date = f.parse(bytes, lo, hi) else {
                return try FieldCodec.decode(text(bytes, lo, hi, encoding), field: field, place: place())
            }
            return .date(date)
        }
    }

    /// The text of `bytes[lo..<hi]` in `encoding` (already checked for the line).
    static func text(_ bytes: [UInt8], _ lo: Int, _ hi: Int, _ encoding: Layout.Encoding) -> String {
        let slice = bytes[lo..<hi]
        if encoding == .latin1 && slice.contains(where: { $0 >= 0x80 }) {
            var s = String.UnicodeScalarView()
            for b in slice { s.append(Unicode.Scalar(b)) }
            return String(s)
        }
        return String(decoding: slice, as: UTF8.self)
    }

    /// `-?[0-9]+` as an Int64; nil for anything else or an overflow.
    static func integer(_ bytes: [UInt8], _ lo: Int, _ hi: Int) -> Int64? {
        var i = lo
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < hi else { return nil }
        var v: Int64 = 0
        while i < hi {
            let d = bytes[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            v = s
            i += 1
        }
        return negative ? -v : v
    }

    /// `-?[0-9]+\.[0-9]{places}` (no dot when `places` is 0) as minor units; nil otherwise.
    static func explicitDecimal(_ bytes: [UInt8], _ lo: Int, _ hi: Int, places: Int) -> Int64? {
        var i = lo
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var v: Int64 = 0
        var wholeDigits = 0, fractionDigits = 0, dot = false
        while i < hi {
            let b = bytes[i]
            if b == UInt8(ascii: ".") {
                guard !dot, places > 0 else { return nil }
                dot = true
            } else {
                let d = b &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int64(d))
                if o1 || o2 { return nil }
                v = s
                if dot { fractionDigits += 1 } else { wholeDigits += 1 }
            }
            i += 1
        }
        guard wholeDigits > 0, places == 0 ? !dot : (dot && fractionDigits == places) else { return nil }
        return negative ? -v : v
    }

    /// Whether `bytes[lo..<hi]` starts with `prefix` in `encoding`.
    static func startsWith(_ bytes: [UInt8], _ lo: Int, _ hi: Int, _ prefix: String, _ encoding: Layout.Encoding) -> Bool {
        var i = lo
        if encoding == .latin1 {
            for scalar in prefix.unicodeScalars {
                guard i < hi, scalar.value <= 0xFF, bytes[i] == UInt8(scalar.value) else { return false }
                i += 1
            }
            return true
        }
        for b in prefix.utf8 {
            guard i < hi, bytes[i] == b else { return false }
            i += 1
        }
        return true
    }

    /// `CCYYMMDD` of `day`, as ASCII digits.
    static func appendCompact(_ day: LocalDate, to out: inout [UInt8]) {
        let (y, m, d) = day.components
        for v in [y / 1000 % 10, y / 100 % 10, y / 10 % 10, y % 10, m / 10, m % 10, d / 10, d % 10] {
            out.append(UInt8(ascii: "0") + UInt8(v))
        }
    }

    static func equals(_ bytes: [UInt8], _ lo: Int, _ hi: Int, _ text: String) -> Bool {
        var i = lo
        for b in text.utf8 {
            guard i < hi, bytes[i] == b else { return false }
            i += 1
        }
        return i == hi
    }
}

extension DateFormat {
    /// ``parse(_:)`` over ASCII bytes.
    func parse(_ bytes: [UInt8], _ lo: Int, _ hi: Int) -> LocalDate? {
        guard hi - lo == width else { return nil }
        var i = lo, y = 0, m = 0, d = 0
        func digits(_ n: Int) -> Int? {
            var v = 0
            for _ in 0..<n {
                let digit = bytes[i] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                v = v * 10 + Int(digit); i += 1
            }
            return v
        }
        for part in parts {
            switch part {
            case .year: guard let v = digits(4) else { return nil }; y = v
            case .month: guard let v = digits(2) else { return nil }; m = v
            case .day: guard let v = digits(2) else { return nil }; d = v
            case .time(let max): guard let v = digits(2), v <= max else { return nil }
            case .literal(let c):
                guard let ascii = c.asciiValue, bytes[i] == ascii else { return nil }
                i += 1
            }
        }
        return LocalDate(year: y, month: m, day: d)
    }
}
