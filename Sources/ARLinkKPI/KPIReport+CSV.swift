import ARLinkCore
import Foundation

extension KPIReport {
    /// One row per partner, currency and month (`partner` `*` for all partners together), the
    /// columns of ``CurrencyKPIs/fields`` after `partner,month,currency`. Counts by reason are
    /// `reason=n` joined by `;`.
    public func csv() -> String {
        var lines = [(["partner", "month", "currency"] + CurrencyKPIs.fields.map(\.name)).joined(separator: ",")]
        func rows(_ partner: String, _ months: [MonthKPIs]) {
            for month in months {
                for k in month.kpis {
                    let cells = [partner, month.month, k.currency.code] + CurrencyKPIs.fields.map { $0.value(k).text }
                    lines.append(cells.map(Self.csvField).joined(separator: ","))
                }
            }
        }
        for p in partners { rows(p.partner, p.months) }
        rows("*", overall.months)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Quotes a field holding a comma, quote or line break (RFC 4180).
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
