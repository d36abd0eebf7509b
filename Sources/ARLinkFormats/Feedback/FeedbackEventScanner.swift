import ARLinkCore

/// Reads an ordinary `feedback.v1` event line straight from its bytes, without building a
/// JSON tree: the fast path of ``FeedbackReader``.
///
/// It takes only the common shape: one flat object of known event keys, each once, whose
/// values are strings of printable ASCII without escapes, whole numbers written plainly
/// (`0`, `291`) or `null`. It applies the same checks as
/// ``FeedbackRecordParser/event(_:place:lineNumber:)``. For anything else (escapes, other
/// bytes, nested objects or arrays, unknown or repeated keys, other numbers, booleans, a
/// value that fails a check, acknowledgement and contact-update events) it returns nil, and
/// the caller parses the line the ordinary way, which returns the event or throws the
/// precise error. So an event from here is always the one the ordinary path returns, and
/// every error still comes from the ordinary path.
final class FeedbackEventScanner {
    /// Where one member's value lies in the line.
    struct Value {
        enum Kind { case string, integer, null }
        var kind: Kind
        var start: Int
        var count: Int
    }

    /// The line is not for the fast path (it may still be perfectly valid).
    struct NotFast: Error {}

    /// The members of the line last scanned, indexed by ``Key``.
    private let values: UnsafeMutableBufferPointer<Value>
    /// The keys allowed per event type (by ``FeedbackEventType/slot``), from
    /// ``FeedbackRecordParser/allowed``; zero for a type not read here.
    private let allowed: UnsafeMutableBufferPointer<UInt32>
    /// The last currency read, keyed by its three letters packed into an integer.
    private var lastCurrency: (packed: UInt32, currency: Currency)?

    init() {
        values = .allocate(capacity: Key.allCases.count)
        values.initialize(repeating: Value(kind: .null, start: 0, count: 0))
        allowed = .allocate(capacity: FeedbackEventType.allCases.count)
        allowed.initialize(repeating: 0)
        for type in FeedbackEventType.allCases {
            var mask: UInt32 = 0
            for field in FeedbackRecordParser.allowed[type] ?? FeedbackRecordParser.common {
                // A type that allows a member not read here (counts, contact) stays at zero.
                guard let key = Key.allCases.first(where: { "\($0.name)" == field }) else { mask = 0; break }
                mask |= key.bit
            }
            allowed[type.slot] = mask
        }
    }

    deinit {
        values.deallocate()
        allowed.deallocate()
    }

    /// The event on `line` (one line without its line end), or nil when the ordinary path
    /// must read it.
    func event(_ line: UnsafeBufferPointer<UInt8>) -> FeedbackEvent? {
        guard let present = scan(line) else { return nil }
        let members = Members(bytes: line, values: UnsafeBufferPointer(values), present: present)
        guard let parts = try? check(members) else { return nil }
        return FeedbackEvent(parts)
    }

    // MARK: - Scanning

    /// Records where each member's value lies; returns the mask of the keys present, nil
    /// when the line is not a flat object of known keys with simple values.
    private func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard let p = bytes.baseAddress else { return nil }
        let n = bytes.count
        var i = 0
        func skipSpace() {
            while i < n, p[i] == 0x20 || p[i] == 0x09 || p[i] == 0x0A || p[i] == 0x0D { i += 1 }
        }
        skipSpace()
        guard i < n, p[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        var present: UInt32 = 0
        while true {
            skipSpace()
            guard i < n, p[i] == UInt8(ascii: "\"") else { return nil }
            let keyStart = i + 1
            guard let keyEnd = Self.closingQuote(p, from: keyStart, to: n), keyEnd > keyStart,
                  let key = Key.named(p + keyStart, keyEnd - keyStart), present & key.bit == 0 else { return nil }
            present |= key.bit
            i = keyEnd + 1
            skipSpace()
            guard i < n, p[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            skipSpace()
            guard i < n else { return nil }
            let start = i
            let kind: Value.Kind
            switch p[i] {
            case UInt8(ascii: "\""):
                guard let end = Self.closingQuote(p, from: start + 1, to: n) else { return nil }
                values[key.rawValue] = Value(kind: .string, start: start + 1, count: end - start - 1)
                i = end + 1
                kind = .string
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                i += 1
                while i < n, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") { i += 1 }
                // No leading zeros (not JSON), no fraction or exponent (not a plain integer).
                guard p[start] != UInt8(ascii: "0") || i - start == 1 else { return nil }
                if i < n, p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") { return nil }
                kind = .integer
            case UInt8(ascii: "n"):
                guard i + 4 <= n, p[i + 1] == UInt8(ascii: "u"), p[i + 2] == UInt8(ascii: "l"), p[i + 3] == UInt8(ascii: "l") else { return nil }
                i += 4
                kind = .null
            default:
                return nil
            }
            if kind != .string { values[key.rawValue] = Value(kind: kind, start: start, count: i - start) }
            skipSpace()
            guard i < n else { return nil }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            guard p[i] == UInt8(ascii: "}") else { return nil }
            i += 1
            skipSpace()
            return i == n ? present : nil
        }
    }

    /// The index of the quote that closes a string whose text starts at `from`; nil when a
    /// byte other than printable ASCII, or a backslash, comes first, or the line ends.
    ///
    /// Looks at eight bytes at a time: each test below flags the lowest byte it matches
    /// exactly (borrows only run upwards from a matching byte), so the lowest flag of all of
    /// them is the first byte that is a quote, a backslash, DEL, below 0x20 or above 0x7F.
    @inline(__always)
    static func closingQuote(_ p: UnsafePointer<UInt8>, from: Int, to n: Int) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let raw = UnsafeRawPointer(p)
        var i = from
        while i + 8 <= n {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let del = word ^ (ones &* 0x7F)
            let flags = (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((del &- ones) & ~del)
                | ((word &- ones &* 0x20) & ~word) | word) & highs
            if flags != 0 {
                let at = i + flags.trailingZeroBitCount / 8
                return p[at] == UInt8(ascii: "\"") ? at : nil
            }
            i += 8
        }
        while i < n {
            let b = p[i]
            if b == UInt8(ascii: "\"") { return i }
            guard b >= 0x20, b < 0x7F, b != UInt8(ascii: "\\") else { return nil }
            i += 1
        }
        return nil
    }

