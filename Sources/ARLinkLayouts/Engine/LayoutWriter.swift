public import ARLinkCore

/// One record to write: its type and its values by field name.
public struct OutRecord: Sendable, Hashable {
    public var type: String
    public var values: [String: LayoutValue]
    /// How messages name the record (`account A-17`), never personal data.
    public var context: String

    public init(type: String, values: [String: LayoutValue], context: String) {
        self.type = type; self.values = values; self.context = context
    }
}

/// Writes records through a ``Layout``: the header (when the layout has one), the records,
/// and the trailer with its counts and sums computed from what was written.
public struct LayoutWriter: Sendable {
    public let layout: Layout

    public init(layout: Layout) { self.layout = layout }

    /// The bytes of a whole file.
    /// - Parameters:
    ///   - records: detail records in order.
    ///   - fileValues: values of header and trailer fields by their `domain` name
    ///     (`agency_id`, `agency_name`, `created_on`, `file_id`, ...).
    /// - Throws: ``LayoutError/Code/cannotRender`` naming the record and field.
    public func render(_ records: [OutRecord], fileValues: [String: LayoutValue]) throws -> [UInt8] {
        var out: [UInt8] = []
        var written: [OutRecord] = []
        if let header = layout.header {
            let record = OutRecord(type: header.name, values: fileFields(header, fileValues), context: "the header")
            try append(record, to: &out)
            written.append(record)
        }
        for record in records {
            guard let r = layout.record(named: record.type), r.role == .detail else {
                throw LayoutError(.cannotRender, "\(record.context): layout \(layout.name) has no detail record \(record.type)")
            }
            try append(record, to: &out)
            written.append(record)
        }
        if let trailer = layout.trailer {
            var values = fileFields(trailer, fileValues)
            for field in trailer.fields {
                switch field.check {
                case .count(let types)?:
                    values[field.name] = .integer(Int64(types.isEmpty ? written.count : written.filter { types.contains($0.type) }.count))
                case .sum(let refs)?:
                    var total: Int64 = 0
                    for ref in refs {
                        let parts = ref.split(separator: ".", maxSplits: 1).map(String.init)
                        for r in written where r.type == parts[0] {
                            total = try add(total, r.values[parts[1]]?.amount ?? 0, context: "the trailer's \(field.name)")
                        }
                    }
                    values[field.name] = .amount(total)
                case nil: break
                }
            }
            try append(OutRecord(type: trailer.name, values: values, context: "the trailer"), to: &out)
        }
        return out
    }

    private func add(_ a: Int64, _ b: Int64, context: String) throws -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { throw LayoutError(.cannotRender, "\(context) overflows") }
        return sum
    }

    private func fileFields(_ record: RecordLayout, _ fileValues: [String: LayoutValue]) -> [String: LayoutValue] {
        var values: [String: LayoutValue] = [:]
        for field in record.fields { if let d = field.domain, let v = fileValues[d] { values[field.name] = v } }
        return values
    }

    /// The text of one line (no line ending).
    public func line(_ record: OutRecord) throws -> String {
        guard let r = layout.record(named: record.type) else {
            throw LayoutError(.cannotRender, "\(record.context): layout \(layout.name) has no record \(record.type)")
        }
        let context = "\(record.context), record \(r.name)"
        switch layout.format {
        case .fixedWidth:
            var chars = [Character](repeating: " ", count: r.length ?? 0)
            for field in r.fields where !field.isFiller {
                let text = try encodedField(record, field, fixed: true, context: context)
                for (i, c) in text.enumerated() { chars[field.start! - 1 + i] = c }
            }
            return String(chars)
        case .delimited(let delimiter, let quote):
            let count = r.fields.compactMap(\.column).max() ?? 0
            var columns = [String](repeating: "", count: count)
            for field in r.fields where !field.isFiller {
                var text = try encodedField(record, field, fixed: false, context: context)
                if text.contains(delimiter) || (quote != nil && text.contains(quote!)) || text.contains("\n") || text.contains("\r") {
                    guard let quote else {
                        throw LayoutError(.cannotRender, "\(context): field \(field.name) contains the delimiter or a line break, and layout \(layout.name) has no quote character")
                    }
                    text = String(quote) + text.replacingAll(quote, with: String([quote, quote])) + String(quote)
                }
                columns[field.column! - 1] = text
            }
            return columns.joined(separator: String(delimiter))
        }
    }

    private func encodedField(_ record: OutRecord, _ field: FieldLayout, fixed: Bool, context: String) throws -> String {
        let text = try FieldCodec.encode(record.values[field.name] ?? .null, field: field, fixed: fixed, context: context)
        for scalar in text.unicodeScalars {
            let fits: Bool
            switch layout.encoding {
            case .ascii: fits = scalar.value < 0x80 && scalar.value >= 0x20
            case .latin1: fits = scalar.value <= 0xFF && scalar.value >= 0x20
            case .utf8: fits = scalar.value >= 0x20
            }
            guard fits else {
                throw LayoutError(.cannotRender, "\(context): field \(field.name) holds a character the layout's \(layout.encoding.rawValue) encoding cannot carry (U+\(String(scalar.value, radix: 16, uppercase: true)))")
            }
        }
        return text
    }

    private func append(_ record: OutRecord, to out: inout [UInt8]) throws {
        if layout.format == .fixedWidth { return try appendFixed(record, to: &out) }
        let text = try line(record) + layout.lineEnding
        switch layout.encoding {
        case .ascii, .utf8: out.append(contentsOf: Array(text.utf8))
        case .latin1: for s in text.unicodeScalars { out.append(UInt8(s.value)) }
        }
    }
}

