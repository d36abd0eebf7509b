public import ARLinkCore
public import ARLinkSystem

/// Renders `erp-update.v1` records straight into a byte buffer, JSON or CSV.
///
/// The inbound job writes one record per ERP update, up to millions per file; building a
/// `String` per field and per record cost more than everything else it does. The output is
/// byte for byte what ``ERPUpdateJSON/record(_:)`` and ``ERPUpdateJSON/csvRow(_:)`` return
/// (those are now thin wrappers over this type).
public enum ERPUpdateBytes {
    /// Appends the JSON object of `u` (no newline).
    @inlinable
    public static func appendJSON<U: ERPUpdateFields>(_ u: U, to out: ByteBuffer) {
        out.append(#"{"record_type":"update","update_id":"#)
        quotedID(u, to: out)
        if let shared = u.fragmentBytes {
            append(shared.jsonAfterID, to: out)
            quoted(u.sourceEventID, to: out)
            append(shared.jsonAfterEventID, to: out)
        } else {
            out.append(#","partner":"#)
            quoted(u.partner, to: out)
            out.append(#","source_event_id":"#)
            quoted(u.sourceEventID, to: out)
            out.append(#","source_event_type":"#)
            quoted(u.sourceEventType, to: out)
            if let file = u.sourceFileID {
                out.append(#","source_file_id":"#)
                quoted(file, to: out)
            }
            out.append(#","account_ref":"#)
        }
        quoted(u.accountRef, to: out)
        if let invoice = u.invoiceNumber {
            out.append(#","invoice_number":"#)
            quoted(invoice, to: out)
        } else {
            out.append(#","invoice_number":null"#)
        }
        out.append(#","status":""#)
        out.append(statusText(u.status))
        out.append(0x22)
        let amount = u.amount
        let open = u.openAmount
        if let amount { out.append(#","amount":""#); appendMoney(amount, to: out); out.append(0x22) }
        if let open { out.append(#","open_amount":""#); appendMoney(open, to: out); out.append(0x22) }
        if let currency = amount?.currency ?? open?.currency {
            out.append(#","currency":""#)
            appendCode(currency, to: out)
            out.append(0x22)
        }
        if let date = u.date { out.append(#","date":""#); appendISO(date, to: out); out.append(0x22) }
        if let comment = u.comment {
            out.append(#","comment":"#)
            quoted(comment, to: out)
        }
        if let contact = u.contact { appendContactJSON(contact, to: out) }
        if let score = u.riskScore { out.append(#","risk_score":"#); appendDecimal(Int64(score), to: out) }
        if let segment = u.riskSegment {
            out.append(#","risk_segment":"#)
            quoted(segment, to: out)
        }
        out.append(0x7D)
    }

    /// Appends the JSON object of `u` to `json` and its CSV row to `csv` in one go: each field
    /// is read once, checked for both formats at once, and numbers and dates are rendered once
    /// (into the JSON) and copied. Byte for byte ``appendJSON(_:to:)`` and ``appendCSV(_:to:)``.
    @inlinable
    public static func appendBoth<U: ERPUpdateFields>(_ u: U, json: ByteBuffer, csv: ByteBuffer) {
        json.append(#"{"record_type":"update","update_id":"#)
        csv.append("update")
        bothID(u, json, csv)
        if let shared = u.fragmentBytes {
            append(shared.jsonAfterID, to: json)
            append(shared.csvAfterID, to: csv)
            both(u.sourceEventID, json, csv)
            append(shared.jsonAfterEventID, to: json)
            append(shared.csvAfterEventID, to: csv)
        } else {
            json.append(#","partner":"#)
            both(u.partner, json, csv)
            json.append(#","source_event_id":"#)
            both(u.sourceEventID, json, csv)
            json.append(#","source_event_type":"#)
            both(u.sourceEventType, json, csv)
            if let file = u.sourceFileID {
                json.append(#","source_file_id":"#)
                both(file, json, csv)
            } else {
                csv.append(0x2C)
            }
            json.append(#","account_ref":"#)
        }
        both(u.accountRef, json, csv)
        if let invoice = u.invoiceNumber {
            json.append(#","invoice_number":"#)
            both(invoice, json, csv)
        } else {
            json.append(#","invoice_number":null"#)
            csv.append(0x2C)
        }
        let status = statusText(u.status)
        json.append(#","status":""#)
        json.append(status)
        json.append(0x22)
        csv.append(0x2C)
        csv.append(status)
        let amount = u.amount
        let open = u.openAmount
        csv.append(0x2C)
        if let amount {
            json.append(#","amount":""#)
            copied(json, csv) { appendMoney(amount, to: json) }
            json.append(0x22)
        }
        csv.append(0x2C)
        if let open {
            json.append(#","open_amount":""#)
            copied(json, csv) { appendMoney(open, to: json) }
            json.append(0x22)
        }
        csv.append(0x2C)
        if let currency = amount?.currency ?? open?.currency {
            json.append(#","currency":""#)
            copied(json, csv) { appendCode(currency, to: json) }
            json.append(0x22)
        }
        csv.append(0x2C)
        if let date = u.date {
            json.append(#","date":""#)
            copied(json, csv) { appendISO(date, to: json) }
            json.append(0x22)
        }
        if let comment = u.comment {
            json.append(#","comment":"#)
            both(comment, json, csv)
        } else {
            csv.append(0x2C)
        }
        let contact = u.contact
        if let contact { appendContactJSON(contact, to: json) }
        appendContactCSV(contact, to: csv)
        csv.append(0x2C)
        if let score = u.riskScore {
            json.append(#","risk_score":"#)
            copied(json, csv) { appendDecimal(Int64(score), to: json) }
        }
        if let segment = u.riskSegment {
            json.append(#","risk_segment":"#)
            both(segment, json, csv)
        } else {
            csv.append(0x2C)
        }
        json.append(0x7D)
    }

    /// A value as a JSON string into `json` and as a CSV field (with its leading comma) into `csv`.
    @usableFromInline
    static func both(_ s: String, _ json: ByteBuffer, _ csv: ByteBuffer) {
        var text = s
        text.withUTF8 { both($0, json, csv) }
    }

    /// The update id is written as it is straight after `lead` (a quote, a comma), then checked
    /// where it lies; an id that needs escaping (ours never do) is taken back with its lead and
    /// escaped by the caller. Returns the id's bytes, and whether they stand as written.
    @inlinable
    static func rawID<U: ERPUpdateFields>(_ u: U, after lead: UInt8, to out: ByteBuffer,
                                          plain: (UnsafeBufferPointer<UInt8>) -> Bool) -> (id: [UInt8], kept: Bool) {
        out.append(lead)
        let start = out.count
        u.appendUpdateID(to: out)
        let id = UnsafeBufferPointer(start: out.base + start, count: out.count - start)
        if plain(id) { return ([], true) }
        let raw = Array(id)
        out.truncate(to: start - 1)
        return (raw, false)
    }

    /// The update id, quoted.
    @inlinable
    static func quotedID<U: ERPUpdateFields>(_ u: U, to out: ByteBuffer) {
        let (raw, kept) = rawID(u, after: 0x22, to: out, plain: jsonPlain)
        if kept { out.append(0x22) } else { raw.withUnsafeBufferPointer { quoted(bytes: $0, to: out) } }
    }

    /// The update id as a CSV field.
    @inlinable
    static func fieldID<U: ERPUpdateFields>(_ u: U, to out: ByteBuffer) {
        let (raw, kept) = rawID(u, after: 0x2C, to: out) { id in id.first.map { !startsFormula($0) } ?? false && csvPlain(id) }
        if !kept { raw.withUnsafeBufferPointer { field(bytes: $0, to: out) } }
    }

    /// The update id into both files: written into the JSON, copied from there into the CSV.
    @inlinable
    static func bothID<U: ERPUpdateFields>(_ u: U, _ json: ByteBuffer, _ csv: ByteBuffer) {
        let start = json.count + 1
        let (raw, kept) = rawID(u, after: 0x22, to: json, plain: plainForBoth)
        guard kept else { return raw.withUnsafeBufferPointer { both($0, json, csv) } }
        let id = UnsafeBufferPointer(start: json.base + start, count: json.count - start)
        csv.reserve(id.count + 1)
        csv.append(0x2C)
        csv.append(id)
        json.append(0x22)
    }

    /// Whether `bytes` go as they are into a JSON string and a CSV field.
    @usableFromInline
    static func plainForBoth(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, !startsFormula(first) else { return false }
        return none(of: bytes, words: { below($0, 0x20) | equal($0, 0x22) | equal($0, 0x5C) | equal($0, 0x7F) | equal($0, 0x2C) },
                    byte: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F || $0 == 0x2C })
    }

    @usableFromInline
    static func both(_ bytes: UnsafeBufferPointer<UInt8>, _ json: ByteBuffer, _ csv: ByteBuffer) {
        if plainForBoth(bytes) {
            // Plain for both: as it is in each.
            json.reserve(bytes.count + 2)
            json.append(0x22)
            json.append(bytes)
            json.append(0x22)
            csv.reserve(bytes.count + 1)
            csv.append(0x2C)
            csv.append(bytes)
            return
        }
        quoted(bytes: bytes, to: json)
        field(bytes: bytes, to: csv)
    }

    /// Runs `render` (which appends to `json`) and appends what it wrote to `csv` as well.
    @inlinable
    static func copied(_ json: ByteBuffer, _ csv: ByteBuffer, _ render: () -> Void) {
        let start = json.count
        render()
        csv.append(UnsafeBufferPointer(start: json.base + start, count: json.count - start))
    }

    /// Appends the CSV row of `u` (columns ``ERPUpdateWriter/csvColumns``, no newline).
    @inlinable
    public static func appendCSV<U: ERPUpdateFields>(_ u: U, to out: ByteBuffer) {
        out.append("update")
        fieldID(u, to: out)
        if let shared = u.fragmentBytes {
            append(shared.csvAfterID, to: out)
            field(u.sourceEventID, to: out)
            append(shared.csvAfterEventID, to: out)
        } else {
            field(u.partner, to: out)
            field(u.sourceEventID, to: out)
            field(u.sourceEventType, to: out)
            field(u.sourceFileID, to: out)
        }
        field(u.accountRef, to: out)
        field(u.invoiceNumber, to: out)
        out.append(0x2C)
        out.append(statusText(u.status))
        out.append(0x2C)
        if let amount = u.amount { appendMoney(amount, to: out) }
        out.append(0x2C)
        if let open = u.openAmount { appendMoney(open, to: out) }
        out.append(0x2C)
        if let currency = u.amount?.currency ?? u.openAmount?.currency { appendCode(currency, to: out) }
        out.append(0x2C)
        if let date = u.date { appendISO(date, to: out) }
        field(u.comment, to: out)
        appendContactCSV(u.contact, to: out)
        out.append(0x2C)
        if let score = u.riskScore { appendDecimal(Int64(score), to: out) }
        field(u.riskSegment, to: out)
    }

    // MARK: - JSON pieces

    @usableFromInline
    static func append(_ bytes: [UInt8], to out: ByteBuffer) {
        bytes.withUnsafeBufferPointer { out.append($0) }
    }

    @usableFromInline
    static func append(_ bytes: UnsafeBufferPointer<UInt8>, to out: ByteBuffer) {
        out.append(bytes)
    }

    /// `,"contact":{...}`, its fields in name order.
    @usableFromInline
    static func appendContactJSON(_ contact: [String: String], to out: ByteBuffer) {
        out.append(#","contact":{"#)
        for (index, entry) in contact.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.append(0x2C) }
            quoted(entry.key, to: out)
            out.append(0x3A)
            quoted(entry.value, to: out)
        }
        out.append(0x7D)
    }

    /// The six contact columns of the CSV flavour (empty without contact data).
    @usableFromInline
    static func appendContactCSV(_ contact: [String: String]?, to out: ByteBuffer) {
        guard let contact else { return out.append(",,,,,,") }
        for name in contactColumns { field(contact[name], to: out) }
    }

    /// The contact fields of the CSV flavour, in column order.
    @usableFromInline
    static let contactColumns = ["street", "postal_code", "city", "country", "phone", "email"]

    /// A JSON string literal; text that needs escapes goes through ``JSONText/appendQuoted(_:to:)``.
    @usableFromInline
    static func quoted(_ s: String, to out: ByteBuffer) {
        var text = s
        text.withUTF8 { quoted(bytes: $0, to: out) }
    }

    @usableFromInline
    static func quoted(bytes: UnsafeBufferPointer<UInt8>, to out: ByteBuffer) {
        guard jsonPlain(bytes) else {
            var escaped = ""
            JSONText.appendQuoted(String(decoding: bytes, as: UTF8.self), to: &escaped)
            out.append(utf8: escaped)
            return
        }
        out.reserve(bytes.count + 2)
        out.append(0x22)
        out.append(bytes)
        out.append(0x22)
    }

    /// Whether `bytes` go into a JSON string as they are: no control character, quote,
    /// backslash or DEL.
    @usableFromInline
    static func jsonPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        none(of: bytes, words: { below($0, 0x20) | equal($0, 0x22) | equal($0, 0x5C) | equal($0, 0x7F) },
             byte: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F })
    }

    /// Whether `bytes` go into a CSV field as they are: no comma, quote, CR or LF (the leading
    /// formula characters are checked apart).
    @usableFromInline
    static func csvPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        none(of: bytes, words: { equal($0, 0x2C) | equal($0, 0x22) | equal($0, 0x0A) | equal($0, 0x0D) },
             byte: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D })
    }

    /// Whether no byte of `bytes` is one `byte` picks, eight bytes at a time (`words` is the
    /// same test on eight bytes at once, non-zero when one matches): a million updates carry
    /// hundreds of MB of text.
    @inline(__always) @usableFromInline
    static func none(of bytes: UnsafeBufferPointer<UInt8>, words: (UInt64) -> UInt64, byte: (UInt8) -> Bool) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var at = 0
        while at + 8 <= bytes.count {
            if words(UnsafeRawPointer(base + at).loadUnaligned(as: UInt64.self)) != 0 { return false }
            at += 8
        }
        while at < bytes.count {
            if byte(base[at]) { return false }
            at += 1
        }
        return true
    }

    /// Whether a CSV field starting with `first` may be read as a formula by a spreadsheet
    /// (``CSVText/field(_:guardFormulas:)`` decides what to do with it).
    @inline(__always) @usableFromInline
    static func startsFormula(_ first: UInt8) -> Bool {
        first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "@") || first == UInt8(ascii: "-")
    }

    /// Non-zero when a byte of `x` equals `c` (exact as a yes/no; which bit is set is not).
    @inline(__always) @usableFromInline
    static func equal(_ x: UInt64, _ c: UInt8) -> UInt64 {
        let v = x ^ (0x0101_0101_0101_0101 &* UInt64(c))
        return (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080
    }

    /// Non-zero when a byte of `x` is below `n` (n at most 128).
    @inline(__always) @usableFromInline
    static func below(_ x: UInt64, _ n: UInt8) -> UInt64 {
        (x &- 0x0101_0101_0101_0101 &* UInt64(n)) & ~x & 0x8080_8080_8080_8080
    }

    /// The three letters of a currency code.
    @usableFromInline
    static func appendCode(_ currency: Currency, to out: ByteBuffer) {
        let letters = currency.letters
        out.reserve(3)
        out.append(letters.0)
        out.append(letters.1)
        out.append(letters.2)
    }

    // MARK: - CSV pieces

    /// A comma, then the field: as is when plain, else through ``CSVText/field(_:guardFormulas:)``
    /// (quoting, formula guard).
    @usableFromInline
    static func field(_ s: String?, to out: ByteBuffer) {
        guard var text = s else { out.append(0x2C); return }
        text.withUTF8 { field(bytes: $0, to: out) }
    }

    @usableFromInline
    static func field(bytes: UnsafeBufferPointer<UInt8>, to out: ByteBuffer) {
        out.append(0x2C)
        guard let first = bytes.first else { return }
        if !startsFormula(first) && csvPlain(bytes) {
            out.append(bytes)
        } else {
            out.append(utf8: CSVText.field(String(decoding: bytes, as: UTF8.self), guardFormulas: true))
        }
    }

    // MARK: - Numbers and dates

    /// `Money.decimalString`, without a String.
    public static func appendMoney(_ money: Money, to out: ByteBuffer) {
        let exponent = money.currency.exponent
        if money.minorUnits < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = money.minorUnits.magnitude
        guard exponent > 0 else { appendDecimal(magnitude, to: out); return }
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        appendDecimal(magnitude / divisor, to: out)
        out.append(UInt8(ascii: "."))
        var fraction = magnitude % divisor
        out.reserve(exponent)
        let start = out.count
        for _ in 0..<exponent { out.append(UInt8(ascii: "0")) }
        var index = exponent - 1
        while fraction > 0 && index >= 0 {
            out.base[start + index] = UInt8(ascii: "0") + UInt8(fraction % 10)
            fraction /= 10
            index -= 1
        }
    }

    @usableFromInline
    static func appendDecimal(_ value: Int64, to out: ByteBuffer) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        appendDecimal(value.magnitude, to: out)
    }

    @usableFromInline
    static func appendDecimal(_ value: UInt64, to out: ByteBuffer) {
        guard value > 0 else { out.append(UInt8(ascii: "0")); return }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            while rest > 0 {
                raw[23 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            out.append(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[(24 - count)...]))
        }
    }

    /// `LocalDate.iso` (`YYYY-MM-DD`), without a String.
    public static func appendISO(_ date: LocalDate, to out: ByteBuffer) {
        let (y, m, d) = date.components
        guard (0...9999).contains(y) else { out.append(utf8: date.iso); return }
        let p = out.tail(10)
        p[0] = 48 + UInt8(y / 1000)
        p[1] = 48 + UInt8(y / 100 % 10)
        p[2] = 48 + UInt8(y / 10 % 10)
        p[3] = 48 + UInt8(y % 10)
        p[4] = UInt8(ascii: "-")
        p[5] = 48 + UInt8(m / 10)
        p[6] = 48 + UInt8(m % 10)
        p[7] = UInt8(ascii: "-")
        p[8] = 48 + UInt8(d / 10)
        p[9] = 48 + UInt8(d % 10)
        out.commit(10)
    }

    /// A status's name as static bytes (the same text as its raw value, which is plain in
    /// JSON and in CSV), so that no String is made per record.
    @usableFromInline
    static func statusText(_ status: CollectionStatus) -> StaticString {
        switch status {
        case .promised: "promised"
        case .partiallyPaid: "partially_paid"
        case .paid: "paid"
        case .paymentReversed: "payment_reversed"
        case .disputed: "disputed"
        case .inCollection: "in_collection"
        case .legal: "legal"
        case .closedByPartner: "closed_by_partner"
        case .returnedByPartner: "returned_by_partner"
        case .uncollectible: "uncollectible"
        case .promiseBroken: "promise_broken"
        case .contactUpdated: "contact_updated"
        case .riskUpdated: "risk_updated"
        }
    }
}
