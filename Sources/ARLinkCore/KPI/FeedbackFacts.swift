/// The KPI facts one feedback file brings, gathered while its events are applied and written
/// in the same transaction: sums and counts by day, net payments per account and day, the
/// days an account was disputed, and each account's latest risk score. Account references,
/// amounts, codes and dates only; never a name, address or comment.
public struct FeedbackFacts: Sendable {
    /// What an event figure counts.
    public enum Measure: String, Sendable, CaseIterable, Hashable {
        case payment
        case reversal
        case promise
        case dispute
        /// A `status` event, keyed by its code.
        case status
    }

    /// One event figure's place: day, currency (empty when the event has no amount), measure and key.
    public struct EventKey: Hashable, Sendable {
        public var day: LocalDate
        public var currency: String
        public var measure: Measure
        public var key: String

        public init(day: LocalDate, currency: String, measure: Measure, key: String) {
            self.day = day
            self.currency = currency
            self.measure = measure
            self.key = key
        }
    }

    /// Net payments of one account in one currency on one day.
    public struct PaymentKey: Hashable, Sendable {
        public var accountRef: String
        public var currency: String
        public var day: LocalDate

        public init(accountRef: String, currency: String, day: LocalDate) {
            self.accountRef = accountRef
            self.currency = currency
            self.day = day
        }
    }

    /// Payments less reversals in minor units, and whether a payment (not only a reversal) came.
    public struct AccountPayments: Sendable, Hashable {
        public var minor: Int64
        public var paid: Bool

        public init(minor: Int64, paid: Bool) {
            self.minor = minor
            self.paid = paid
        }

        mutating func add(_ minor: Int64, paid: Bool) {
            self.minor += minor
            self.paid = self.paid || paid
        }
    }

    /// The latest risk score of an account.
    public struct Risk: Sendable, Hashable {
        public var score: Int
        public var segment: String
        public var scoredOn: LocalDate

        public init(score: Int, segment: String, scoredOn: LocalDate) {
            self.score = score
            self.segment = segment
            self.scoredOn = scoredOn
        }

        /// Takes `other` unless it is older (a later event of the same day wins).
        mutating func keepLatest(_ other: Risk) {
            if other.scoredOn >= scoredOn { self = other }
        }
    }

    /// The event figures, by day, currency, measure and key.
    public var events: [EventKey: FactFigure] {
        var out = counted
        for (key, figure) in recent where key != nil { out[key!, default: FactFigure()].merge(figure) }
        return out
    }
    private var counted: [EventKey: FactFigure] = [:]
    /// The latest key of each measure and its figure not yet in `counted`: a file's events of one
    /// kind mostly share their day and currency, so most events add here without hashing.
    private var recent = [(key: EventKey?, figure: FactFigure)](repeating: (nil, FactFigure()), count: Measure.allCases.count)
    public private(set) var payments: [PaymentKey: AccountPayments] = [:]
    /// The day of each disputed account's (first) dispute in this file.
    public private(set) var disputeDays: [String: LocalDate] = [:]
    public private(set) var risks: [String: Risk] = [:]
    /// The day used for events without one (the day the file was received).
    public let fallbackDay: LocalDate

    public init(fallbackDay: LocalDate) {
        self.fallbackDay = fallbackDay
    }

    public var isEmpty: Bool { events.isEmpty && risks.isEmpty }

    private mutating func count(_ key: EventKey, _ minor: Int64) {
        let slot = key.measure.slot
        if recent[slot].key != key {
            if let previous = recent[slot].key { counted[previous, default: FactFigure()].merge(recent[slot].figure) }
            recent[slot] = (key, FactFigure())
        }
        recent[slot].figure.add(minor)
    }

    /// Adds an accepted event.
    public mutating func accept(_ event: FeedbackEvent) {
        let day = event.occurredOn ?? fallbackDay
        let currency = event.amount?.currency.code ?? ""
        let minor = event.amount?.minorUnits ?? 0
        switch event.type {
        case .payment:
            count(EventKey(day: day, currency: currency, measure: .payment, key: ""), minor)
            payments[PaymentKey(accountRef: event.accountRef, currency: currency, day: day), default: AccountPayments(minor: 0, paid: true)]
                .add(minor, paid: true)
        case .paymentReversal:
            count(EventKey(day: day, currency: currency, measure: .reversal, key: ""), minor)
            payments[PaymentKey(accountRef: event.accountRef, currency: currency, day: day), default: AccountPayments(minor: 0, paid: false)]
                .add(-minor, paid: false)
        case .promise:
            count(EventKey(day: day, currency: currency, measure: .promise, key: ""), minor)
        case .dispute:
            count(EventKey(day: day, currency: currency, measure: .dispute, key: event.disputeReason ?? "other"), minor)
            if disputeDays[event.accountRef].map({ day < $0 }) ?? true { disputeDays[event.accountRef] = day }
        case .status:
            count(EventKey(day: day, currency: "", measure: .status, key: event.status?.rawValue ?? "unknown"), 0)
        case .risk:
            guard let score = event.riskScore else { return }
            let risk = Risk(score: score, segment: event.riskSegment ?? "", scoredOn: day)
            risks[event.accountRef, default: risk].keepLatest(risk)
        case .acknowledgement, .contactUpdate:
            break
        }
    }
}

extension FeedbackFacts.Measure {
    /// The measure's index in ``allCases``.
    var slot: Int {
        switch self {
        case .payment: 0
        case .reversal: 1
        case .promise: 2
        case .dispute: 3
        case .status: 4
        }
    }
}
