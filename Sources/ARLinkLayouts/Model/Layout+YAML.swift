import Yams
public import ARLinkCore

extension Layout {
    /// Reads a layout from the text of a layout file (`schemas/layout.v1.schema.json`).
    ///
    /// Every key is checked: an unknown key, a field outside its record, two fields on the
    /// same position, a trailer check naming a field that does not exist are refused with the
    /// key path and the fix.
    /// - Parameters:
    ///   - yaml: the file's text.
    ///   - source: how messages name the file.
    /// - Throws: ``LayoutError/Code/badLayout``.
    public init(yaml: String, source: String) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw LayoutError(.badLayout, "\(source) is not valid YAML (\(String(describing: error).prefix(200)))")
        }
        guard let root else { throw LayoutError(.badLayout, "\(source) is empty (expected a layout)") }
        var top = try LayoutNode(root, path: "", source: source)
        let version = try top.string("version")
        guard version == "1" else {
            throw LayoutError(.badLayout, "\(source): version \(version) is not supported (expected 1)")
        }
        let name = try top.string("layout")
        let encodingText = try top.optionalString("encoding") ?? "ascii"
        guard let encoding = Encoding(rawValue: encodingText) else {
            throw LayoutError(.badLayout, "\(source): encoding \"\(encodingText.prefix(20))\" is not supported (expected ascii, latin1 or utf8)")
        }
        let lineEnding: String
        switch try top.optionalString("line_ending") ?? "lf" {
        case "lf": lineEnding = "\n"
        case "crlf": lineEnding = "\r\n"
        case let other: throw LayoutError(.badLayout, "\(source): line_ending \"\(other.prefix(20))\" is not lf or crlf")
        }
        let currencyCode = try top.string("currency")
        let currency: Currency
        do {
            guard currencyCode.count == 3, currencyCode.allSatisfy({ $0.isASCII && $0.isUppercase }) else { throw LayoutError(.badLayout, "") }
            currency = try Currency(currencyCode)
        } catch {
            throw LayoutError(.badLayout, "\(source): currency \"\(currencyCode.prefix(10))\" is not an ISO 4217 code")
        }
        let format: Format
        switch try top.string("format") {
        case "fixed_width": format = .fixedWidth
        case "delimited":
            let delimiter = try top.character("delimiter") ?? ","
            format = .delimited(delimiter: delimiter, quote: try top.character("quote"))
        case let other:
            throw LayoutError(.badLayout, "\(source): format \"\(other.prefix(20))\" is not fixed_width or delimited")
        }
        var variant: Character?
        if var v = try top.optionalMapping("delimited_variant") {
            variant = try v.character("delimiter")
            try v.finish()
        }
        var records: [RecordLayout] = []
        for (index, node) in try top.sequence("records").enumerated() {
            records.append(try RecordLayout(node, path: "records[\(index)]", source: source, fixed: format == .fixedWidth))
        }
        try top.finish()
        self.init(name: name, encoding: encoding, format: format, lineEnding: lineEnding, currency: currency, records: records, variantDelimiter: variant)
        try check(source: source)
    }

    /// The checks across records: unique names and prefixes, at most one header and trailer,
    /// trailer sums naming real fields.
    func check(source: String) throws {
        guard !records.isEmpty else { throw LayoutError(.badLayout, "\(source): records is empty (expected at least one record type)") }
        var names: Set<String> = []
        for r in records {
            guard names.insert(r.name).inserted else { throw LayoutError(.badLayout, "\(source): record \(r.name) is defined twice") }
            for other in records where other.name != r.name && other.prefix.hasPrefix(r.prefix) && other.prefix != r.prefix {
                // A shorter prefix tried first would swallow the longer one.
                if records.firstIndex(of: r)! < records.firstIndex(of: other)! {
                    throw LayoutError(.badLayout, "\(source): record \(r.name)'s prefix \"\(r.prefix)\" is a prefix of record \(other.name)'s \"\(other.prefix)\" and comes first (list \(other.name) first)")
                }
            }
        }
        for role in [RecordRole.header, .trailer] where records.filter({ $0.role == role }).count > 1 {
            throw LayoutError(.badLayout, "\(source): more than one \(role.rawValue) record (expected at most one)")
        }
        for r in records {
            for f in r.fields {
                if case .sum(let refs) = f.check {
                    for ref in refs {
                        let parts = ref.split(separator: ".", maxSplits: 1).map(String.init)
                        guard parts.count == 2, let target = record(named: parts[0]), let tf = target.field(named: parts[1]) else {
                            throw LayoutError(.badLayout, "\(source): record \(r.name) field \(f.name) sums \"\(ref)\", which is no field (expected RECORD.field)")
                        }
                        guard case .decimal = tf.type else {
                            throw LayoutError(.badLayout, "\(source): record \(r.name) field \(f.name) sums \(ref), which is not a decimal field")
                        }
                    }
                }
                if case .count(let refs) = f.check {
                    for ref in refs where record(named: ref) == nil {
                        throw LayoutError(.badLayout, "\(source): record \(r.name) field \(f.name) counts records \"\(ref)\", which is no record type")
                    }
                }
            }
        }
    }
}