    // MARK: - Checking

    /// The checked values of one event line, still as bytes of the line where they are text.
    struct Parts {
        var type: FeedbackEventType
        var eventID: UnsafeBufferPointer<UInt8>
        var accountRef: UnsafeBufferPointer<UInt8>
        var occurredOn: LocalDate?
        var comment: UnsafeBufferPointer<UInt8>?
        var invoiceNumber: UnsafeBufferPointer<UInt8>?
        var amount: Money?
        var reversesEventID: UnsafeBufferPointer<UInt8>?
        var promisedDate: LocalDate?
        var instalments: Int?
        var reason: UnsafeBufferPointer<UInt8>?
        var status: PartnerStatus?
        var score: Int?
        var segment: UnsafeBufferPointer<UInt8>?
    }

    /// The checks of ``FeedbackRecordParser/event(_:place:lineNumber:)``, in the same terms.
    private func check(_ f: Members) throws(NotFast) -> Parts {
        guard let type = Self.eventType(try f.text(.recordType, max: 32)), f.present & ~allowed[type.slot] == 0 else { throw NotFast() }
        var parts = Parts(
            type: type, eventID: try f.text(.eventID, max: 64, identifier: true), accountRef: try f.text(.accountRef, max: 64),
            occurredOn: try f.optionalDate(.occurredOn), comment: try f.optionalText(.comment, max: 500)
        )
        switch type {
        case .payment, .paymentReversal:
            parts.invoiceNumber = try f.optionalText(.invoiceNumber, max: 64)
            parts.amount = try f.money(.amount, currency: try currency(f))
            parts.occurredOn = try f.date(.occurredOn)
            if type == .paymentReversal {
                parts.reversesEventID = try f.text(.reversesEventID, max: 64, identifier: true)
            } else {
                _ = try f.optionalText(.paymentReference, max: 64)
            }
        case .promise:
            parts.invoiceNumber = try f.optionalText(.invoiceNumber, max: 64)
            parts.amount = try f.money(.amount, currency: try currency(f))
            parts.promisedDate = try f.date(.promisedDate)
            parts.instalments = try f.optionalInt(.instalments, range: 1...120)
        case .dispute:
            parts.invoiceNumber = try f.text(.invoiceNumber, max: 64)
            parts.reason = try f.text(.reason, max: 32)
            if f.present & (Key.amount.bit | Key.currency.bit) != 0 {
                parts.amount = try f.money(.amount, currency: try currency(f))
            }
        case .status:
            guard let status = Self.status(try f.text(.status, max: 32)) else { throw NotFast() }
            parts.status = status
        case .risk:
            guard let score = try f.optionalInt(.score, range: 0...1000) else { throw NotFast() }
            parts.score = score
            parts.segment = try f.text(.segment, max: 32, identifier: true)
        case .acknowledgement, .contactUpdate:
            throw NotFast()
        }
        return parts
    }

    /// The text of printable ASCII bytes.
    static func string(_ text: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: text, as: UTF8.self)
    }

    /// `currency`: three capital letters naming a known ISO 4217 code.
    private func currency(_ f: Members) throws(NotFast) -> Currency {
        let text = try f.text(.currency, max: 3)
        guard text.count == 3 else { throw NotFast() }
        var packed: UInt32 = 0
        for b in text {
            guard b >= UInt8(ascii: "A"), b <= UInt8(ascii: "Z") else { throw NotFast() }
            packed = packed << 8 | UInt32(b)
        }
        if let last = lastCurrency, last.packed == packed { return last.currency }
        guard let currency = try? Currency(Self.string(text)) else { throw NotFast() }
        lastCurrency = (packed, currency)
        return currency
    }
}

extension FeedbackEvent {
    /// The event of checked parts, with the fields ``FeedbackRecordParser/event(_:place:lineNumber:)``
    /// sets for its type.
    init(_ parts: FeedbackEventScanner.Parts) {
        self.init(type: parts.type, eventID: FeedbackEventScanner.string(parts.eventID), accountRef: FeedbackEventScanner.string(parts.accountRef))
        occurredOn = parts.occurredOn
        amount = parts.amount
        promisedDate = parts.promisedDate
        if let instalments = parts.instalments { self.instalments = instalments }
        status = parts.status
        riskScore = parts.score
        if let comment = parts.comment { self.comment = FeedbackEventScanner.string(comment) }
        if let invoiceNumber = parts.invoiceNumber { self.invoiceNumber = FeedbackEventScanner.string(invoiceNumber) }
        if let reversesEventID = parts.reversesEventID { self.reversesEventID = FeedbackEventScanner.string(reversesEventID) }
        if let reason = parts.reason { disputeReason = FeedbackEventScanner.string(reason) }
        if let segment = parts.segment { riskSegment = FeedbackEventScanner.string(segment) }
    }
}