extension String {
    func replacingAll(_ c: Character, with replacement: String) -> String {
        var out = ""
        for ch in self { if ch == c { out += replacement } else { out.append(ch) } }
        return out
    }
}

extension LayoutWriter {
    /// Writes one fixed-width line (and its line ending) straight into `out`, field by field in
    /// position order: blanks where no field is, each value padded to its width, in the layout's
    /// encoding. Widths count characters (Unicode scalars), as the reader's positions do.
    func appendFixed(_ record: OutRecord, to out: inout [UInt8]) throws {
        guard let r = layout.record(named: record.type) else {
            throw LayoutError(.cannotRender, "\(record.context): layout \(layout.name) has no record \(record.type)")
        }
        let context = "\(record.context), record \(r.name)"
        let length = r.length ?? 0
        var column = 0
        var previousStart = 0
        var ordered = true
        for field in r.fields { if field.start! < previousStart { ordered = false; break }; previousStart = field.start! }
        for field in ordered ? r.fields : r.fields.sorted(by: { $0.start! < $1.start! }) {
            let start = field.start! - 1
            if start > column { out.append(contentsOf: repeatElement(0x20, count: start - column)); column = start }
            if field.isFiller { out.append(contentsOf: repeatElement(0x20, count: field.length)); column += field.length; continue }
            let value = record.values[field.name] ?? .null
            if case .date(let format, _) = field.type, case .date(let day) = value, format == "CCYYMMDD" || format == "YYYYMMDD" {
                guard field.length >= 8 else {
                    throw LayoutError(.cannotRender, "\(context): field \(field.name) (\(field.positionText)) holds at most \(field.length) characters, the value has 8")
                }
                FieldBytes.appendCompact(day, to: &out)
                if field.length > 8 { out.append(contentsOf: repeatElement(0x20, count: field.length - 8)) }
                column += field.length
                continue
            }
            let (text, justify, pad) = try FieldCodec.encodedParts(value, field: field, fixed: true, context: context)
            let width = text.utf8.count == text.unicodeScalars.count ? text.utf8.count : text.unicodeScalars.count
            guard width <= field.length else {
                throw LayoutError(.cannotRender, "\(context): field \(field.name) (\(field.positionText)) holds at most \(field.length) characters, the value has \(width)")
            }
            let fill = field.length - width
            if justify == .right { try appendEncoded(pad, count: fill, field: field, context: context, to: &out) }
            try appendEncoded(text, field: field, context: context, to: &out)
            if justify == .left { try appendEncoded(pad, count: fill, field: field, context: context, to: &out) }
            column += field.length
        }
        if length > column { out.append(contentsOf: repeatElement(0x20, count: length - column)) }
        out.append(contentsOf: layout.lineEnding.utf8)
    }

    /// Appends `text` in the layout's encoding, refusing characters the encoding cannot carry
    /// and control characters.
    private func appendEncoded(_ text: String, field: FieldLayout, context: String, to out: inout [UInt8]) throws {
        switch layout.encoding {
        case .ascii, .utf8:
            let utf8 = text.utf8
            if utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x80 }) { out.append(contentsOf: utf8); return }
            for scalar in text.unicodeScalars {
                guard scalar.value >= 0x20, layout.encoding == .utf8 || scalar.value < 0x80 else { throw unfit(scalar, field, context) }
            }
            out.append(contentsOf: utf8)
        case .latin1:
            for scalar in text.unicodeScalars {
                guard scalar.value >= 0x20 && scalar.value <= 0xFF else { throw unfit(scalar, field, context) }
                out.append(UInt8(scalar.value))
            }
        }
    }

    private func appendEncoded(_ pad: Character, count: Int, field: FieldLayout, context: String, to out: inout [UInt8]) throws {
        guard count > 0 else { return }
        if let ascii = pad.asciiValue, ascii >= 0x20 { out.append(contentsOf: repeatElement(ascii, count: count)); return }
        for _ in 0..<count { try appendEncoded(String(pad), field: field, context: context, to: &out) }
    }

    private func unfit(_ scalar: Unicode.Scalar, _ field: FieldLayout, _ context: String) -> LayoutError {
        LayoutError(.cannotRender, "\(context): field \(field.name) holds a character the layout's \(layout.encoding.rawValue) encoding cannot carry (U+\(String(scalar.value, radix: 16, uppercase: true)))")
    }
}
