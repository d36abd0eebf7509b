public import ARLinkCore

/// One record read through a layout.
public struct ParsedRecord: Sendable, Hashable {
    /// The record type's name.
    public var type: String
    /// 1-based line number in the file.
    public var line: Int
    /// What the record means (for records with a kind field, after its code map).
    public var kind: DomainKind?
    /// Field name to value (fillers left out).
    public var values: [String: LayoutValue]
    /// The line's text, for a stable event id; never logged.
    public var rawLine: String

    public subscript(field: String) -> LayoutValue { values[field] ?? .null }
}

/// A whole file read through a layout, its trailer checked.
public struct ParsedFile: Sendable {
    public var name: String
    public var header: ParsedRecord?
    /// Detail records in file order.
    public var records: [ParsedRecord]
    public var trailer: ParsedRecord?
}

/// Reads a file through a ``Layout``.
///
/// The whole file is checked before anything is returned: every line's type, length and
/// fields, the header first and the trailer last, and the trailer's counts and sums. Any
/// failure throws, so a caller applies a file completely or not at all (a trailer that does
/// not match quarantines the whole file, as AIM requires).
public struct LayoutReader: Sendable {
    public let layout: Layout
    /// Cap on one line, in characters.
    public var maxLineLength = 100_000

    public init(layout: Layout) { self.layout = layout }

