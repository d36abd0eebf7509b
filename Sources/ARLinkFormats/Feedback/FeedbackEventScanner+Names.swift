import ARLinkCore

/// The names the fast path recognises: member keys, event types and partner statuses,
/// matched on their bytes.
extension FeedbackEventScanner {
    /// The members a fast event line may have; a key's raw value is its bit in a mask.
    enum Key: Int, CaseIterable {
        case recordType, eventID, accountRef, occurredOn, comment, invoiceNumber, amount, currency
        case paymentReference, reversesEventID, promisedDate, instalments, reason, status, score, segment

        @inline(__always)
        var name: StaticString {
            switch self {
            case .recordType: "record_type"
            case .eventID: "event_id"
            case .accountRef: "account_ref"
            case .occurredOn: "occurred_on"
            case .comment: "comment"
            case .invoiceNumber: "invoice_number"
            case .amount: "amount"
            case .currency: "currency"
            case .paymentReference: "payment_reference"
            case .reversesEventID: "reverses_event_id"
            case .promisedDate: "promised_date"
            case .instalments: "instalments"
            case .reason: "reason"
            case .status: "status"
            case .score: "score"
            case .segment: "segment"
            }
        }

        var bit: UInt32 { 1 << UInt32(rawValue) }

        /// The key spelled by `count` bytes at `p`, nil for any other text.
        static func named(_ p: UnsafePointer<UInt8>, _ count: Int) -> Key? {
            let candidate: Key
            switch (count, p[0]) {
            case (5, UInt8(ascii: "s")): candidate = .score
            case (6, UInt8(ascii: "a")): candidate = .amount
            case (6, UInt8(ascii: "r")): candidate = .reason
            case (6, UInt8(ascii: "s")): candidate = .status
            case (7, UInt8(ascii: "c")): candidate = .comment
            case (7, UInt8(ascii: "s")): candidate = .segment
            case (8, UInt8(ascii: "c")): candidate = .currency
            case (8, UInt8(ascii: "e")): candidate = .eventID
            case (11, UInt8(ascii: "a")): candidate = .accountRef
            case (11, UInt8(ascii: "i")): candidate = .instalments
            case (11, UInt8(ascii: "o")): candidate = .occurredOn
            case (11, UInt8(ascii: "r")): candidate = .recordType
            case (13, UInt8(ascii: "p")): candidate = .promisedDate
            case (14, UInt8(ascii: "i")): candidate = .invoiceNumber
            case (17, UInt8(ascii: "p")): candidate = .paymentReference
            case (17, UInt8(ascii: "r")): candidate = .reversesEventID
            default: return nil
            }
            return spells(p, count, candidate.name.utf8Start) ? candidate : nil
        }
    }

    /// Whether the `count` bytes at `p` are those at `name`, compared eight or four at a time.
    @inline(__always)
    static func spells(_ p: UnsafePointer<UInt8>, _ count: Int, _ name: UnsafePointer<UInt8>) -> Bool {
        let a = UnsafeRawPointer(p)
        let b = UnsafeRawPointer(name)
        if count >= 8 {
            var offset = 0
            while offset < count - 8 {
                guard a.loadUnaligned(fromByteOffset: offset, as: UInt64.self) == b.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
                offset += 8
            }
            return a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        if count >= 4 {
            return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
                && a.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        }
        for i in 0..<count where p[i] != name[i] { return false }
        return true
    }

    /// The event type `text` names, among those read here (checked against the raw value).
    static func eventType(_ text: UnsafeBufferPointer<UInt8>) -> FeedbackEventType? {
        guard text.count > 2 else { return nil }
        let candidate: FeedbackEventType
        switch (text.count, text[0]) {
        case (4, UInt8(ascii: "r")): candidate = .risk
        case (6, UInt8(ascii: "s")): candidate = .status
        case (7, UInt8(ascii: "d")): candidate = .dispute
        case (7, UInt8(ascii: "p")): candidate = text[2] == UInt8(ascii: "y") ? .payment : .promise
        case (16, UInt8(ascii: "p")): candidate = .paymentReversal
        default: return nil
        }
        return spells(text, candidate.rawValue) ? candidate : nil
    }

    /// The partner status `text` names (checked against the raw value).
    static func status(_ text: UnsafeBufferPointer<UInt8>) -> PartnerStatus? {
        let candidate: PartnerStatus
        switch (text.count, text[0]) {
        case (5, UInt8(ascii: "l")): candidate = .legal
        case (6, UInt8(ascii: "c")): candidate = .closed
        case (8, UInt8(ascii: "r")): candidate = .returned
        case (9, UInt8(ascii: "c")): candidate = .contacted
        case (10, UInt8(ascii: "n")): candidate = .noContact
        case (10, UInt8(ascii: "s")): candidate = .skipTrace
        case (13, UInt8(ascii: "u")): candidate = .uncollectible
        default: return nil
        }
        return spells(text, candidate.rawValue) ? candidate : nil
    }

    /// Whether `text` is the UTF-8 of `name`.
    static func spells(_ text: UnsafeBufferPointer<UInt8>, _ name: String) -> Bool {
        var name = name
        return name.withUTF8 { utf8 in
            guard text.count == utf8.count else { return false }
            guard let a = text.baseAddress, let b = utf8.baseAddress else { return text.isEmpty }
            return spells(a, text.count, b)
        }
    }
}
