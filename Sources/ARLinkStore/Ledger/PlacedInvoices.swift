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
    /// parse are left out.
    public static func decode(_ text: String) -> [InvoicePosition] {
        var out: [InvoicePosition] = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 4, let currency = try? Currency(String(parts[1])), let due = LocalDate(iso: String(parts[2])),
                  let minor = Int64(parts[3]) else { continue }
            out.append(InvoicePosition(invoiceNumber: unescape(parts[0]), dueDate: due, placed: Money(minorUnits: minor, currency: currency), paidMinor: 0))
        }
        out.sort { $0.invoiceNumber < $1.invoiceNumber }
        return out
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
