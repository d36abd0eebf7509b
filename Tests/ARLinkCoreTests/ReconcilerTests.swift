import ARLinkCore
import Testing

@Suite("Reconciliation rules (pure)", .timeLimit(.minutes(10)))
struct ReconcilerTests {
    let today = LocalDate(iso: "2026-06-30")!
    var rules: Reconciler { Reconciler(today: today, promiseHorizonDays: 90) }
    let eur = try! Currency("EUR")

    func position(paid: Int64 = 0) -> AccountPosition {
        AccountPosition(accountRef: "C1", invoices: [
            InvoicePosition(invoiceNumber: "NEW", dueDate: LocalDate(iso: "2026-05-01")!, placed: Money(minorUnits: 5000, currency: eur), paidMinor: 0),
            InvoicePosition(invoiceNumber: "OLD", dueDate: LocalDate(iso: "2026-03-01")!, placed: Money(minorUnits: 10000, currency: eur), paidMinor: paid),
        ])
    }

    func payment(_ minor: Int64, invoice: String? = nil, currency: String = "EUR") throws -> FeedbackEvent {
        var e = FeedbackEvent(type: .payment, eventID: "P1", accountRef: "C1")
        e.amount = Money(minorUnits: minor, currency: try Currency(currency))
        e.invoiceNumber = invoice
        e.occurredOn = today
        return e
    }

