/// The KPI facts one feedback file brings, gathered while its events are applied and written
/// in the same transaction: sums and counts by day, net payments per account and day, the
/// days an account was disputed, and each account's latest risk score. Account references,
/// amounts, codes and dates only; never a name, address or comment.
public struct FeedbackFacts: Sendable {
    /// What an event figure counts.
    public enum Measure: String, Sendable, CaseIterable {
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
    }

    /// Net payments of one account in one currency on one day.
    public struct PaymentKey: Hashable, Sendable {
        public var accountRef: String
        public var currency: String
        public var day: LocalDate
    }

    /// Payments less reversals in minor units, and whether a payment (not only a reversal) came.
    public struct AccountPayments: Sendable, Hashable {
        public var minor: Int64
        public var paid: Bool
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
    }

    public private(set) var events: [EventKey: FactFigure] = [:]
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

    /// Adds an accepted event.
    public mutating func accept(_ event: FeedbackEvent) {
        let day = event.occurredOn ?? fallbackDay
        let currency = event.amount?.currency.code ?? ""
        let minor = event.amount?.minorUnits ?? 0
        switch event.type {
        case .payment:
            events[EventKey(day: day, currency: currency, measure: .payment, key: ""), default: FactFigure()].add(minor)
            let key = PaymentKey(accountRef: event.accountRef, currency: currency, day: day)
            payments[key, default: AccountPayments(minor: 0, paid: true)].minor += minor
            payments[key]?.paid = true
        case .paymentReversal:
            events[EventKey(day: day, currency: currency, measure: .reversal, key: ""), default: FactFigure()].add(minor)
            payments[PaymentKey(accountRef: event.accountRef, currency: currency, day: day),
                     default: AccountPayments(minor: 0, paid: false)].minor -= minor
        case .promise:
            events[EventKey(day: day, currency: currency, measure: .promise, key: ""), default: FactFigure()].add(minor)
        case .dispute:
            events[EventKey(day: day, currency: currency, measure: .dispute, key: event.disputeReason ?? "other"), default: FactFigure()].add(minor)
            if disputeDays[event.accountRef].map({ day < $0 }) ?? true { disputeDays[event.accountRef] = day }
        case .status:
            events[EventKey(day: day, currency: "", measure: .status, key: event.status?.rawValue ?? "unknown"), default: FactFigure()].add(0)
        case .risk:
            guard let score = event.riskScore else { return }
            if let known = risks[event.accountRef], known.scoredOn > day { return }
            risks[event.accountRef] = Risk(score: score, segment: event.riskSegment ?? "", scoredOn: day)
        case .acknowledgement, .contactUpdate:
            break
        }
    }
}
