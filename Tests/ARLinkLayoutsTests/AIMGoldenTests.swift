import ARLinkCore
@testable import ARLinkLayouts
import Foundation
import Testing

/// The AIM golden files (written by Fixtures/aim/make_golden.py from the public AIM field
/// tables, not by arlink) read and written byte for byte, fixed width and pipe delimited.
@Suite("Latitude AIM golden files", .timeLimit(.minutes(10)))
struct AIMGoldenTests {
    @Test("arlink writes the golden portfolio byte for byte", arguments: [false, true])
    func writesPortfolio(pipe: Bool) throws {
        let layout = try LayoutFixtures.aim(.portfolio, pipe: pipe)
        let bytes = try PortfolioLayout(layout: layout).render(
            LayoutFixtures.portfolio, fileNumbers: LayoutFixtures.fileNumbers, previousBalances: LayoutFixtures.previousBalances,
            context: LayoutFixtures.context)
        let golden = try LayoutFixtures.bytes(pipe ? "aim/portfolio-pipe.txt" : "aim/portfolio-fixed.txt")
        #expect(bytes.count == golden.count)
        #expect(bytes == golden, "first difference at byte \(zip(bytes, golden).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1)")
    }

    @Test("the golden portfolio reads back into the same records", arguments: [false, true])
    func readsPortfolio(pipe: Bool) throws {
        let layout = try LayoutFixtures.aim(.portfolio, pipe: pipe)
        let file = try LayoutReader(layout: layout).read(try LayoutFixtures.bytes(pipe ? "aim/portfolio-pipe.txt" : "aim/portfolio-fixed.txt"), name: "portfolio.txt")
        #expect(file.records.map(\.type) == ["CACT", "CMIS", "CMIS", "CACT", "CPAY", "CFIN"])
        #expect(file.trailer?["placement_total"] == .amount(135049))
        #expect(file.trailer?["records"] == .integer(6))
        let records = try PortfolioLayout(layout: layout).read(file, previousBalances: LayoutFixtures.previousBalances)
        #expect(records == LayoutFixtures.portfolio.map { $0.projected() })
        #expect(records[0].debtor?.fields[.name] == "Müller Maschinenbau GmbH")
    }

    @Test("the golden feedback reads into arlink's events", arguments: [false, true])
    func readsFeedback(pipe: Bool) throws {
        let layout = try LayoutFixtures.aim(.feedback, pipe: pipe)
        let file = try LayoutReader(layout: layout).read(try LayoutFixtures.bytes(pipe ? "aim/feedback-pipe.txt" : "aim/feedback-fixed.txt"), name: "feedback.txt")
        let records = try FeedbackLayout(layout: layout).records(file, fileNumbers: LayoutFixtures.fileNumbers)
        #expect(records.count == 8)
        guard case .acknowledgement(let ack) = records[0], case .acknowledgement(let ack2) = records[1] else { Issue.record("no acknowledgements"); return }
        #expect(ack.accountRef == "A-1001" && ack.originalBalance == LayoutFixtures.usd("1250.50") && ack.lastPaymentDate == nil)
        #expect(AcknowledgementCheck.judge(ack, placedBalance: LayoutFixtures.usd("1250.50")) == .accepted)
        // A-1002 was placed at 99.99; the agency acknowledges 90.00: rejected with its own reason.
        guard case .rejected(let reason, let detail) = AcknowledgementCheck.judge(ack2, placedBalance: LayoutFixtures.usd("99.99")) else {
            Issue.record("mismatch accepted"); return
        }
        #expect(reason == "balance_mismatch")
        #expect(detail == "original balance 90.00 USD differs from the 99.99 USD placed")
        guard case .event(let pay, 3, 1) = records[2], case .event(let rev, 4, 7) = records[3] else { Issue.record("no payment"); return }
        #expect(pay.type == .payment && pay.eventID == "PAY-0001" && pay.amount == LayoutFixtures.usd("200.00") && pay.occurredOn == LayoutFixtures.date("2025-12-10"))
        #expect(rev.type == .paymentReversal && rev.reversesEventID == "PAY-0000" && rev.accountRef == "A-0900" && rev.comment == "chargeback")
        #expect(records[4] == .recallObjection(RecallObjection(line: 5, fileNumber: 2, accountRef: "A-1002", reasonCode: "ACT", date: LayoutFixtures.date("2025-12-11"))))
        guard case .reconciliation(let rec) = records[5] else { Issue.record("no reconciliation"); return }
        #expect(rec.currentBalance == LayoutFixtures.usd("1050.50") && rec.lastPaymentAmount == LayoutFixtures.usd("200.00"))
        guard case .event(let close, 7, 2) = records[6] else { Issue.record("no close"); return }
        #expect(close.type == .status && close.status == .returned && close.occurredOn == LayoutFixtures.date("2025-12-15"))
        guard case .event(let promise, 8, 1) = records[7] else { Issue.record("no promise"); return }
        #expect(promise.type == .promise && promise.amount == LayoutFixtures.usd("300.00") && promise.promisedDate == LayoutFixtures.date("2026-01-15"))
        #expect(promise.eventID.hasPrefix("ANOT-") && promise.eventID.count == 29)
    }