    /// Reads `bytes`, named `name` in messages.
    /// - Throws: ``LayoutError`` naming the file, line, record type, field, position and value.
    public func read(_ bytes: [UInt8], name: String) throws -> ParsedFile {
        var file = ParsedFile(name: name, header: nil, records: [], trailer: nil)
        var lineNumber = 0
        var start = 0
        var all: [ParsedRecord] = []
        while start < bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let text = try decodeLine(bytes[start..<lineEnd], name: name, line: lineNumber)
            if let trailer = file.trailer {
                throw LayoutError(.missingTrailer, "\(name) line \(lineNumber): a line follows the \(trailer.type) trailer on line \(trailer.line) (the trailer must be last)")
            }
            let record = try parse(line: text, name: name, number: lineNumber)
            let recordLayout = layout.record(named: record.type)!
            switch recordLayout.role {
            case .header:
                guard lineNumber == 1 else {
                    throw LayoutError(.missingHeader, "\(name) line \(lineNumber): header record \(record.type) is not on line 1")
                }
                file.header = record
            case .trailer:
                file.trailer = record
            case .detail:
                file.records.append(record)
            }
            if recordLayout.role != .trailer { all.append(record) }
            if recordLayout.role != .header && lineNumber == 1, let header = layout.header {
                throw LayoutError(.missingHeader, "\(name) line 1 is a \(record.type) record, not the \(header.name) header the layout starts with")
            }
            start = end + 1
        }
        if lineNumber == 0 { throw LayoutError(.missingTrailer, "\(name) is empty") }
        if let trailerLayout = layout.trailer {
            guard let trailer = file.trailer else {
                throw LayoutError(.missingTrailer, "\(name) ends on line \(lineNumber) without its \(trailerLayout.name) trailer (the file is truncated or incomplete)")
            }
            try checkTrailer(trailer, layout: trailerLayout, records: all, name: name)
        }
        return file
    }

    /// Cuts one line into its record type and values.
    func parse(line text: String, name: String, number: Int) throws -> ParsedRecord {
        guard !text.isEmpty else {
            throw LayoutError(.badLine, "\(name) line \(number) is blank (expected a record)")
        }
        guard text.unicodeScalars.count <= maxLineLength else {
            throw LayoutError(.badLine, "\(name) line \(number) is longer than \(maxLineLength) characters")
        }
        switch layout.format {
        case .fixedWidth:
            let chars = Array(text.unicodeScalars)
            guard let record = layout.records.first(where: { text.hasPrefix($0.prefix) }) else {
                throw unknown(String(String.UnicodeScalarView(chars.prefix(4))), name: name, number: number)
            }
            let length = record.length ?? chars.count
            if chars.count != length {
                let excessBlank = chars.count > length && chars[length...].allSatisfy { $0 == " " }
                guard record.lenientLength && (chars.count < length || excessBlank) else {
                    throw LayoutError(.recordLength, "\(name) line \(number), record \(record.name): the line has \(chars.count) characters (expected \(length))")
                }
            }
            var values: [String: LayoutValue] = [:]
            for field in record.fields where !field.isFiller {
                let from = field.start! - 1
                let to = min(from + field.length, chars.count)
                let raw = from < to ? String(String.UnicodeScalarView(chars[from..<to])) : ""
                let place = LayoutPlace(file: name, line: number, recordType: record.name, field: field.name, position: field.positionText)
                values[field.name] = try FieldCodec.decode(raw, field: field, place: place)
            }
            return try finish(record, values: values, text: text, name: name, number: number)
        case .delimited(let delimiter, let quote):
            let columns = try Self.split(text, delimiter: delimiter, quote: quote, name: name, number: number)
            guard let record = layout.records.first(where: { $0.prefix == columns[0] }) else {
                throw unknown(columns[0], name: name, number: number)
            }
            let maxColumn = record.fields.compactMap(\.column).max() ?? 0
            guard columns.count <= maxColumn else {
                throw LayoutError(.badLine, "\(name) line \(number), record \(record.name): \(columns.count) columns (expected at most \(maxColumn))")
            }
            var values: [String: LayoutValue] = [:]
            for field in record.fields where !field.isFiller {
                let column = field.column!
                let raw = column <= columns.count ? columns[column - 1] : ""
                let place = LayoutPlace(file: name, line: number, recordType: record.name, field: field.name, position: field.positionText)
                if raw.count > field.length {
                    throw LayoutError(.badValue, "\(place): \(raw.count) characters (expected at most \(field.length))")
                }
                values[field.name] = try FieldCodec.decode(raw, field: field, place: place)
            }
            return try finish(record, values: values, text: text, name: name, number: number)
        }
    }

    private func finish(_ record: RecordLayout, values: [String: LayoutValue], text: String, name: String, number: Int) throws -> ParsedRecord {
        var kind = record.mapsTo
        if let kindField = record.kindField, let f = record.field(named: kindField), case .code(let map, _, _) = f.type {
            guard let code = values[kindField]?.text, let meaning = map[code] else {
                throw LayoutError(.missingValue, "\(LayoutPlace(file: name, line: number, recordType: record.name, field: kindField, position: f.positionText)) is blank (it says what the record is)")
            }
            kind = DomainKind(rawValue: meaning)
        }
        return ParsedRecord(type: record.name, line: number, kind: kind, values: values, rawLine: text)
    }

    private func unknown(_ start: String, name: String, number: Int) -> LayoutError {
        let known = layout.records.map(\.prefix).joined(separator: ", ")
        return LayoutError(.unknownRecordType, "\(name) line \(number): \"\(start.prefix(10))\" is not a record type of layout \(layout.name) (expected one of \(known))")
    }

    private func decodeLine(_ bytes: ArraySlice<UInt8>, name: String, line: Int) throws -> String {
        switch layout.encoding {
        case .ascii:
            if let bad = bytes.firstIndex(where: { $0 >= 0x80 }) {
                throw LayoutError(.badLine, "\(name) line \(line), byte \(bad - bytes.startIndex + 1): 0x\(String(bytes[bad], radix: 16)) is not ASCII (the layout's encoding)")
            }
            return String(decoding: bytes, as: UTF8.self)
        case .latin1:
            var s = String.UnicodeScalarView()
            for b in bytes { s.append(Unicode.Scalar(b)) }
            return String(s)
        case .utf8:
            guard let s = String(validating: bytes, as: UTF8.self) else {
                throw LayoutError(.badLine, "\(name) line \(line) is not valid UTF-8 (the layout's encoding)")
            }
            return s
        }
    }

    /// Splits a delimited line; a quoted column may hold the delimiter and doubled quotes.
    static func split(_ text: String, delimiter: Character, quote: Character?, name: String, number: Int) throws -> [String] {
        var out: [String] = []
        var current = ""
        var inQuotes = false
        var wasQuoted = false
        var chars = text.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? chars.next() {
            pending = nil
            if inQuotes {
                if c == quote {
                    if let n = chars.next() {
                        if n == quote { current.append(c) } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else { current.append(c) }
            } else if c == delimiter {
                out.append(current); current = ""; wasQuoted = false
            } else if let quote, c == quote, current.isEmpty, !wasQuoted {
                inQuotes = true; wasQuoted = true
            } else {
                current.append(c)
            }
        }
        if inQuotes { throw LayoutError(.badLine, "\(name) line \(number): a quoted column is not closed") }
        out.append(current)
        return out
    }

    /// Compares the trailer's counts and sums with the records read.
    func checkTrailer(_ trailer: ParsedRecord, layout trailerLayout: RecordLayout, records: [ParsedRecord], name: String) throws {
        for field in trailerLayout.fields {
            guard let check = field.check else { continue }
            let place = LayoutPlace(file: name, line: trailer.line, recordType: trailer.type, field: field.name, position: field.positionText)
            let stated = trailer[field.name]
            switch check {
            case .count(let types):
                let actual = types.isEmpty ? records.count : records.filter { types.contains($0.type) }.count
                guard let n = stated.integer else { throw LayoutError(.missingValue, "\(place) is blank (expected the record count)") }
                guard n == Int64(actual) else {
                    throw LayoutError(.trailerMismatch, "\(place): the trailer says \(n) records, the file has \(actual); the whole file is refused and nothing in it applied")
                }
            case .sum(let refs):
                var total: Int64 = 0
                for ref in refs {
                    let parts = ref.split(separator: ".", maxSplits: 1).map(String.init)
                    for r in records where r.type == parts[0] {
                        let (sum, overflow) = total.addingReportingOverflow(r[parts[1]].amount ?? 0)
                        if overflow { throw LayoutError(.trailerMismatch, "\(place): the sum of \(ref) overflows") }
                        total = sum
                    }
                }
                guard let stated = stated.amount else { throw LayoutError(.missingValue, "\(place) is blank (expected the total)") }
                guard stated == total else {
                    let places = Self.places(field)
                    throw LayoutError(.trailerMismatch, "\(place): the trailer's total is \(Money.format(minorUnits: stated, exponent: places)), the records add up to \(Money.format(minorUnits: total, exponent: places)); the whole file is refused and nothing in it applied")
                }
            }
        }
    }

    static func places(_ field: FieldLayout) -> Int {
        if case .decimal(let p, _, _) = field.type { return p }
        return 0
    }
}
