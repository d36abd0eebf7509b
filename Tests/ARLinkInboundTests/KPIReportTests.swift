import ARLinkCore
import ARLinkFormats
import ARLinkKPI
import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// The collection KPIs of ``KPIFixture``'s history, every figure computed by hand below.
@Suite("Collection KPIs from real runs", .serialized, .timeLimit(.minutes(10)))
struct KPIReportTests {
    func fixture() throws -> KPIFixture { try KPIFixture() }

    func kpis(_ list: [CurrencyKPIs], _ code: String) throws -> CurrencyKPIs {
        try #require(list.first { $0.currency.code == code }, "no \(code) figures")
    }

    func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) < 1e-9 } ?? false }

    @Test("the period: placements, recalls, recovery by cohort, days to first payment, promises, per currency")
    func wholePeriod() throws {
        let report = try fixture().report(from: KPIFixture.day(2027, 1, 1), to: KPIFixture.day(2027, 2, 28))
        let acme = try #require(report.partners.first { $0.partner == KPIFixture.partner })
        let eur = try kpis(acme.kpis, "EUR")
        #expect(eur.placedAccounts == 3)  // A1, A2, A4
        #expect(eur.placedInvoices == 4)  // I1, I2a, I2b, I4
        #expect(eur.placedMinor == 70_000)  // 100 + 200 + 400
        #expect(eur.recalledAccounts == 1 && eur.recalledByReason == ["paid_to_creditor": 1])
        #expect(eur.activeAccounts == 2 && eur.activeMinor == 50_000)  // A1 and A4 at 02-28
        #expect(eur.paymentsMinor == 23_000)  // 40 + 10 + 150 + 30
        #expect(eur.reversalsMinor == 1_000)
        #expect(eur.recoveredMinor == 22_000)
        #expect(eur.cohortRecoveredMinor == 22_000)  // A1 70, A2 0, A4 150
        #expect(close(eur.recoveryRate, 220.0 / 700.0))
        #expect(eur.averageDaysToFirstPayment == 1.5 && eur.medianDaysToFirstPayment == 1.5)  // A1 1 day, A4 2 days
        #expect(eur.promisesMade == 2 && eur.promisedMinor == 13_000)  // the promise in the past was rejected
        #expect(eur.promisesKept == 1 && eur.promisesBroken == 1 && eur.promiseKeptRate == 0.5)
        #expect(eur.promisedDueMinor == 13_000 && eur.keptMinor == 3_000)

        let usd = try kpis(acme.kpis, "USD")
        #expect(usd.placedAccounts == 1 && usd.placedInvoices == 1 && usd.placedMinor == 30_000)
        #expect(usd.recalledAccounts == 0 && usd.activeAccounts == 1 && usd.activeMinor == 30_000)
        #expect(usd.paymentsMinor == 15_000 && usd.reversalsMinor == 0 && usd.cohortRecoveredMinor == 15_000)
        #expect(usd.recoveryRate == 0.5)
        #expect(usd.averageDaysToFirstPayment == 4 && usd.medianDaysToFirstPayment == 4)  // placed 01-30, paid 02-03
        #expect(usd.promisesMade == 0 && usd.promiseKeptRate == nil)
    }

    @Test("cohorts across the month end, and month by month")
    func cohortsAndMonths() throws {
        let report = try fixture().report(from: KPIFixture.day(2027, 1, 1), to: KPIFixture.day(2027, 2, 28))
        let acme = try #require(report.partners.first { $0.partner == KPIFixture.partner })
        let cohorts = acme.cohorts.map { "\($0.month) \($0.currency.code) \($0.accounts) \($0.placedMinor) \($0.recoveredMinor) \($0.recoveredByAge)" }
        #expect(cohorts == [
            "2027-01 EUR 2 30000 7000 [4000, 3000]",  // A1: 40 in January; 10 - 10 + 30 in February
            "2027-01 USD 1 30000 15000 [0, 15000]",
            "2027-02 EUR 1 40000 15000 [15000, 0]",
        ])
        #expect(acme.months.map(\.month) == ["2027-01", "2027-02"])
        let janEUR = try kpis(acme.months[0].kpis, "EUR")
        #expect(janEUR.placedAccounts == 2 && janEUR.placedInvoices == 3 && janEUR.placedMinor == 30_000)
        #expect(janEUR.recoveredMinor == 4_000 && janEUR.cohortRecoveredMinor == 4_000)
        #expect(close(janEUR.recoveryRate, 40.0 / 300.0))
        #expect(janEUR.activeAccounts == 2 && janEUR.activeMinor == 30_000)
        let janUSD = try kpis(acme.months[0].kpis, "USD")
        #expect(janUSD.recoveredMinor == 0 && janUSD.recoveryRate == 0 && janUSD.activeMinor == 30_000)
        let febEUR = try kpis(acme.months[1].kpis, "EUR")
        #expect(febEUR.placedAccounts == 1 && febEUR.placedMinor == 40_000 && febEUR.recalledAccounts == 1)
        #expect(febEUR.paymentsMinor == 19_000 && febEUR.reversalsMinor == 1_000 && febEUR.recoveredMinor == 18_000)
        #expect(febEUR.cohortRecoveredMinor == 15_000 && febEUR.recoveryRate == 0.375)
        #expect(febEUR.promisesMade == 2 && febEUR.promisesKept == 1 && febEUR.promisesBroken == 1)
        let febUSD = try kpis(acme.months[1].kpis, "USD")
        #expect(febUSD.placedAccounts == 0 && febUSD.recoveredMinor == 15_000 && febUSD.recoveryRate == nil)
        #expect(acme.months[0].activity.disputes == 0 && acme.months[1].activity.disputes == 2)
    }

    @Test("disputes, closures, data quality and risk segments")
    func activityAndRisk() throws {
        let f = try fixture()
        let report = try f.report(from: KPIFixture.day(2027, 1, 1), to: KPIFixture.day(2027, 2, 28))
        let acme = try #require(report.partners.first { $0.partner == KPIFixture.partner })
        let a = acme.activity
        #expect(a.disputes == 2 && a.disputesByReason == ["quality": 1, "pricing": 1])
        #expect(a.disputedAccounts == 2 && a.accountsUnderManagement == 4 && a.disputeRate == 0.5)
        #expect(a.closuresByCode == ["closed": 1])
        #expect(a.filesReceived == 2 && a.filesApplied == 2 && a.filesQuarantined == 0)
        #expect(a.eventsAccepted == 15 && a.eventsRejected == 2)
        #expect(a.rejectedByReason == ["unknown_account": 1, "promise_in_past": 1])
        // Held files are counted by their audit entry's time: the wall clock of the run (the fixture's runs use a clock of their own).
        let today = LocalDate(daysSinceEpoch: Int32((Date().timeIntervalSince1970 / 86_400).rounded(.down)))
        let now = try f.report(from: today.adding(days: -1), to: today.adding(days: 1))
        #expect(a.filesHeld == 0 && now.partners.first { $0.partner == KPIFixture.partner }?.activity.filesHeld == 1)
        #expect(close(a.errorRate, 2.0 / 17.0))
        // Every update the two files exported: all but the broken promise's, which the promise check wrote (no source file).
        let fromFiles = try f.inbound.exportedUpdates().filter { $0["source_file_id"] != nil }
        #expect(a.erpUpdatesExported == fromFiles.count && a.erpUpdatesExported > 0)

        #expect(acme.risk.scoreBands == ["200-399": 1, "600-799": 1, "800-1000": 1])
        let segments = acme.risk.segments
        #expect(segments.map(\.segment) == ["high", "low"])  // A3 610 and A4 820; A1 250
        #expect(segments.map(\.accounts) == [2, 1] && segments.map(\.averageScore) == [715, 250])
        #expect(segments.first?.recoveredMinor == ["EUR": 15_000, "USD": 15_000] && segments.first?.placedMinor == ["EUR": 40_000, "USD": 30_000])
        #expect(segments.last?.recoveredMinor == ["EUR": 7_000] && segments.last?.placedMinor == ["EUR": 10_000])
    }

    @Test("receivables, overdue share, aging over time and DSO from the extracts; DSO refused without invoice dates")
    func receivables() throws {
        let report = try fixture().report(from: KPIFixture.day(2027, 1, 1), to: KPIFixture.day(2027, 2, 28))
        let eur = try #require(report.overall.receivables.first { $0.currency.code == "EUR" })
        #expect(eur.asOf == KPIFixture.day(2027, 2, 20))
        #expect(eur.receivablesMinor == 145_000)  // 1000 + 200 + 300 - 50
        #expect(eur.overdueMinor == 120_000)
        #expect(close(eur.overdueShare, 1200.0 / 1450.0))
        #expect(eur.creditSalesMinor == 170_000)  // X1 01-10, X5 01-20 (settled), X3 02-15; X2 is from 2026
        #expect(eur.days == 59)
        #expect(close(eur.dso, 1450.0 / 1700.0 * 59))
        let usd = try #require(report.overall.receivables.first { $0.currency.code == "USD" })
        #expect(usd.receivablesMinor == 80_000 && usd.undatedInvoices == 1 && usd.dso == nil)
        #expect(usd.dsoUnavailable?.contains("no invoice dates") == true)
        #expect(report.notes.contains { $0.hasPrefix("USD DSO is not given") })
        let aging = report.overall.aging.map { "\($0.month) \($0.asOf.iso) \($0.currency.code) \($0.buckets.sorted { $0.key < $1.key })" }
        #expect(aging == [
            "2027-01 2027-01-31 EUR [(key: \"current\", value: 100000)]",
            "2027-02 2027-02-20 EUR [(key: \"1-30\", value: 100000), (key: \"61-90\", value: 20000), (key: \"current\", value: 30000)]",
            "2027-02 2027-02-20 USD [(key: \"31-60\", value: 80000)]",
        ])
    }

    @Test("a partner with nothing yet has no figures; all partners together equal the one with data")
    func idlePartnerAndOverall() throws {
        let report = try fixture().report(from: KPIFixture.day(2027, 1, 1), to: KPIFixture.day(2027, 2, 28))
        let idle = try #require(report.partners.first { $0.partner == "idle-partner" })
        #expect(idle.kpis.isEmpty && idle.cohorts.isEmpty && idle.risk.segments.isEmpty)
        #expect(idle.activity == ActivityKPIs())
        #expect(idle.months.allSatisfy { $0.kpis.isEmpty })
        let acme = try #require(report.partners.first { $0.partner == KPIFixture.partner })
        #expect(report.overall.kpis == acme.kpis)
        #expect(report.overall.activity == acme.activity)
    }

    @Test("an empty period after the data: nothing placed or paid, still active accounts, DSO not given")
    func emptyPeriod() throws {
        let report = try fixture().report(from: KPIFixture.day(2027, 3, 1), to: KPIFixture.day(2027, 3, 31))
        let acme = try #require(report.partners.first { $0.partner == KPIFixture.partner })
        let eur = try kpis(acme.kpis, "EUR")
        #expect(eur.placedAccounts == 0 && eur.recoveredMinor == 0 && eur.recoveryRate == nil && eur.averageDaysToFirstPayment == nil)
        #expect(eur.activeAccounts == 2 && eur.activeMinor == 50_000)
        #expect(acme.cohorts.isEmpty && acme.activity.filesReceived == 0 && acme.activity.errorRate == nil)
        #expect(acme.activity.accountsUnderManagement == 3 && acme.activity.disputeRate == 0)  // A1, A3, A4 active on 02-28
        let receivables = try #require(report.overall.receivables.first { $0.currency.code == "EUR" })
        #expect(receivables.creditSalesMinor == 0 && receivables.dso == nil)
        #expect(report.notes.contains("EUR receivables are those of the last extract read by the period's end, as of 2027-02-20."))
    }

    @Test("a period before any data: no figures, no receivables, and notes saying from when facts are kept")
    func beforeAnyData() throws {
        let report = try fixture().report(from: KPIFixture.day(2026, 6, 1), to: KPIFixture.day(2026, 6, 30))
        #expect(report.partners.allSatisfy { $0.kpis.isEmpty && $0.activity == ActivityKPIs() })
        #expect(report.overall.kpis.isEmpty && report.overall.receivables.isEmpty && report.overall.aging.isEmpty)
        #expect(report.feedbackFactsSince == KPIFixture.day(2027, 2, 5) && report.extractFactsSince == KPIFixture.day(2027, 1, 31))
        #expect(report.notes.contains { $0.contains("kept for files applied from 2027-02-05 on") })
        #expect(report.notes.contains { $0.contains("extracts of outbound runs from 2027-01-31 on") })
        #expect(report.csv() == "partner,month,currency," + CurrencyKPIs.fields.map(\.name).joined(separator: ",") + "\n")
    }

    @Test("JSON: amounts as decimal strings, rates as numbers in [0, 1]; CSV: one row per partner, currency and month")
    func jsonAndCSV() throws {
        let report = try fixture().report(from: KPIFixture.day(2027, 1, 1), to: KPIFixture.day(2027, 2, 28))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let partners = try #require(json["partners"] as? [[String: Any]])
        #expect(partners.map { $0["partner"] as? String } == [KPIFixture.partner, "idle-partner"])
        let kpis = try #require(partners[0]["kpis"] as? [[String: Any]])
        let eur = try #require(kpis.first { $0["currency"] as? String == "EUR" })
        #expect(eur["placed_amount"] as? String == "700.00")
        #expect(eur["recovered_amount"] as? String == "220.00")
        #expect(close(eur["recovery_rate"] as? Double, 220.0 / 700.0))
        #expect(eur["promise_kept_rate"] as? Double == 0.5)
        #expect((eur["recalled_by_reason"] as? [String: Int]) == ["paid_to_creditor": 1])
        let overall = try #require(json["overall"] as? [String: Any])
        let receivables = try #require(overall["receivables"] as? [[String: Any]])
        #expect(receivables.first { $0["currency"] as? String == "USD" }?["dso"] is NSNull)

        let lines = report.csv().split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        // acme: January EUR and USD, February EUR and USD; the same four for all partners ('*').
        #expect(lines.count == 1 + 4 + 4)
        let febEUR = try #require(lines.first { $0.hasPrefix("acme-collect,2027-02,EUR,") }).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        func cell(_ name: String) -> String? { header.firstIndex(of: name).map { febEUR[$0] } }
        #expect(cell("placed_amount") == "400.00" && cell("recovered_amount") == "180.00" && cell("recovery_rate") == "0.3750")
        #expect(cell("recalled_by_reason") == "paid_to_creditor=1")
        #expect(lines.contains { $0.hasPrefix("*,2027-01,USD,1,1,300.00,") })
    }
}
