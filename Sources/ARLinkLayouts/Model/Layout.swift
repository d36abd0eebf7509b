public import ARLinkCore

/// A partner's file layout: how its records sit in a file and what they mean to arlink.
///
/// Loaded from a YAML layout file (`schemas/layout.v1.schema.json`, see docs/layouts.md) or
/// from a built-in (``BuiltinLayouts``). A layout is fixed-width (1-based start and length
/// per field) or delimited (a column per field); records are told apart by a prefix.
public struct Layout: Sendable, Hashable {
    /// How the characters of a line become bytes.
    public enum Encoding: String, Sendable, Hashable {
        /// 7-bit ASCII only.
        case ascii
        /// ISO 8859-1: one byte per character, U+0000 to U+00FF.
        case latin1
        /// UTF-8; fixed-width positions count characters, not bytes.
        case utf8
    }

    /// Fixed width or delimited.
    public enum Format: Sendable, Hashable {
        case fixedWidth
        case delimited(delimiter: Character, quote: Character?)
    }

    /// The layout's name, used in messages (`latitude-aim`).
    public var name: String
    public var encoding: Encoding
    public var format: Format
    /// Written after every line; reading accepts `\n` and `\r\n` whatever this says.
    public var lineEnding: String
    /// The currency of every amount in files of this layout (the layout has no currency column).
    public var currency: Currency
    /// The record types, in the order they are tried when reading.
    public var records: [RecordLayout]
    /// The delimiter of the delimited variant of a fixed-width layout, when it has one
    /// (``delimitedVariant()``).
    public var variantDelimiter: Character?

    public init(
        name: String, encoding: Encoding, format: Format, lineEnding: String, currency: Currency,
        records: [RecordLayout], variantDelimiter: Character? = nil
    ) {
        self.name = name; self.encoding = encoding; self.format = format; self.lineEnding = lineEnding
        self.currency = currency; self.records = records; self.variantDelimiter = variantDelimiter
    }

    public var isFixedWidth: Bool { if case .fixedWidth = format { true } else { false } }

    /// The record type called `name`.
    public func record(named name: String) -> RecordLayout? { records.first { $0.name == name } }

    /// The header record type, when the layout has one.
    public var header: RecordLayout? { records.first { $0.role == .header } }
    /// The trailer record type, when the layout has one.
    public var trailer: RecordLayout? { records.first { $0.role == .trailer } }

    /// The delimited variant of a fixed-width layout: the same records and fields in the same
    /// order, one column each, fillers dropped, values written without padding (except
    /// integers padded with zeros, such as AIM's file number).
    /// - Throws: ``LayoutError/Code/badLayout`` when the layout names no variant delimiter.
    public func delimitedVariant() throws -> Layout {
        guard isFixedWidth, let delimiter = variantDelimiter else {
            throw LayoutError(.badLayout, "layout \(name) has no delimited variant (expected delimited_variant in the layout file)")
        }
        var out = self
        out.name = name + "-delimited"
        out.format = .delimited(delimiter: delimiter, quote: nil)
        out.variantDelimiter = nil
        out.records = records.map { record in
            var r = record
            r.length = nil
            r.fields = record.fields.filter { !$0.isFiller }.enumerated().map { index, field in
                var f = field
                f.column = index + 1
                f.start = nil
                return f
            }
            return r
        }
        return out
    }
}

/// What a record is to the file: the header, a detail record, or the trailer.
public enum RecordRole: String, Sendable, Hashable {
    case header, detail, trailer
}

/// What a record means to arlink (the `maps_to` of a layout file).
public enum DomainKind: String, Sendable, Hashable, CaseIterable {
    // Outbound (creditor to agency).
    /// A new account (`place`).
    case placement
    /// A balance change of an account already placed (`update`).
    case update
    /// A withdrawal (`recall`, final).
    case recall
    /// A pending recall: announced, the agency may object. Read only; arlink recalls are final.
    case pendingRecall = "pending_recall"
    /// One allowed debtor field of a placement, as a title and a value (AIM `CMIS`).
    case debtorField = "debtor_field"
    // Inbound (agency to creditor).
    /// The agency's receipt of one account with the balances it holds (AIM `AACK`).
    case acknowledgement
    case payment
    case paymentReversal = "payment_reversal"
    case promise
    case dispute
    /// A collection status; its code goes through the field's code map.
    case status
    /// Close and return; its close code goes through the field's code map to a status.
    case close
    case contactUpdate = "contact_update"
    case risk
    /// The agency objects to a pending recall (AIM `AOBJ`).
    case recallObjection = "recall_objection"
    /// The agency's balances for an account, for a balance reconciliation (AIM `AREC`).
    case reconciliation
    /// A note whose action/result code maps to a status, a promise or a dispute (AIM notes).
    case note
    /// Read and counted, nothing applied.
    case ignore
}

