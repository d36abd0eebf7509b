public import ARLinkCore

/// The invoices placed with a partner for one account, as kept in the `invoices` column of
/// its `placement` row: one line per invoice, `number TAB currency TAB due date TAB minor
/// units`, lines joined by LF; `%`, TAB and LF inside a number written as `%25`, `%09`, `%0A`.
///
/// One text per account replaced a row per invoice (`placement_invoice`, migration
/// `ledger-v2`): a batch of 92,658 accounts wrote 546,821 invoice rows, a second per run.
public enum PlacedInvoices {
    /// The stored text of `invoices` (numbers, currencies, due dates and open amounts).
    public static func encode(_ invoices: some Sequence<(number: String, amount: Money, dueDate: LocalDate)>) -> String {
        var out = ""
        var first = true
        for invoice in invoices {
            if !first { out += "\n" }
            first = false
            out += escape(invoice.number)
            out += "\t"
            out += invoice.amount.currency.code
            out += "\t"
            out += invoice.dueDate.iso
            out += "\t"
            out += String(invoice.amount.minorUnits)
        }
        return out
    }

    /// The invoices of a stored text (nothing paid yet), sorted by number; lines that do not
    /// parse are left out. Read byte by byte: an inbound pass reads every placed account's text
    /// before its first event.
    public static func decode(_ text: String) -> [InvoicePosition] {
        decode(bytes: Array(text.utf8))
    }

    static func decode(bytes: [UInt8]) -> [InvoicePosition] {
        var out: [InvoicePosition] = []
        var start = 0
        while start < bytes.count {
            var end = start
            var tabs = (0, 0, 0)
            var tabCount = 0
            while end < bytes.count && bytes[end] != 0x0A {
                if bytes[end] == 0x09 {
                    switch tabCount {
                    case 0: tabs.0 = end
                    case 1: tabs.1 = end
                    case 2: tabs.2 = end
                    default: break
                    }
                    tabCount += 1
                }
                end += 1
            }
            defer { start = end + 1 }
            guard tabCount == 3 else { continue }
            let code = bytes[(tabs.0 + 1)..<tabs.1]
            guard let currency = Currency(uppercaseASCII: code.span)
                    ?? (try? Currency(String(decoding: code, as: UTF8.self))),
                  let due = LocalDate(isoBytes: bytes[(tabs.1 + 1)..<tabs.2].span),
                  let minor = integer(bytes[(tabs.2 + 1)..<end]) else { continue }
            let number = bytes[start..<tabs.0]
            let invoice = number.contains(0x25) ? unescape(Substring(String(decoding: number, as: UTF8.self)))
                : String(decoding: number, as: UTF8.self)
            out.append(InvoicePosition(invoiceNumber: invoice, dueDate: due, placed: Money(minorUnits: minor, currency: currency), paidMinor: 0))
        }
        out.sort { $0.invoiceNumber < $1.invoiceNumber }
        return out
    }

    /// A decimal integer with an optional leading minus, as `String(Int64)` writes it.
    static func integer(_ bytes: ArraySlice<UInt8>) -> Int64? {
        let negative = bytes.first == UInt8(ascii: "-")
        let digits = negative ? bytes.dropFirst() : bytes
        guard !digits.isEmpty, digits.count <= 18 else { return bytes.isEmpty ? nil : Int64(String(decoding: bytes, as: UTF8.self)) }
        var value: Int64 = 0
        for b in digits {
            guard b >= 48, b <= 57 else { return nil }
            value = value * 10 + Int64(b - 48)
        }
        return negative ? -value : value
    }

    static func escape(_ number: String) -> String {
        guard number.utf8.contains(where: { $0 == 0x25 || $0 == 0x09 || $0 == 0x0A }) else { return number }
        var out = ""
        for character in number.unicodeScalars {
            switch character {
            case "%": out += "%25"
            case "\t": out += "%09"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    static func unescape(_ text: Substring) -> String {
        guard text.utf8.contains(0x25) else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let b = utf8.popFirst() {
            if b == 0x25, utf8.count >= 2 {
                let code = String(decoding: utf8.prefix(2), as: UTF8.self)
                if let value = ["25": UInt8(0x25), "09": 0x09, "0A": 0x0A][code] {
                    bytes.append(value)
                    utf8 = utf8.dropFirst(2)
                    continue
                }
            }
            bytes.append(b)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
