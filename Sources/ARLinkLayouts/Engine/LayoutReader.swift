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
    /// The line's bytes (a slice of the file's), for a stable event id; never logged.
    public var lineBytes: ArraySlice<UInt8>
    /// The layout's encoding, for ``rawLine``.
    var encoding: Layout.Encoding

    /// The line's text, for a stable event id; never logged.
    public var rawLine: String {
        FieldBytes.text(Array(lineBytes), 0, lineBytes.count, encoding)
    }

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
            if let trailer = file.trailer {
                throw LayoutError(.missingTrailer, "\(name) line \(lineNumber): a line follows the \(trailer.type) trailer on line \(trailer.line) (the trailer must be last)")
            }
            let record: ParsedRecord
            if layout.format == .fixedWidth {
                record = try parseFixed(bytes, from: start, to: lineEnd, name: name, number: lineNumber)
            } else {
                let text = try decodeLine(bytes[start..<lineEnd], name: name, line: lineNumber)
                record = try parse(line: text, bytes: bytes[start..<lineEnd], name: name, number: lineNumber)
            }
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

    /// Cuts one delimited line into its record type and values.
    func parse(line text: String, bytes: ArraySlice<UInt8>, name: String, number: Int) throws -> ParsedRecord {
        guard !text.isEmpty else {
            throw LayoutError(.badLine, "\(name) line \(number) is blank (expected a record)")
        }
        guard text.unicodeScalars.count <= maxLineLength else {
            throw LayoutError(.badLine, "\(name) line \(number) is longer than \(maxLineLength) characters")
        }
        switch layout.format {
        case .fixedWidth:
            return try parseFixed(Array(bytes), from: 0, to: bytes.count, name: name, number: number)
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
            return try finish(record, values: values, bytes: bytes, name: name, number: number)
        }
    }

    private func finish(_ record: RecordLayout, values: [String: LayoutValue], bytes: ArraySlice<UInt8>, name: String, number: Int) throws -> ParsedRecord {
        var kind = record.mapsTo
        if let kindField = record.kindField, let f = record.field(named: kindField), case .code(let map, _, _) = f.type {
            guard let code = values[kindField]?.text, let meaning = map[code] else {
                throw LayoutError(.missingValue, "\(LayoutPlace(file: name, line: number, recordType: record.name, field: kindField, position: f.positionText)) is blank (it says what the record is)")
            }
            kind = DomainKind(rawValue: meaning)
        }
        return ParsedRecord(type: record.name, line: number, kind: kind, values: values, lineBytes: bytes, encoding: layout.encoding)
    }

    /// Cuts one fixed-width line, `bytes[from..<to]`, into its record type and values, working
    /// on the bytes: positions are bytes for ASCII and Latin-1 (and for a UTF-8 line that is
    /// all ASCII), characters mapped to byte offsets for any other UTF-8 line.
    func parseFixed(_ bytes: [UInt8], from: Int, to: Int, name: String, number: Int) throws -> ParsedRecord {
        guard from < to else { throw LayoutError(.badLine, "\(name) line \(number) is blank (expected a record)") }
        // Byte offset of each character, only when characters and bytes differ.
        var offsets: [Int]? = nil
        switch layout.encoding {
        case .ascii:
            if let bad = bytes[from..<to].firstIndex(where: { $0 >= 0x80 }) {
                throw LayoutError(.badLine, "\(name) line \(number), byte \(bad - from + 1): 0x\(String(bytes[bad], radix: 16)) is not ASCII (the layout's encoding)")
            }
        case .latin1:
            break
        case .utf8:
            if bytes[from..<to].contains(where: { $0 >= 0x80 }) {
                guard let text = String(validating: bytes[from..<to], as: UTF8.self) else {
                    throw LayoutError(.badLine, "\(name) line \(number) is not valid UTF-8 (the layout's encoding)")
                }
                var map: [Int] = []
                var offset = from
                for scalar in text.unicodeScalars { map.append(offset); offset += UTF8.width(scalar) }
                map.append(offset)
                offsets = map
            }
        }
        let count = offsets.map { $0.count - 1 } ?? (to - from)
        guard count <= maxLineLength else { throw LayoutError(.badLine, "\(name) line \(number) is longer than \(maxLineLength) characters") }
        guard let record = layout.records.first(where: { FieldBytes.startsWith(bytes, from, to, $0.prefix, layout.encoding) }) else {
            throw unknown(FieldBytes.text(bytes, from, offsets.map { $0[min(4, count)] } ?? min(to, from + 4), layout.encoding), name: name, number: number)
        }
        let length = record.length ?? count
        if count != length {
            let excessBlank = count > length && bytes[(offsets?[length] ?? from + length)..<to].allSatisfy { $0 == 0x20 }
            guard record.lenientLength && (count < length || excessBlank) else {
                throw LayoutError(.recordLength, "\(name) line \(number), record \(record.name): the line has \(count) characters (expected \(length))")
            }
        }
        var values: [String: LayoutValue] = [:]
        values.reserveCapacity(record.fields.count)
        for field in record.fields where !field.isFiller {
            let first = min(field.start! - 1, count), last = min(field.start! - 1 + field.length, count)
            let lo = offsets?[first] ?? from + first, hi = offsets?[last] ?? from + last
            values[field.name] = try FieldBytes.decode(bytes, from: lo, to: hi, field: field, encoding: layout.encoding) {
                LayoutPlace(file: name, line: number, recordType: record.name, field: field.name, position: field.positionText)
            }
        }
        return try finish(record, values: values, bytes: bytes[from..<to], name: name, number: number)
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
