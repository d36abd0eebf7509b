public import ARLinkCore

/// One finding of ``LayoutLint``.
public struct LayoutFinding: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        /// The layout must be fixed before a partner uses it (exit 78).
        case error
        /// Worth a look; the layout works.
        case warning
    }

    public var severity: Severity
    public var message: String

    public init(_ severity: Severity, _ message: String) {
        self.severity = severity
        self.message = message
    }

    public var description: String { "\(severity.rawValue): \(message)" }
}

/// The semantic rules a layout file must follow beyond what loading it checks (unique names,
/// overlaps, fields inside their record, trailer references): every position of a fixed-width
/// record covered by a field, a trailer that counts, `domain` names and code maps arlink knows,
/// records of one direction.
public enum LayoutLint {
    /// Domain names by where they may appear (docs/layouts.md, "Domain names").
    static let both: Set<String> = ["file_number", "account_ref", "occurred_on"]
    static let outbound: Set<String> = [
        "balance", "oldest_due_date", "last_payment_date", "placed_on", "days_past_due", "recall_reason", "debtor_field_name",
        "debtor_field_value", "balance_change", "balance_change_direction", "record_id",
    ]
    static let inbound: Set<String> = [
        "amount", "payment_id", "comment", "event_id", "status", "note_code", "note_text", "promised_date", "instalments", "dispute_reason",
        "invoice_number", "original_balance", "current_balance", "last_payment_date", "last_payment_amount", "objection_reason", "risk_score",
        "risk_segment", "contact.street", "contact.postal_code", "contact.city", "contact.country", "contact.phone", "contact.email",
    ]
    static let fileLevel: Set<String> = ["agency_id", "agency_name", "created_on", "as_of"]

    static let outboundKinds: Set<DomainKind> = [.placement, .update, .recall, .pendingRecall, .debtorField]

    /// Meanings a code field of a domain may map to.
    static let codeMeanings: [String: Set<String>] = [
        "status": Set(PartnerStatus.allCases.map(\.rawValue)),
        "recall_reason": Set(RecallReason.allCases.map(\.rawValue)),
        "balance_change_direction": ["decrease", "increase"],
        "note_code": Set(["promise", "dispute"] + PartnerStatus.allCases.map { "status:" + $0.rawValue }),
    ]

    /// The direction a layout's detail records belong to, nil when they mix or say nothing.
    public static func direction(of layout: Layout) -> LayoutDirection? {
        let kinds = layout.records.compactMap(\.mapsTo).filter { $0 != .ignore && $0 != .note }
        if !kinds.isEmpty && kinds.allSatisfy(outboundKinds.contains) { return .portfolio }
        if !kinds.isEmpty && kinds.allSatisfy({ !outboundKinds.contains($0) }) { return .feedback }
        if kinds.isEmpty && layout.records.contains(where: { $0.mapsTo == .note }) { return .feedback }
        return nil
    }

    /// Every finding for `layout`, errors first, in record and field order.
    /// - Parameter direction: the direction the layout is meant for; inferred when nil.
    public static func findings(_ layout: Layout, direction: LayoutDirection? = nil) -> [LayoutFinding] {
        var out: [LayoutFinding] = []
        let inferred = direction ?? Self.direction(of: layout)
        if inferred == nil {
            out.append(.init(.error, "the detail records mix portfolio records (placement, update, recall, pending_recall, debtor_field) with feedback records; a layout describes one direction (write one file per direction)"))
        }
        for r in layout.records {
            let record = "record \(r.name)"
            if let kind = r.mapsTo, let inferred, kind != .ignore {
                let outboundKind = outboundKinds.contains(kind)
                if outboundKind != (inferred == .portfolio) {
                    out.append(.init(.error, "\(record) maps to \(kind.rawValue), which is not a \(inferred.rawValue) record"))
                }
            }
            // Fixed width: every position covered (a gap is a field nobody declared).
            if layout.format == .fixedWidth, let length = r.length {
                var covered = [Bool](repeating: false, count: length + 2)
                for f in r.fields { if let s = f.start { for p in s..<min(s + f.length, length + 1) where p >= 1 { covered[p] = true } } }
                var p = 1
                while p <= length {
                    if covered[p] { p += 1; continue }
                    var end = p
                    while end < length && !covered[end + 1] { end += 1 }
                    out.append(.init(.error, "\(record): \(p == end ? "position \(p) is" : "positions \(p)-\(end) are") covered by no field (declare a filler there, or correct the neighbouring fields)"))
                    p = end + 1
                }
            }
            // Domain names.
            let allowed: Set<String>
            switch r.role {
            case .header, .trailer: allowed = fileLevel
            case .detail:
                switch inferred {
                case .portfolio?: allowed = both.union(outbound)
                case .feedback?: allowed = both.union(inbound)
                case nil: allowed = both.union(outbound).union(inbound)
                }
            }
            for f in r.fields {
                guard let domain = f.domain else { continue }
                guard allowed.contains(domain) else {
                    out.append(.init(.error, "\(record) field \(f.name): domain \"\(domain.prefix(40))\" is not an arlink value for \(r.role == .detail ? "a \(inferred?.rawValue ?? "detail") record" : "a \(r.role.rawValue)") (expected one of \(allowed.sorted().joined(separator: ", ")))"))
                    continue
                }
                if let meanings = codeMeanings[domain] {
                    guard case .code(let map, _, _) = f.type else {
                        if domain != "note_code" {
                            out.append(.init(.error, "\(record) field \(f.name): domain \(domain) needs a code field (type: code, with codes mapping to \(meanings.sorted().joined(separator: ", ")))"))
                        }
                        continue
                    }
                    for (code, meaning) in map.sorted(by: { $0.key < $1.key }) where !meanings.contains(meaning) {
                        out.append(.init(.error, "\(record) field \(f.name): code \"\(code.prefix(20))\" maps to \"\(meaning.prefix(40))\", which is not a \(domain) (expected one of \(meanings.sorted().joined(separator: ", ")))"))
                    }
                }
            }
            // A detail record must say which account it is about.
            if r.role == .detail, let kind = r.mapsTo, kind != .ignore, r.field(domain: "file_number") == nil, r.field(domain: "account_ref") == nil {
                out.append(.init(.error, "\(record) has no field with domain file_number or account_ref (arlink cannot tell which account it is about)"))
            }
        }
        // Trailer checks.
        if let trailer = layout.trailer {
            if !trailer.fields.contains(where: { if case .count? = $0.check { true } else { false } }) {
                out.append(.init(.error, "trailer \(trailer.name) has no field with check: {count: []} (a truncated file would not be noticed)"))
            }
            let amounts = layout.records.filter { $0.role == .detail }.flatMap { r in r.fields.filter { if case .decimal = $0.type { $0.domain != nil } else { false } } }
            if !amounts.isEmpty && !trailer.fields.contains(where: { if case .sum? = $0.check { true } else { false } }) {
                out.append(.init(.warning, "trailer \(trailer.name) sums no amount field (check: {sum: [RECORD.field]}); only the record count guards the amounts"))
            }
        } else {
            out.append(.init(.warning, "the layout has no trailer record: a truncated data file is caught only by the signed manifest's size and digest"))
        }
        return out.filter { $0.severity == .error } + out.filter { $0.severity == .warning }
    }
}
