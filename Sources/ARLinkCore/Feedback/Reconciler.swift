/// The reconciliation rules: pure functions from an event and the ledger's view of the
/// account to an outcome, allocations and ERP update drafts. No I/O.
///
/// Rules (issue 4): an account not placed with the partner, a currency that differs from the
/// placement, a zero or negative amount, a promise in the past or beyond the horizon, or an
/// unknown dispute reason reject the event on its own. Payments go to the named invoice, then
/// to the oldest due invoices; the excess over the open balance is accepted as an exception.
public struct Reconciler: Sendable {
    /// The processing day (UTC).
    public var today: LocalDate
    /// Promises further out than this many days are rejected.
    public var promiseHorizonDays: Int
    /// Risk events (scores, segments) are accepted only when a DPIA covers the partner's
    /// scoring (UU PDP Art. 34); otherwise each is rejected with `scoring_without_dpia`.
    public var scoringAllowed: Bool

    public init(today: LocalDate, promiseHorizonDays: Int, scoringAllowed: Bool = true) {
        self.today = today
        self.promiseHorizonDays = promiseHorizonDays
        self.scoringAllowed = scoringAllowed
    }

    /// Reconciles an account event (not acknowledgements or reversals, which need more context).
    /// - Parameter position: the account as placed with this partner, nil if it never was.
    public func reconcile(_ event: FeedbackEvent, position: AccountPosition?) -> ReconciliationResult {
        guard let position, !position.invoices.isEmpty else { return .rejected(.unknownAccount) }
        switch event.type {
        case .payment: return payment(event, position)
        case .promise: return promise(event, position)
        case .dispute: return dispute(event, position)
        case .status: return status(event, position)
        case .contactUpdate:
            return ReconciliationResult(outcome: .accepted(exception: nil),
                                        update: UpdateDraft(invoiceNumber: nil, status: .contactUpdated, date: event.occurredOn))
        case .risk:
            guard scoringAllowed else { return .rejected(.scoringWithoutDPIA) }
            return ReconciliationResult(outcome: .accepted(exception: nil),
                                        update: UpdateDraft(invoiceNumber: nil, status: .riskUpdated, date: event.occurredOn))
        case .paymentReversal, .acknowledgement:
            return .rejected(.unknownPayment)
        }
    }

    /// Checks amount and currency against the account; nil when they are acceptable.
    func amountProblem(_ amount: Money?, _ position: AccountPosition, required: Bool = true) -> RejectionReason? {
        guard let amount else { return required ? .nonPositiveAmount : nil }
        guard amount.minorUnits > 0 else { return .nonPositiveAmount }
        guard position.holds(amount.currency) else { return .currencyMismatch }
        return nil
    }

    func payment(_ event: FeedbackEvent, _ position: AccountPosition) -> ReconciliationResult {
        if let problem = amountProblem(event.amount, position) { return .rejected(problem) }
        guard let amount = event.amount else { return .rejected(.nonPositiveAmount) }
        func earlier(_ a: InvoicePosition, _ b: InvoicePosition) -> Bool { (a.dueDate, a.invoiceNumber) < (b.dueDate, b.invoiceNumber) }
        var order: [InvoicePosition]
        if event.invoiceNumber == nil && zip(position.invoices, position.invoices.dropFirst()).allSatisfy({ earlier($0, $1) }) {
            order = position.invoices  // already oldest first: shared, not copied
        } else {
            order = position.invoices.filter { $0.placed.currency == amount.currency }.sorted(by: earlier)
            if let named = event.invoiceNumber {
                guard let index = order.firstIndex(where: { $0.invoiceNumber == named }) else {
                    return .rejected(position.invoices.contains { $0.invoiceNumber == named } ? .currencyMismatch : .unknownInvoice)
                }
                order.insert(order.remove(at: index), at: 0)
            }
        }
        var remaining = amount.minorUnits
        var result = ReconciliationResult(outcome: .accepted(exception: nil))
        for invoice in order where remaining > 0 && invoice.openMinor > 0 && invoice.placed.currency == amount.currency {
            let take = min(remaining, invoice.openMinor)
            remaining -= take
            let taken = Money(minorUnits: take, currency: amount.currency)
            result.allocations.append(Allocation(invoiceNumber: invoice.invoiceNumber, amount: taken))
            let open = invoice.openMinor - take
            result.append(UpdateDraft(invoiceNumber: invoice.invoiceNumber, status: open == 0 ? .paid : .partiallyPaid,
                                      amount: taken, openAmount: Money(minorUnits: open, currency: amount.currency),
                                      date: event.occurredOn))
        }
        if remaining > 0 {
            let excess = Money(minorUnits: remaining, currency: amount.currency)
            result.outcome = .accepted(exception: ReconciliationException(
                code: "overpayment",
                detail: "payment \(event.eventID) exceeds the open balance of account \(event.accountRef) by \(excess)",
                amount: excess))
        }
        return result
    }

    /// Reverses a payment: restores exactly what its allocations took.
    /// - Parameters:
    ///   - original: the allocations of the reversed payment, nil when no such payment was accepted.
    ///   - alreadyReversed: whether an earlier reversal already restored it.
    public func reversal(_ event: FeedbackEvent, original: [Allocation]?, alreadyReversed: Bool,
                         position: AccountPosition?) -> ReconciliationResult {
        guard let position, !position.invoices.isEmpty else { return .rejected(.unknownAccount) }
        if let problem = amountProblem(event.amount, position) { return .rejected(problem) }
        guard let original else { return .rejected(.unknownPayment) }
        guard !alreadyReversed else { return .rejected(.alreadyReversed) }
        var allocations: [Allocation] = []
        var updates: [UpdateDraft] = []
        for allocation in original {
            let back = Money(minorUnits: -allocation.amount.minorUnits, currency: allocation.amount.currency)
            allocations.append(Allocation(invoiceNumber: allocation.invoiceNumber, amount: back))
            let invoice = position.invoices.first { $0.invoiceNumber == allocation.invoiceNumber }
            let open = invoice.map { max(0, $0.placed.minorUnits - ($0.paidMinor - allocation.amount.minorUnits)) }
            updates.append(UpdateDraft(invoiceNumber: allocation.invoiceNumber, status: .paymentReversed, amount: allocation.amount,
                                       openAmount: open.map { Money(minorUnits: $0, currency: allocation.amount.currency) },
                                       date: event.occurredOn))
        }
        return ReconciliationResult(outcome: .accepted(exception: nil), allocations: allocations, updates: updates)
    }

