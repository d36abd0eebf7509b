import ARLinkCore
import ARLinkLayouts
import ARLinkTestSupport
import Foundation

/// The committed fixtures and the records the AIM golden files hold.
enum LayoutFixtures {
    static let folder = RepositoryPaths.root + "/Tests/ARLinkLayoutsTests/Fixtures"

    static func bytes(_ name: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: folder + "/" + name) else {
            throw CocoaError(.fileReadNoSuchFile)
        }
        return [UInt8](data)
    }

    static func aim(_ direction: LayoutDirection, pipe: Bool) throws -> Layout {
        try BuiltinLayouts.layout(named: pipe ? "latitude-aim-pipe" : "latitude-aim", direction: direction)!
    }

    static func usd(_ text: String) -> Money { try! Money(decimal: text, currency: try! Currency("USD")) }
    static func date(_ iso: String) -> LocalDate { LocalDate(iso: iso)! }

    /// The file numbers the golden files use.
    static let fileNumbers = FileNumberTable([("A-1001", 1), ("A-1002", 2), ("A-0800", 5), ("A-0900", 7)])

    static let context = LayoutFileContext(agencyID: "ACME01", agencyName: "Acme Manufacturing", createdOn: date("2025-12-01"), asOf: date("2025-12-01"))

    /// The portfolio the golden portfolio files hold.
    static var portfolio: [PortfolioRecord] {
        [
            PortfolioRecord(
                action: .place, accountRef: "A-1001", debtor: DebtorData(fields: [.name: "Müller Maschinenbau GmbH", .city: "Berlin"]),
                invoices: [], balances: [usd("1250.50")], aging: [], oldestDueDate: date("2025-03-01"), daysPastDue: 0,
                lastPaymentDate: date("2025-09-15")),
            PortfolioRecord(
                action: .place, accountRef: "A-1002", debtor: nil, invoices: [], balances: [usd("99.99")], aging: [],
                oldestDueDate: date("2025-06-10"), daysPastDue: 0),
            PortfolioRecord(action: .update, accountRef: "A-0900", debtor: nil, invoices: [], balances: [usd("350.00")], aging: [], oldestDueDate: nil, daysPastDue: 0),
            PortfolioRecord(
                action: .recall, accountRef: "A-0800", debtor: nil, invoices: [], balances: [], aging: [], oldestDueDate: nil, daysPastDue: 0,
                recallReason: .paidToCreditor),
        ]
    }

    static let previousBalances = ["A-0900": usd("500.00")]
}

extension ParsedRecord {
    /// The record as one to write again (for byte-for-byte checks of the writer).
    var asOut: OutRecord { OutRecord(type: type, values: values, context: "line \(line)") }
}
