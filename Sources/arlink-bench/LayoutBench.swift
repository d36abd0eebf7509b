import ARLinkCore
import ARLinkLayouts
import ArgumentParser
import Foundation

/// `arlink-bench layouts`: renders a synthetic portfolio through the Latitude AIM layout
/// (fixed width and pipe) and reads it back; prints min and median of the runs.
struct LayoutBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layouts",
        abstract: "Render and read throughput of the Latitude AIM layout (min and median).")

    @Option(help: "Accounts placed (one CACT and two CMIS records each).")
    var accounts = 50_000

    @Option(help: "Runs of each measurement, alternating fixed width and pipe.")
    var runs = 5

    func run() throws {
        let usd = try Currency("USD")
        var numbers = FileNumberTable()
        var records: [PortfolioRecord] = []
        for i in 0..<accounts {
            let ref = "ACC-\(i)"
            _ = numbers.assign(ref)
            records.append(PortfolioRecord(
                action: .place, accountRef: ref, debtor: DebtorData(fields: [.name: "Debtor \(i) GmbH", .city: "Berlin"]), invoices: [],
                balances: [Money(minorUnits: Int64(1000 + i % 900_000), currency: usd)], aging: [], oldestDueDate: LocalDate(iso: "2025-03-01"),
                daysPastDue: 90))
        }
        let day = LocalDate(iso: "2025-12-01")!
        let context = LayoutFileContext(agencyID: "BENCH", agencyName: "Bench", createdOn: day, asOf: day)
        var times: [String: [Double]] = [:]
        var sizes: [String: Int] = [:]
        for _ in 0..<runs {
            for name in ["latitude-aim", "latitude-aim-pipe"] {
                let layout = try BuiltinLayouts.layout(named: name, direction: .portfolio)!
                var start = Date()
                let bytes = try PortfolioLayout(layout: layout).render(records, fileNumbers: numbers, context: context)
                times[name + " render", default: []].append(Date().timeIntervalSince(start))
                sizes[name] = bytes.count
                start = Date()
                let file = try LayoutReader(layout: layout).read(bytes, name: "bench")
                let back = try PortfolioLayout(layout: layout).read(file)
                times[name + " read", default: []].append(Date().timeIntervalSince(start))
                guard back.count == records.count else { throw ValidationError("read \(back.count) records, wrote \(records.count)") }
            }
        }
        print("\(accounts) accounts, \(runs) runs each, alternating fixed width and pipe")
        for key in times.keys.sorted() {
            let t = times[key]!.sorted()
            let mb = Double(sizes[key.components(separatedBy: " ")[0]] ?? 0) / 1e6
            print(String(format: "%-28@ min %.3f s  median %.3f s  (%.1f MB, %.0f MB/s at the median)", key as NSString, t[0], t[t.count / 2], mb, mb / t[t.count / 2]))
        }
    }
}