    /// Whether a payment's date is possible: not after the day the file reporting it was
    /// created, and not more than `marginDays` before the day the account was placed.
    /// - Parameter placedOn: the as-of date of the batch that placed the account (nil: unknown, not checked).
    /// - Returns: the rejection, or nil when the date is possible.
    public func paymentDateProblem(_ date: LocalDate, fileCreatedOn: LocalDate, placedOn: LocalDate?, marginDays: Int) -> RejectionReason? {
        if date > fileCreatedOn { return .paymentAfterFileCreation }
        if let placedOn, date.adding(days: marginDays) < placedOn { return .paymentBeforePlacement }
        return nil
    }

    func promise(_ event: FeedbackEvent, _ position: AccountPosition) -> ReconciliationResult {
        if let problem = amountProblem(event.amount, position) { return .rejected(problem) }
        guard let date = event.promisedDate else { return .rejected(.promiseInPast) }
        if date < today { return .rejected(.promiseInPast) }
        if date.days(since: today) > promiseHorizonDays { return .rejected(.promiseBeyondHorizon) }
        if let named = event.invoiceNumber, !position.invoices.contains(where: { $0.invoiceNumber == named }) {
            return .rejected(.unknownInvoice)
        }
        return ReconciliationResult(outcome: .accepted(exception: nil),
                                    update: UpdateDraft(invoiceNumber: event.invoiceNumber, status: .promised, amount: event.amount, date: date))
    }

    func dispute(_ event: FeedbackEvent, _ position: AccountPosition) -> ReconciliationResult {
        guard let reason = event.disputeReason, DisputeReason(rawValue: reason) != nil else { return .rejected(.unknownDisputeReason) }
        if let problem = amountProblem(event.amount, position, required: false) { return .rejected(problem) }
        if let named = event.invoiceNumber {
            guard let invoice = position.invoices.first(where: { $0.invoiceNumber == named }) else { return .rejected(.unknownInvoice) }
            if let amount = event.amount, amount.currency != invoice.placed.currency { return .rejected(.currencyMismatch) }
        }
        return ReconciliationResult(outcome: .accepted(exception: nil),
                                    update: UpdateDraft(invoiceNumber: event.invoiceNumber, status: .disputed, amount: event.amount, date: event.occurredOn))
    }

    func status(_ event: FeedbackEvent, _ position: AccountPosition) -> ReconciliationResult {
        let mapped: CollectionStatus
        switch event.status {
        case .contacted, .noContact, .skipTrace, nil: mapped = .inCollection
        case .legal: mapped = .legal
        case .uncollectible: mapped = .uncollectible
        case .closed: mapped = .closedByPartner
        case .returned: mapped = .returnedByPartner
        }
        return ReconciliationResult(outcome: .accepted(exception: nil),
                                    update: UpdateDraft(invoiceNumber: nil, status: mapped, date: event.occurredOn))
    }

    /// Compares an acknowledgement with the batch it names.
    /// - Parameter batch: what we placed in that batch, nil if we never sent it to this partner.
    public func acknowledgement(_ event: FeedbackEvent, batch: BatchFigures?) -> ReconciliationResult {
        guard let batch else { return .rejected(.unknownBatch) }
        let theirs = event.acknowledgedTotals ?? ControlTotals()
        let ours = batch.totals
        let ourCounts = ours.counts.filter { $0.value != 0 }
        let theirCounts = theirs.counts.filter { $0.value != 0 }
        if ourCounts == theirCounts && ours.totals == theirs.totals {
            return ReconciliationResult(outcome: .accepted(exception: nil))
        }
        var parts: [String] = []
        for key in Set(ourCounts.keys).union(theirCounts.keys).sorted() where ourCounts[key] != theirCounts[key] {
            parts.append("\(key) \(theirCounts[key] ?? 0) acknowledged, \(ourCounts[key] ?? 0) sent")
        }
        for currency in Set(ours.totals.keys).union(theirs.totals.keys).sorted() where ours.totals[currency] != theirs.totals[currency] {
            parts.append("\(currency) total \(theirs.totals[currency]?.decimalString ?? "0") acknowledged, \(ours.totals[currency]?.decimalString ?? "0") sent")
        }
        return ReconciliationResult(outcome: .accepted(exception: ReconciliationException(
            code: "acknowledgement_mismatch",
            detail: "acknowledgement \(event.eventID) of batch \(batch.batchID) does not match: " + parts.joined(separator: "; "))))
    }

    /// Whether an open promise is kept, broken or still pending.
    /// - Parameters:
    ///   - promised: the promised amount.
    ///   - paidSince: what the account received since the promise was made.
    ///   - date: the promised date; the promise is judged the day after.
    public func promiseState(promised: Money, paidSince: Int64, date: LocalDate) -> PromiseState {
        if paidSince >= promised.minorUnits { return .kept }
        return today > date ? .broken : .pending
    }
}

/// The state of a payment promise.
public enum PromiseState: String, Sendable, Hashable {
    case pending, kept, broken
}
