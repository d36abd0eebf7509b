public import ARLinkStore
import Foundation

/// `arlink privacy report`: what left for each partner and country in a period, on which
/// basis, with which debtor fields, and what came back. Counts, ids and digests only.
public struct PrivacyReport: Sendable {
    /// Deliveries to one partner with the same country, basis, agreement and fields.
    public struct TransferLine: Sendable, Hashable {
        public var partner: String
        public var country: String
        public var basis: String
        public var agreementReference: String
        public var agreementSHA256: String
        /// `name+tax_id:last4+...`: the debtor fields the files could carry.
        public var debtorFields: String
        public var files = 0
        /// Distinct accounts whose data left (placed or updated).
        public var debtors = 0
        public var placed = 0
        public var updated = 0
        public var recalled = 0
    }

    /// Events that came back from one partner, per type.
    public struct ReturnLine: Sendable, Hashable {
        public var partner: String
        public var type: String
        public var accepted: Int
        public var rejected: Int
    }

    public var from: String
    public var to: String
    public var companyCountry: String
    public var transfers: [TransferLine]
    public var returned: [ReturnLine]

    /// Builds the report for the UTC days `from` to `to`, inclusive.
    /// - Parameter partnerCountries: the configured country of each partner, for batches
    ///   whose delivery entry does not name one.
    /// - Throws: ``AuditError`` `.malformed` for dates that are not `YYYY-MM-DD`.
    public static func build(store: StateStore, from: String, to: String, companyCountry: String,
                             partnerCountries: [String: String]) throws -> PrivacyReport {
        for (name, day) in [("--from", from), ("--to", to)] where !AuditReport.isDay(day) {
            throw AuditError(.malformed, "\(name) \"\(day.prefix(40))\" is not a date (expected YYYY-MM-DD)")
        }
        guard from <= to else { throw AuditError(.malformed, "--from \(from) is after --to \(to)") }
        let facts = try BatchPrivacyFacts.load(store: store)
        let (records, returns) = try AuditProver.wrapStorage(store) {
            try store.read { db in
                (try PrivacyLedger.deliveredTransfers(db, until: to + "T99"),
                 try PrivacyLedger.returnedCounts(db, from: from, until: to + "T99"))
            }
        }
        var lines: [String: TransferLine] = [:]
        var debtors: [String: Set<String>] = [:]
        var files: [String: Set<String>] = [:]
        for record in records where (record.deliveredAt ?? "") >= from {
            let f = facts[record.batchID] ?? BatchPrivacyFacts()
            let country = f.partnerCountry.isEmpty ? partnerCountries[record.partner] ?? "" : f.partnerCountry
            let basis = f.transferBasis.isEmpty ? "unrecorded" : f.transferBasis
            let key = [record.partner, country, basis, f.agreementSHA256, f.debtorFields].joined(separator: "\u{1f}")
            var line = lines[key] ?? TransferLine(partner: record.partner, country: country, basis: basis, agreementReference: f.agreementReference,
                                                  agreementSHA256: f.agreementSHA256, debtorFields: f.debtorFields)
            switch record.action {
            case "place": line.placed += 1
            case "update": line.updated += 1
            default: line.recalled += 1
            }
            if record.action != "recall" { debtors[key, default: []].insert(record.accountRef) }
            files[key, default: []].insert(record.batchID)
            lines[key] = line
        }
        var transfers: [TransferLine] = []
        for (key, var line) in lines {
            line.debtors = debtors[key]?.count ?? 0
            line.files = files[key]?.count ?? 0
            transfers.append(line)
        }
        transfers.sort { ($0.partner, $0.country, $0.basis, $0.debtorFields) < ($1.partner, $1.country, $1.basis, $1.debtorFields) }
        return PrivacyReport(from: from, to: to, companyCountry: companyCountry, transfers: transfers,
                             returned: returns.map { ReturnLine(partner: $0.partner, type: $0.type, accepted: $0.accepted, rejected: $0.rejected) })
    }

    static let csvHeader = ["section", "partner", "country", "transfer_basis", "agreement_ref", "agreement_sha256", "debtor_fields",
                            "files", "debtors", "placed", "updated", "recalled", "event_type", "accepted", "rejected"]

    /// CSV (RFC 4180): one `transfer` line per partner, country, basis and field list, then
    /// one `returned` line per partner and event type.
    public func csv() -> String {
        var out = [Self.csvHeader.joined(separator: ",")]
        for t in transfers {
            out.append((["transfer", t.partner, t.country, t.basis, t.agreementReference, t.agreementSHA256, t.debtorFields, String(t.files),
                         String(t.debtors), String(t.placed), String(t.updated), String(t.recalled), "", "", ""]).map(AuditReport.csvField).joined(separator: ","))
        }
        for r in returned {
            out.append((["returned", r.partner, "", "", "", "", "", "", "", "", "", "", r.type, String(r.accepted), String(r.rejected)])
                .map(AuditReport.csvField).joined(separator: ","))
        }
        return out.joined(separator: "\r\n") + "\r\n"
    }

    /// JSON with sorted keys.
    public func json() throws -> String {
        let object: [String: Any] = [
            "from": from, "to": to, "company_country": companyCountry,
            "transfers": transfers.map { t -> [String: Any] in
                ["partner": t.partner, "country": t.country, "transfer_basis": t.basis, "agreement_ref": t.agreementReference,
                 "agreement_sha256": t.agreementSHA256, "debtor_fields": t.debtorFields.split(separator: "+").map(String.init),
                 "files": t.files, "debtors": t.debtors, "placed": t.placed, "updated": t.updated, "recalled": t.recalled]
            },
            "returned": returned.map { ["partner": $0.partner, "event_type": $0.type, "accepted": $0.accepted, "rejected": $0.rejected] },
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A self-contained HTML page (no scripts, no external files).
    public func html() -> String {
        let e = AuditReport.escape
        var page = """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>arlink privacy report \(e(from)) to \(e(to))</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px;text-align:left}</style></head><body>
            <h1>Personal data sent and received, \(e(from)) to \(e(to))</h1>
            <p>Our country: \(e(companyCountry)). Counts and references only; no personal data.</p>
            <h2>Sent</h2><table><tr><th>partner</th><th>country</th><th>transfer basis</th><th>agreement</th><th>agreement SHA-256</th><th>debtor fields</th><th>files</th><th>debtors</th><th>placed</th><th>updated</th><th>recalled</th></tr>

            """
        for t in transfers {
            page += "<tr><td>\(e(t.partner))</td><td>\(e(t.country))</td><td>\(e(t.basis))</td><td>\(e(t.agreementReference))</td><td><code>\(e(t.agreementSHA256))</code></td><td>\(e(t.debtorFields.replacingOccurrences(of: "+", with: ", ")))</td><td>\(t.files)</td><td>\(t.debtors)</td><td>\(t.placed)</td><td>\(t.updated)</td><td>\(t.recalled)</td></tr>\n"
        }
        page += "</table>\n<h2>Received</h2><table><tr><th>partner</th><th>event type</th><th>accepted</th><th>rejected</th></tr>\n"
        for r in returned {
            page += "<tr><td>\(e(r.partner))</td><td>\(e(r.type))</td><td>\(r.accepted)</td><td>\(r.rejected)</td></tr>\n"
        }
        return page + "</table></body></html>\n"
    }
}