/// One record type of a layout.
public struct RecordLayout: Sendable, Hashable {
    /// The record type's name in messages (`CACT`).
    public var name: String
    /// The text a line of this type starts with (fixed width) or its first column (delimited).
    public var prefix: String
    public var role: RecordRole
    /// Fixed width: the exact length of a line of this type.
    public var length: Int?
    /// Fixed width: lines shorter than ``length`` are accepted as if padded with spaces, and
    /// longer ones if the excess is blank (for trailers shared by files of different lengths).
    public var lenientLength: Bool
    /// What the record means; nil for headers and trailers.
    public var mapsTo: DomainKind?
    /// For a record whose meaning depends on a code (AIM `APAY`: `PA` payment, `PAR`
    /// reversal): the field whose code map gives a ``DomainKind`` raw value.
    public var kindField: String?
    public var fields: [FieldLayout]

    public init(
        name: String, prefix: String, role: RecordRole, length: Int?, lenientLength: Bool = false,
        mapsTo: DomainKind?, kindField: String? = nil, fields: [FieldLayout]
    ) {
        self.name = name; self.prefix = prefix; self.role = role; self.length = length
        self.lenientLength = lenientLength; self.mapsTo = mapsTo; self.kindField = kindField; self.fields = fields
    }

    public func field(named name: String) -> FieldLayout? { fields.first { $0.name == name } }
    public func field(domain: String) -> FieldLayout? { fields.first { $0.domain == domain } }
}

/// Left or right justification of a value inside a fixed-width field.
public enum Justification: String, Sendable, Hashable {
    case left, right
}

/// The type of a field and how its text is read and written.
public enum FieldType: Sendable, Hashable {
    /// Free text, padded with `pad` on the side away from `justify`.
    case text(justify: Justification, pad: Character)
    /// A whole number, right-justified, padded with `pad` (usually `0`).
    case integer(pad: Character)
    /// An amount with `places` decimals: an explicit dot (`123.45`), or implied (`12345`).
    case decimal(places: Int, implied: Bool, pad: Character)
    /// A date in `format` (tokens `CCYY`/`YYYY`, `MM`, `DD`, anything else literal); `null` is
    /// the text that stands for no date (AIM: `19000101`); blank is no date too.
    case date(format: String, null: String?)
    /// A code from a closed list: `map` from the code in the file to its meaning.
    case code(map: [String: String], justify: Justification, pad: Character)
    /// Space to be left blank (fixed width only).
    case filler
}

/// A check a trailer field makes on the records before it.
public enum TrailerCheck: Sendable, Hashable {
    /// The number of records of the listed types (all but the trailer when empty).
    case count(records: [String])
    /// The sum of the listed fields (`RECORD.field`) over all records of the file.
    case sum(fields: [String])
}

/// One field of a record type.
public struct FieldLayout: Sendable, Hashable {
    public var name: String
    /// Fixed width: 1-based first position.
    public var start: Int?
    /// Fixed width: the width; delimited: the longest value accepted.
    public var length: Int
    /// Delimited: 1-based column.
    public var column: Int?
    public var type: FieldType
    public var required: Bool
    /// The arlink value this field carries (see docs/layouts.md for the names), nil when none.
    public var domain: String?
    /// A value the field always has (the record type, a fixed code); checked when read.
    public var constant: String?
    /// A trailer field that checks the records read.
    public var check: TrailerCheck?

    public init(
        name: String, start: Int?, length: Int, column: Int?, type: FieldType, required: Bool,
        domain: String? = nil, constant: String? = nil, check: TrailerCheck? = nil
    ) {
        self.name = name; self.start = start; self.length = length; self.column = column; self.type = type
        self.required = required; self.domain = domain; self.constant = constant; self.check = check
    }

    public var isFiller: Bool { if case .filler = type { true } else { false } }

    /// `positions 44-55` or `column 4`, for messages.
    public var positionText: String {
        if let start { return length == 1 ? "position \(start)" : "positions \(start)-\(start + length - 1)" }
        if let column { return "column \(column)" }
        return "no position"
    }
}

/// A value read from, or to be written into, one field.
public enum LayoutValue: Sendable, Hashable {
    case text(String)
    case integer(Int64)
    /// An amount in minor units with the field's number of decimal places.
    case amount(Int64)
    case date(LocalDate)
    /// A blank field, or a date equal to its null sentinel.
    case null

    public var text: String? { if case .text(let t) = self { t } else { nil } }
    public var integer: Int64? { if case .integer(let v) = self { v } else { nil } }
    public var amount: Int64? { if case .amount(let v) = self { v } else { nil } }
    public var date: LocalDate? { if case .date(let d) = self { d } else { nil } }
}
