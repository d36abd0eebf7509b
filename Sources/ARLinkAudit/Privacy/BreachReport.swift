public import ARLinkStore
import Foundation

/// `arlink privacy breach`: the accounts whose data a partner held or received in a window,
/// the list a controller needs for its notification (UU PDP Art. 46: within 3 × 24 hours).
///
/// An account is exposed to a partner when the partner held its data when the window opened
/// (placed or updated, not recalled, by deliveries before it) or received it during the window.
/// Account references, dates, fields and bases only; no personal data.
public struct BreachReport: Sendable {
    public struct Exposure: Sendable, Hashable {
        public var partner: String
        public var country: String
        public var accountRef: String
        /// When the account's data last reached the partner at or before the window's end.
        public var lastSentAt: String
        /// Sent during the window (else held from before it).
        public var sentInWindow: Bool
        public var debtorFields: String
        public var basis: String
    }

    public var from: String
    public var to: String
    public var exposures: [Exposure]

    /// A window bound: `YYYY-MM-DDTHH:MM:SSZ`, or a day (`YYYY-MM-DD`: its start for `--from`, its end for `--to`).
    public static func bound(_ text: String, end: Bool, name: String) throws -> String {
        if AuditReport.isDay(text) { return text + (end ? "T23:59:59Z" : "T00:00:00Z") }
        let ok = text.utf8.count == 20 && AuditReport.isDay(String(text.prefix(10))) && Array(text.utf8)[10] == UInt8(ascii: "T")
            && text.hasSuffix("Z") && ISO8601DateFormatter().date(from: text) != nil
        guard ok else {
            throw AuditError(.malformed, "\(name) \"\(text.prefix(40))\" is not a UTC timestamp (expected YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD)")
        }
        return text
    }

    /// Builds the list for the window `from` to `to` (inclusive), for one partner or all.
    public static func build(store: StateStore, from: String, to: String, partner: String?,
                             partnerCountries: [String: String]) throws -> BreachReport {
        let start = try bound(from, end: false, name: "--from")
        let end = try bound(to, end: true, name: "--to")
        guard start <= end else { throw AuditError(.malformed, "--from \(from) is after --to \(to)") }
        let facts = try BatchPrivacyFacts.load(store: store)
        let records = try AuditProver.wrapStorage(store) {
            try store.read { db in try PrivacyLedger.deliveredTransfers(db, until: end, partner: partner) }
        }
        struct State { var held = false; var heldAtStart = false; var inWindow = false; var last: TransferRecord? }
        var states: [String: State] = [:]
        var order: [String] = []
        for record in records {
            let key = record.partner + "\u{1f}" + record.accountRef
            if states[key] == nil { order.append(key) }
            var state = states[key] ?? State()
            let at = record.deliveredAt ?? ""
            if at < start {
                state.held = record.action != "recall"
                state.heldAtStart = state.held
            } else {
                state.held = record.action != "recall"
                if state.held { state.inWindow = true }
            }
            if record.action != "recall" { state.last = record }
            states[key] = state
        }
        var exposures: [Exposure] = []
        for key in order {
            guard let state = states[key], state.heldAtStart || state.inWindow, let last = state.last else { continue }
            let f = facts[last.batchID] ?? BatchPrivacyFacts()
            exposures.append(Exposure(
                partner: last.partner, country: f.partnerCountry.isEmpty ? partnerCountries[last.partner] ?? "" : f.partnerCountry,
                accountRef: last.accountRef, lastSentAt: last.deliveredAt ?? "", sentInWindow: state.inWindow,
                debtorFields: f.debtorFields, basis: f.transferBasis.isEmpty ? "unrecorded" : f.transferBasis))
        }
        exposures.sort { ($0.partner, $0.accountRef) < ($1.partner, $1.accountRef) }
        return BreachReport(from: start, to: end, exposures: exposures)
    }

    static let csvHeader = ["partner", "country", "account_ref", "last_sent_at", "sent_in_window", "debtor_fields", "transfer_basis"]

    /// CSV (RFC 4180): one line per partner and exposed account.
    public func csv() -> String {
        var out = [Self.csvHeader.joined(separator: ",")]
        for x in exposures {
            out.append([x.partner, x.country, x.accountRef, x.lastSentAt, x.sentInWindow ? "yes" : "no", x.debtorFields, x.basis]
                .map(AuditReport.csvField).joined(separator: ","))
        }
        return out.joined(separator: "\r\n") + "\r\n"
    }

    /// JSON with sorted keys: the window, counts per partner, and the exposures.
    public func json() throws -> String {
        var perPartner: [String: Int] = [:]
        for x in exposures { perPartner[x.partner, default: 0] += 1 }
        let object: [String: Any] = [
            "from": from, "to": to, "accounts_per_partner": perPartner,
            "exposures": exposures.map {
                ["partner": $0.partner, "country": $0.country, "account_ref": $0.accountRef, "last_sent_at": $0.lastSentAt,
                 "sent_in_window": $0.sentInWindow, "debtor_fields": $0.debtorFields.split(separator: "+").map(String.init),
                 "transfer_basis": $0.basis] as [String: Any]
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