    @Test("the golden feedback written again is the same bytes", arguments: [false, true])
    func writesFeedback(pipe: Bool) throws {
        let layout = try LayoutFixtures.aim(.feedback, pipe: pipe)
        let golden = try LayoutFixtures.bytes(pipe ? "aim/feedback-pipe.txt" : "aim/feedback-fixed.txt")
        let file = try LayoutReader(layout: layout).read(golden, name: "feedback.txt")
        let bytes = try LayoutWriter(layout: layout).render(
            file.records.map(\.asOut),
            fileValues: ["agency_id": .text("AGY42"), "agency_name": .text("Collect Co"), "created_on": .date(LayoutFixtures.date("2025-12-16"))])
        #expect(bytes == golden)
    }

    @Test("the pipe variant reads the same values as the fixed-width file")
    func variantsAgree() throws {
        for direction in [LayoutDirection.portfolio, .feedback] {
            let fixed = try LayoutReader(layout: try LayoutFixtures.aim(direction, pipe: false)).read(try LayoutFixtures.bytes("aim/\(direction.rawValue)-fixed.txt"), name: "f")
            let pipe = try LayoutReader(layout: try LayoutFixtures.aim(direction, pipe: true)).read(try LayoutFixtures.bytes("aim/\(direction.rawValue)-pipe.txt"), name: "p")
            #expect(fixed.records.map(\.values) == pipe.records.map(\.values))
            #expect(fixed.trailer?.values == pipe.trailer?.values)
        }
    }
}

extension PortfolioRecord {
    /// The record as far as the AIM layout carries it (no invoices, aging or itemization;
    /// an update keeps only its balance).
    func projected() -> PortfolioRecord {
        switch action {
        case .place:
            return PortfolioRecord(action: .place, accountRef: accountRef, debtor: debtor.flatMap { $0.fields.isEmpty ? nil : $0 }, invoices: [],
                                   balances: balances.filter { !$0.isZero }, aging: [], oldestDueDate: oldestDueDate, daysPastDue: 0, lastPaymentDate: lastPaymentDate)
        case .update:
            return PortfolioRecord(action: .update, accountRef: accountRef, debtor: nil, invoices: [], balances: balances.filter { !$0.isZero }, aging: [], oldestDueDate: nil, daysPastDue: 0)
        case .recall:
            return PortfolioRecord(action: .recall, accountRef: accountRef, debtor: nil, invoices: [], balances: [], aging: [], oldestDueDate: nil, daysPastDue: 0, recallReason: recallReason)
        }
    }
}
