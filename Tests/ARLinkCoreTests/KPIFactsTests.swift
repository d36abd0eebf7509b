import ARLinkCore
import Testing

@Suite("KPI facts gathered from extracts and feedback", .timeLimit(.minutes(10)))
struct KPIFactsTests {
    let eur = try! Currency("EUR")
    let asOf = LocalDate(year: 2027, month: 3, day: 31)!

    func item(_ open: Int64, amount: Int64? = nil, due: LocalDate, invoiced: LocalDate? = nil, settled: Bool = false) -> OpenItem {
        OpenItem(invoiceNumber: "I", customerID: "C", invoiceDate: invoiced, dueDate: due, amount: Money(minorUnits: amount ?? open, currency: eur),
                 openAmount: Money(minorUnits: open, currency: eur), settled: settled)
    }

    @Test("aging buckets at their edges, credit notes, settled rows and undated invoices")
    func extract() {
        var facts = ExtractFacts(asOf: asOf)
        facts.add(item(100, due: asOf))  // due today: current
        facts.add(item(200, due: asOf.adding(days: -30)))  // 30 days: 1-30
        facts.add(item(400, due: asOf.adding(days: -31)))  // 31 days: 31-60
        facts.add(item(800, due: asOf.adding(days: -366), invoiced: LocalDate(year: 2026, month: 2, day: 1)))  // over-365
        facts.add(item(-50, due: asOf.adding(days: -10)))  // a credit note: receivables only
        facts.add(item(0, amount: 1_000, due: asOf.adding(days: -5), invoiced: LocalDate(year: 2027, month: 3, day: 2), settled: true))
        func figure(_ measure: ExtractFacts.Measure, _ key: String = "") -> FactFigure? { facts.figures[.init(currency: "EUR", measure: measure, key: key)] }
        #expect(figure(.receivables) == FactFigure(count: 5, minor: 1_450))
        #expect(figure(.overdue) == FactFigure(count: 3, minor: 1_400))
        #expect(figure(.aging, "current") == FactFigure(count: 1, minor: 100))
        #expect(figure(.aging, "1-30") == FactFigure(count: 1, minor: 200))
        #expect(figure(.aging, "31-60") == FactFigure(count: 1, minor: 400))
        #expect(figure(.aging, "over-365") == FactFigure(count: 1, minor: 800))
        #expect(figure(.creditSales, "2026-02-01") == FactFigure(count: 1, minor: 800))
        #expect(figure(.creditSales, "2027-03-02") == FactFigure(count: 1, minor: 1_000))
        #expect(figure(.undatedSales) == FactFigure(count: 3, minor: 700))  // the three positive invoices without a date
    }

    @Test("feedback: payments less reversals per account and day, the latest risk score, the first dispute")
    func feedback() throws {
        let day = LocalDate(year: 2027, month: 3, day: 1)!
        var facts = FeedbackFacts(fallbackDay: day)
        func event(_ type: FeedbackEventType, _ id: String, _ ref: String, _ minor: Int64? = nil, on: LocalDate? = nil) -> FeedbackEvent {
            var e = FeedbackEvent(type: type, eventID: id, accountRef: ref)
            e.amount = minor.map { Money(minorUnits: $0, currency: eur) }
            e.occurredOn = on
            return e
        }
        facts.accept(event(.payment, "P1", "A", 500, on: day))
        facts.accept(event(.payment, "P2", "A", 300, on: day))
        facts.accept(event(.paymentReversal, "R1", "A", 300, on: day.adding(days: 1)))
        var risk = event(.risk, "K1", "A")
        risk.riskScore = 700
        risk.riskSegment = "high"
        facts.accept(risk)
        risk.riskScore = 100
        risk.riskSegment = "low"
        risk.occurredOn = day.adding(days: -3)  // older: does not replace the newer score
        facts.accept(risk)
        var dispute = event(.dispute, "D1", "A", on: day.adding(days: 2))
        dispute.disputeReason = "quality"
        facts.accept(dispute)
        #expect(facts.payments[.init(accountRef: "A", currency: "EUR", day: day)] == .init(minor: 800, paid: true))
        #expect(facts.payments[.init(accountRef: "A", currency: "EUR", day: day.adding(days: 1))] == .init(minor: -300, paid: false))
        #expect(facts.risks["A"] == FeedbackFacts.Risk(score: 700, segment: "high", scoredOn: day))
        #expect(facts.disputeDays["A"] == day.adding(days: 2))
        #expect(facts.events[.init(day: day, currency: "EUR", measure: .payment, key: "")] == FactFigure(count: 2, minor: 800))
        #expect(facts.events[.init(day: day.adding(days: 1), currency: "EUR", measure: .reversal, key: "")] == FactFigure(count: 1, minor: 300))
        #expect(facts.events[.init(day: day.adding(days: 2), currency: "", measure: .dispute, key: "quality")] == FactFigure(count: 1, minor: 0))
    }
}
