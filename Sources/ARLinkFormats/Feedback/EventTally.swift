import ARLinkCore

/// The events a ``FeedbackReader`` has read: a count per event type and the payment total
/// per currency, kept in small arrays and turned into ``ControlTotals`` only when asked.
struct EventTally {
    private var counts = [Int](repeating: 0, count: FeedbackEventType.allCases.count)
    /// One running total per currency, in the order the currencies first appeared.
    private var payments: [Money] = []

    /// Counts one event of `type`.
    mutating func count(_ type: FeedbackEventType) {
        counts[type.slot] += 1
    }

    /// Adds a payment to its currency's total.
    /// - Returns: false (and leaves the total as it was) when the total would overflow.
    mutating func addPayment(_ amount: Money) -> Bool {
        for i in payments.indices where payments[i].currency == amount.currency {
            guard let sum = try? payments[i].adding(amount) else { return false }
            payments[i] = sum
            return true
        }
        payments.append(amount)
        return true
    }

    /// The counts of the event types read at least once, and the payment totals of every
    /// currency a payment was read in (zero totals included).
    var totals: ControlTotals {
        var out = ControlTotals()
        for type in FeedbackEventType.allCases where counts[type.slot] > 0 {
            out.counts[type.rawValue] = counts[type.slot]
        }
        for total in payments { out.totals[total.currency] = total }
        return out
    }
}
