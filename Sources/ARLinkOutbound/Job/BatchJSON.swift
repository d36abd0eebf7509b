import ARLinkCore
import Foundation

/// The small JSON texts the ledger keeps for a batch's counts and totals.
enum BatchJSON {
    static func encode(counts: [String: Int]) -> String {
        "{" + counts.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }

    static func encode(totals: [Currency: Money]) -> String {
        "{" + totals.sorted { $0.key < $1.key }.map { "\"\($0.key.code)\":\"\($0.value.decimalString)\"" }.joined(separator: ",") + "}"
    }

    static func totalsMap(_ totals: [Currency: Money]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: totals.map { ($0.key.code, $0.value.decimalString) })
    }

    static func counts(_ json: String) -> [String: Int] {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Int] else { return [:] }
        return object
    }

    static func totals(_ json: String) -> [Currency: Money] {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: String] else { return [:] }
        var out: [Currency: Money] = [:]
        for (code, amount) in object {
            if let c = try? Currency(code), let m = try? Money(decimal: amount, currency: c) { out[c] = m }
        }
        return out
    }
}