extension RecordLayout {
    init(_ node: Node, path: String, source: String, fixed: Bool) throws {
        var m = try LayoutNode(node, path: path, source: source)
        let name = try m.string("name")
        let prefix = try m.optionalString("prefix") ?? name
        guard !prefix.isEmpty else { throw m.error("prefix", "is empty (expected the text that starts a line of this record)") }
        let roleText = try m.optionalString("role") ?? "detail"
        guard let role = RecordRole(rawValue: roleText) else { throw m.error("role", "\"\(roleText.prefix(20))\" is not header, detail or trailer") }
        let length = try m.optionalInt("length")
        if fixed && length == nil { throw m.error("length", "is missing (a fixed-width record needs its line length)") }
        if let length, length < prefix.count || length > 100_000 { throw m.error("length", "\(length) is out of range (expected \(prefix.count) to 100000)") }
        let lenient = try m.bool("lenient_length") ?? false
        var mapsTo: DomainKind?
        if let text = try m.optionalString("maps_to") {
            guard let kind = DomainKind(rawValue: text) else {
                throw m.error("maps_to", "\"\(text.prefix(30))\" is not a domain record (expected one of \(DomainKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            mapsTo = kind
        }
        if role == .detail && mapsTo == nil { throw m.error("maps_to", "is missing (a detail record says what it means to arlink; use ignore to read and skip it)") }
        let kindField = try m.optionalString("kind_field")
        var fields: [FieldLayout] = []
        for (index, f) in try m.sequence("fields").enumerated() {
            fields.append(try FieldLayout(f, path: "\(path).fields[\(index)]", source: source, fixed: fixed, column: index + 1))
        }
        try m.finish()
        self.init(name: name, prefix: prefix, role: role, length: length, lenientLength: lenient, mapsTo: mapsTo, kindField: kindField, fields: fields)
        try check(path: path, source: source, fixed: fixed)
    }

    func check(path: String, source: String, fixed: Bool) throws {
        var seen: Set<String> = []
        for f in fields where !seen.insert(f.name).inserted && !f.isFiller {
            throw LayoutError(.badLayout, "\(source): \(path): field \(f.name) is defined twice")
        }
        if fixed, let length {
            var used = [Bool](repeating: false, count: length + 1)
            for f in fields {
                guard let start = f.start else { continue }
                let end = start + f.length - 1
                guard start >= 1, end <= length else {
                    throw LayoutError(.badLayout, "\(source): \(path): field \(f.name) at \(f.positionText) lies outside the record's \(length) characters")
                }
                for p in start...end {
                    if used[p] { throw LayoutError(.badLayout, "\(source): \(path): field \(f.name) at \(f.positionText) overlaps another field at position \(p)") }
                    used[p] = true
                }
            }
        } else if !fixed {
            var columns: Set<Int> = []
            for f in fields where !columns.insert(f.column ?? 0).inserted {
                throw LayoutError(.badLayout, "\(source): \(path): field \(f.name) uses column \(f.column ?? 0) twice")
            }
        }
        if let kindField {
            guard let f = field(named: kindField), case .code(let map, _, _) = f.type else {
                throw LayoutError(.badLayout, "\(source): \(path): kind_field \(kindField) is not a code field of this record")
            }
            for (code, meaning) in map where DomainKind(rawValue: meaning) == nil {
                throw LayoutError(.badLayout, "\(source): \(path): kind_field \(kindField) maps \"\(code)\" to \"\(meaning)\", which is not a domain record")
            }
        }
    }
}

extension FieldLayout {
    init(_ node: Node, path: String, source: String, fixed: Bool, column defaultColumn: Int) throws {
        var m = try LayoutNode(node, path: path, source: source)
        let name = try m.string("name")
        let typeText = try m.string("type")
        var start: Int?
        var column: Int?
        var length: Int
        if fixed {
            guard let s = try m.optionalInt("start"), s >= 1 else { throw m.error("start", "is missing or below 1 (a fixed-width field needs its 1-based start)") }
            start = s
            guard let l = try m.optionalInt("length"), l >= 1 else { throw m.error("length", "is missing or below 1 (a fixed-width field needs its width)") }
            length = l
        } else {
            column = try m.optionalInt("column") ?? defaultColumn
            length = try m.optionalInt("length") ?? 1000
        }
        let justify = Justification(rawValue: try m.optionalString("justify") ?? "") 
        let pad = try m.character("pad")
        let type: FieldType
        switch typeText {
        case "text":
            type = .text(justify: justify ?? .left, pad: pad ?? " ")
        case "integer":
            type = .integer(pad: pad ?? "0")
        case "decimal":
            let places = try m.optionalInt("places") ?? 2
            guard (0...6).contains(places) else { throw m.error("places", "\(places) is out of range (expected 0 to 6)") }
            let implied = try m.bool("implied_decimal") ?? false
            type = .decimal(places: places, implied: implied, pad: pad ?? "0")
        case "date":
            let format = try m.optionalString("format") ?? "CCYYMMDD"
            guard DateFormat(format) != nil else { throw m.error("format", "\"\(format.prefix(20))\" is not a date format (expected tokens CCYY or YYYY, MM, DD and literal separators)") }
            type = .date(format: format, null: try m.optionalString("null"))
        case "code":
            guard var map = try m.optionalMapping("codes") else { throw m.error("codes", "is missing (a code field lists its codes and their meanings)") }
            type = .code(map: try map.allStrings(), justify: justify ?? .left, pad: pad ?? " ")
        case "filler":
            type = .filler
        default:
            throw m.error("type", "\"\(typeText.prefix(20))\" is not a field type (expected text, integer, decimal, date, code or filler)")
        }
        let required = try m.bool("required") ?? false
        let domain = try m.optionalString("domain")
        let constant = try m.optionalString("value")
        var check: TrailerCheck?
        if var c = try m.optionalMapping("check") {
            if let counts = try c.optionalStringList("count") { check = .count(records: counts) }
            else if let sums = try c.optionalStringList("sum") { check = .sum(fields: sums) }
            else { throw m.error("check", "names neither count nor sum") }
            try c.finish()
        }
        try m.finish()
        if let constant, constant.count > length { throw m.error("value", "is longer than the field's \(length) characters") }
        self.init(name: name, start: start, length: length, column: column, type: type, required: required, domain: domain, constant: constant, check: check)
    }
}

/// A cursor over one YAML mapping of a layout file that refuses keys nobody read.
struct LayoutNode {
    let path: String
    let source: String
    private let pairs: [(key: String, value: Node)]
    private var used: Set<String> = []

    init(_ node: Node, path: String, source: String) throws {
        self.path = path
        self.source = source
        guard case .mapping(let mapping) = node else {
            throw LayoutError(.badLayout, "\(source): \(path.isEmpty ? "the file" : path) is not a mapping of keys to values")
        }
        var pairs: [(String, Node)] = []
        for (k, v) in mapping {
            guard let key = k.string else { throw LayoutError(.badLayout, "\(source): \(path): keys must be strings") }
            pairs.append((key, v))
        }
        self.pairs = pairs
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ text: String) -> LayoutError {
        LayoutError(.badLayout, "\(source): \(keyPath(key)) \(text)")
    }

    private mutating func raw(_ key: String) -> Node? {
        used.insert(key)
        return pairs.first { $0.key == key }?.value
    }

    mutating func optionalString(_ key: String) throws -> String? {
        guard let node = raw(key) else { return nil }
        guard case .scalar(let s) = node else { throw error(key, "is not a single value") }
        return s.string
    }

    mutating func string(_ key: String) throws -> String {
        guard let v = try optionalString(key), !v.isEmpty else { throw error(key, "is missing") }
        return v
    }

    mutating func optionalInt(_ key: String) throws -> Int? {
        guard let text = try optionalString(key) else { return nil }
        guard let v = Int(text) else { throw error(key, "\"\(text.prefix(20))\" is not a whole number") }
        return v
    }

    mutating func bool(_ key: String) throws -> Bool? {
        guard let text = try optionalString(key) else { return nil }
        switch text { case "true": return true; case "false": return false
        default: throw error(key, "\"\(text.prefix(20))\" is not true or false") }
    }

    mutating func character(_ key: String) throws -> Character? {
        guard let text = try optionalString(key) else { return nil }
        guard text.count == 1, let c = text.first else { throw error(key, "\"\(text.prefix(20))\" is not a single character") }
        return c
    }

    mutating func optionalMapping(_ key: String) throws -> LayoutNode? {
        guard let node = raw(key) else { return nil }
        return try LayoutNode(node, path: keyPath(key), source: source)
    }

    mutating func sequence(_ key: String) throws -> [Node] {
        guard let node = raw(key) else { throw error(key, "is missing") }
        guard case .sequence(let s) = node else { throw error(key, "is not a list") }
        return Array(s)
    }

    mutating func optionalStringList(_ key: String) throws -> [String]? {
        guard let node = raw(key) else { return nil }
        guard case .sequence(let s) = node else { throw error(key, "is not a list") }
        return try s.map {
            guard case .scalar(let v) = $0 else { throw error(key, "holds something other than names") }
            return v.string
        }
    }

    /// Every pair as strings (a code map); marks them all read.
    mutating func allStrings() throws -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in pairs {
            used.insert(k)
            guard case .scalar(let s) = v else { throw error(k, "is not a single value") }
            out[k] = s.string
        }
        guard !out.isEmpty else { throw LayoutError(.badLayout, "\(source): \(path) is empty (expected at least one code)") }
        return out
    }

    /// Refuses keys nobody read.
    func finish() throws {
        for (key, _) in pairs where !used.contains(key) {
            throw LayoutError(.badLayout, "\(source): \(keyPath(key)) is not a known key (check its spelling in docs/layouts.md)")
        }
    }
}
