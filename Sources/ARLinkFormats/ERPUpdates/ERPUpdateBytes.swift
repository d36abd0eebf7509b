public import ARLinkCore

/// Renders `erp-update.v1` records straight into a byte buffer, JSON or CSV.
///
/// The inbound job writes one record per ERP update, up to millions per file; building a
/// `String` per field and per record cost more than everything else it does. The output is
/// byte for byte what ``ERPUpdateJSON/record(_:)`` and ``ERPUpdateJSON/csvRow(_:)`` return
/// (those are now thin wrappers over this type).
public enum ERPUpdateBytes {
    /// Appends the JSON object of `u` (no newline).
    public static func appendJSON(_ u: ERPUpdate, to out: ByteBuffer) {
        out.append(#"{"record_type":"update","update_id":"#)
        quoted(u.updateID, to: out)
        member("partner", u.partner, to: out)
        member("source_event_id", u.sourceEventID, to: out)
        member("source_event_type", u.sourceEventType, to: out)
        if let file = u.sourceFileID { member("source_file_id", file, to: out) }
        member("account_ref", u.accountRef, to: out)
        if let invoice = u.invoiceNumber {
            member("invoice_number", invoice, to: out)
        } else {
            out.append(#","invoice_number":null"#)
        }
        member("status", u.status.rawValue, to: out)
        if let amount = u.amount { key("amount", to: out); quotedMoney(amount, to: out) }
        if let open = u.openAmount { key("open_amount", to: out); quotedMoney(open, to: out) }
        if let currency = u.amount?.currency ?? u.openAmount?.currency { member("currency", currency.code, to: out) }
        if let date = u.date { key("date", to: out); out.append(0x22); appendISO(date, to: out); out.append(0x22) }
        if let comment = u.comment { member("comment", comment, to: out) }
        if let contact = u.contact {
            key("contact", to: out)
            out.append(0x7B)
            for (index, entry) in contact.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out.append(0x2C) }
                quoted(entry.key, to: out)
                out.append(0x3A)
                quoted(entry.value, to: out)
            }
            out.append(0x7D)
        }
        if let score = u.riskScore { key("risk_score", to: out); appendDecimal(Int64(score), to: out) }
        if let segment = u.riskSegment { member("risk_segment", segment, to: out) }
        out.append(0x7D)
    }

    /// Appends the CSV row of `u` (columns ``ERPUpdateWriter/csvColumns``, no newline).
    public static func appendCSV(_ u: ERPUpdate, to out: ByteBuffer) {
        out.append("update")
        field(u.updateID, to: out)
        field(u.partner, to: out)
        field(u.sourceEventID, to: out)
        field(u.sourceEventType, to: out)
        field(u.sourceFileID, to: out)
        field(u.accountRef, to: out)
        field(u.invoiceNumber, to: out)
        field(u.status.rawValue, to: out)
        out.append(0x2C)
        if let amount = u.amount { appendMoney(amount, to: out) }
        out.append(0x2C)
        if let open = u.openAmount { appendMoney(open, to: out) }
        field(u.amount?.currency.code ?? u.openAmount?.currency.code, to: out)
        out.append(0x2C)
        if let date = u.date { appendISO(date, to: out) }
        field(u.comment, to: out)
        for name in ["street", "postal_code", "city", "country", "phone", "email"] { field(u.contact?[name], to: out) }
        out.append(0x2C)
        if let score = u.riskScore { appendDecimal(Int64(score), to: out) }
        field(u.riskSegment, to: out)
    }

    // MARK: - JSON pieces

    static func key(_ name: StaticString, to out: ByteBuffer) {
        out.reserve(name.utf8CodeUnitCount + 4)
        out.append(0x2C)
        out.append(0x22)
        out.append(name)
        out.append(0x22)
        out.append(0x3A)
    }

    static func member(_ name: StaticString, _ value: String, to out: ByteBuffer) {
        key(name, to: out)
        quoted(value, to: out)
    }

    /// A JSON string literal; text that needs escapes goes through ``JSONText/appendQuoted(_:to:)``.
    static func quoted(_ s: String, to out: ByteBuffer) {
        var text = s
        let plain: Bool = text.withUTF8 { bytes in
            for b in bytes where b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F { return false }
            out.reserve(bytes.count + 2)
            out.append(0x22)
            out.append(bytes)
            out.append(0x22)
            return true
        }
        if !plain {
            var escaped = ""
            JSONText.appendQuoted(s, to: &escaped)
            out.append(utf8: escaped)
        }
    }

    static func quotedMoney(_ money: Money, to out: ByteBuffer) {
        out.append(0x22)
        appendMoney(money, to: out)
        out.append(0x22)
    }

    // MARK: - CSV pieces

    /// A comma, then the field: as is when plain, else through ``CSVText/field(_:guardFormulas:)``
    /// (quoting, formula guard).
    static func field(_ s: String?, to out: ByteBuffer) {
        out.append(0x2C)
        guard var text = s, !text.isEmpty else { return }
        let plain: Bool = text.withUTF8 { bytes in
            let first = bytes[0]
            if first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "@") || first == UInt8(ascii: "-") { return false }
            for b in bytes where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D { return false }
            out.append(bytes)
            return true
        }
        if !plain { out.append(utf8: CSVText.field(text, guardFormulas: true)) }
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

    static func appendDecimal(_ value: Int64, to out: ByteBuffer) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        appendDecimal(value.magnitude, to: out)
    }

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
        func two(_ v: Int) { out.append(UInt8(ascii: "0") + UInt8(v / 10)); out.append(UInt8(ascii: "0") + UInt8(v % 10)) }
        two(y / 100)
        two(y % 100)
        out.append(UInt8(ascii: "-"))
        two(m)
        out.append(UInt8(ascii: "-"))
        two(d)
    }
}