    @Test("a payment goes to the oldest due invoice first, then the next")
    func oldestFirst() throws {
        let r = rules.reconcile(try payment(12000), position: position())
        #expect(r.outcome == .accepted(exception: nil))
        #expect(r.allocations == [Allocation(invoiceNumber: "OLD", amount: Money(minorUnits: 10000, currency: eur)),
                                  Allocation(invoiceNumber: "NEW", amount: Money(minorUnits: 2000, currency: eur))])
        #expect(r.updates.map(\.status) == [.paid, .partiallyPaid])
        #expect(r.updates.last?.openAmount == Money(minorUnits: 3000, currency: eur))
    }

    @Test("invoices already in due order, two currencies: a payment takes only its currency's, oldest first")
    func dueOrderedMixedCurrencies() throws {
        let usd = try Currency("USD")
        let ordered = AccountPosition(accountRef: "C1", invoices: [
            InvoicePosition(invoiceNumber: "A", dueDate: LocalDate(iso: "2026-01-01")!, placed: Money(minorUnits: 100, currency: usd), paidMinor: 0),
            InvoicePosition(invoiceNumber: "B", dueDate: LocalDate(iso: "2026-02-01")!, placed: Money(minorUnits: 300, currency: eur), paidMinor: 100),
            InvoicePosition(invoiceNumber: "C", dueDate: LocalDate(iso: "2026-03-01")!, placed: Money(minorUnits: 400, currency: usd), paidMinor: 0),
            InvoicePosition(invoiceNumber: "D", dueDate: LocalDate(iso: "2026-04-01")!, placed: Money(minorUnits: 500, currency: eur), paidMinor: 0),
        ])
        let r = rules.reconcile(try payment(450), position: ordered)
        #expect(r.allocations == [Allocation(invoiceNumber: "B", amount: Money(minorUnits: 200, currency: eur)),
                                  Allocation(invoiceNumber: "D", amount: Money(minorUnits: 250, currency: eur))])
        #expect(r.updates.map(\.status) == [.paid, .partiallyPaid])
        #expect(r.updates.map(\.openAmount?.minorUnits) == [0, 250])
        let dollars = rules.reconcile(try payment(600, currency: "USD"), position: ordered)
        #expect(dollars.allocations.map(\.invoiceNumber) == ["A", "C"])
        if case .accepted(let exception) = dollars.outcome {
            #expect(exception?.code == "overpayment")
            #expect(exception?.amount == Money(minorUnits: 100, currency: usd))
        } else {
            Issue.record("the overpayment was not accepted: \(dollars.outcome)")
        }
    }

    @Test("a payment naming an invoice goes there first")
    func namedInvoice() throws {
        let r = rules.reconcile(try payment(6000, invoice: "NEW"), position: position())
        #expect(r.allocations.map(\.invoiceNumber) == ["NEW", "OLD"])
        #expect(r.allocations.map(\.amount.minorUnits) == [5000, 1000])
    }

    @Test("a payment above the open balance is accepted up to it and the excess is an exception")
    func overpayment() throws {
        let r = rules.reconcile(try payment(20000), position: position(paid: 4000))
        guard case .accepted(let exception?) = r.outcome else { Issue.record("expected an exception"); return }
        #expect(exception.code == "overpayment")
        #expect(exception.amount == Money(minorUnits: 9000, currency: eur))
        #expect(r.allocations.reduce(0) { $0 + $1.amount.minorUnits } == 11000)
    }

    @Test("rejections on their own", arguments: [
        ("unknown account", RejectionReason.unknownAccount),
        ("currency", .currencyMismatch),
        ("zero", .nonPositiveAmount),
        ("negative", .nonPositiveAmount),
        ("unknown invoice", .unknownInvoice),
    ])
    func paymentRejections(_ c: (String, RejectionReason)) throws {
        let result: ReconciliationResult
        switch c.0 {
        case "unknown account": result = rules.reconcile(try payment(100), position: nil)
        case "currency": result = rules.reconcile(try payment(100, currency: "USD"), position: position())
        case "zero": result = rules.reconcile(try payment(0), position: position())
        case "negative": result = rules.reconcile(try payment(-5), position: position())
        default: result = rules.reconcile(try payment(100, invoice: "NOPE"), position: position())
        }
        #expect(result.outcome == .rejected(c.1))
        #expect(result.allocations.isEmpty && result.updates.isEmpty)
    }

    @Test("promises: today to the horizon accepted; past and beyond rejected")
    func promises() throws {
        func promise(_ days: Int) -> FeedbackEvent {
            var e = FeedbackEvent(type: .promise, eventID: "PR", accountRef: "C1")
            e.amount = Money(minorUnits: 100, currency: eur)
            e.promisedDate = today.adding(days: days)
            return e
        }
        #expect(rules.reconcile(promise(0), position: position()).outcome.isAccepted)
        #expect(rules.reconcile(promise(90), position: position()).updates.first?.status == .promised)
        #expect(rules.reconcile(promise(-1), position: position()).outcome == .rejected(.promiseInPast))
        #expect(rules.reconcile(promise(91), position: position()).outcome == .rejected(.promiseBeyondHorizon))
    }

    @Test("a dispute needs a known reason and a placed invoice")
    func disputes() {
        var e = FeedbackEvent(type: .dispute, eventID: "D", accountRef: "C1")
        e.invoiceNumber = "OLD"
        e.disputeReason = "quality"
        #expect(rules.reconcile(e, position: position()).updates.first?.status == .disputed)
        e.disputeReason = "dont_like_it"
        #expect(rules.reconcile(e, position: position()).outcome == .rejected(.unknownDisputeReason))
        e.disputeReason = "quality"
        e.invoiceNumber = "X"
        #expect(rules.reconcile(e, position: position()).outcome == .rejected(.unknownInvoice))
    }

    @Test("a reversal restores exactly what its payment took, once")
    func reversal() throws {
        var e = FeedbackEvent(type: .paymentReversal, eventID: "R", accountRef: "C1")
        e.amount = Money(minorUnits: 12000, currency: eur)
        e.reversesEventID = "P1"
        let taken = [Allocation(invoiceNumber: "OLD", amount: Money(minorUnits: 10000, currency: eur)),
                     Allocation(invoiceNumber: "NEW", amount: Money(minorUnits: 2000, currency: eur))]
        let r = rules.reversal(e, original: taken, alreadyReversed: false, position: position(paid: 10000))
        #expect(r.allocations.map(\.amount.minorUnits) == [-10000, -2000])
        #expect(r.updates.allSatisfy { $0.status == .paymentReversed })
        #expect(r.updates.first?.openAmount?.minorUnits == 10000)
        #expect(rules.reversal(e, original: taken, alreadyReversed: true, position: position()).outcome == .rejected(.alreadyReversed))
        #expect(rules.reversal(e, original: nil, alreadyReversed: false, position: position()).outcome == .rejected(.unknownPayment))
    }

    @Test("an acknowledgement that differs from the batch is an exception naming the difference")
    func acknowledgement() {
        var e = FeedbackEvent(type: .acknowledgement, eventID: "A", accountRef: "")
        e.acknowledgedBatchID = "B1"
        e.acknowledgedTotals = ControlTotals(counts: ["place": 3], totals: [eur: Money(minorUnits: 300, currency: eur)])
        let batch = BatchFigures(batchID: "B1", totals: ControlTotals(counts: ["place": 3], totals: [eur: Money(minorUnits: 300, currency: eur)]))
        #expect(rules.acknowledgement(e, batch: batch).outcome == .accepted(exception: nil))
        e.acknowledgedTotals = ControlTotals(counts: ["place": 2], totals: [eur: Money(minorUnits: 300, currency: eur)])
        guard case .accepted(let exception?) = rules.acknowledgement(e, batch: batch).outcome else { Issue.record("expected mismatch"); return }
        #expect(exception.code == "acknowledgement_mismatch")
        #expect(exception.detail.contains("place 2 acknowledged, 3 sent"))
        #expect(rules.acknowledgement(e, batch: nil).outcome == .rejected(.unknownBatch))
    }

    @Test("a promise is broken the day after its date without enough payment")
    func promiseState() {
        let amount = Money(minorUnits: 1000, currency: eur)
        #expect(rules.promiseState(promised: amount, paidSince: 999, date: today) == .pending)
        #expect(rules.promiseState(promised: amount, paidSince: 999, date: today.adding(days: -1)) == .broken)
        #expect(rules.promiseState(promised: amount, paidSince: 1000, date: today.adding(days: -1)) == .kept)
    }
}
