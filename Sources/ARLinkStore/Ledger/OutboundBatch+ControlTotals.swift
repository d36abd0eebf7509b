public import ARLinkCore
import Foundation

/// The batch's control totals as the ledger keeps them: two small JSON texts,
/// `{"place":12,"recall":1}` and `{"EUR":"1234.50"}`, written and read only here.
extension OutboundBatch {
    /// Record counts per action, as stored in ``recordCountsJSON``.
    public static func countsJSON(_ counts: [String: Int]) -> String {
        "{" + counts.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }

    /// Totals per currency, as stored in ``totalsJSON``.
    public static func totalsJSON(_ totals: [Currency: Money]) -> String {
        "{" + totals.sorted { $0.key < $1.key }.map { "\"\($0.key.code)\":\"\($0.value.decimalString)\"" }.joined(separator: ",") + "}"
    }

    /// Record counts per action (empty when the stored text is unreadable).
    public var recordCounts: [String: Int] {
        guard let data = recordCountsJSON.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Int] else { return [:] }
        return object
    }

    /// Totals per currency (currencies or amounts that do not parse are left out).
    public var totals: [Currency: Money] {
        guard let data = totalsJSON.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: String] else { return [:] }
        var out: [Currency: Money] = [:]
        for (code, amount) in object {
            if let currency = try? Currency(code), let money = try? Money(decimal: amount, currency: currency) { out[currency] = money }
        }
        return out
    }
}
