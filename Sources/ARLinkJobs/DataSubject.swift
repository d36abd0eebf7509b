import ARLinkSystem
public import ARLinkConfig
import ARLinkCore
public import ARLinkStore
import ARLinkAudit
import Foundation

/// `arlink privacy subject`: everything arlink holds and has sent about one debtor, for a
/// data-subject access request, and (`--erase`) the erasure of what the law lets us erase.
///
/// Field names, dates, ids and file paths only: the values themselves stay where they are
/// (the ERP is the controller's record of them).
public struct DataSubject {
    public let config: ArlinkConfiguration
    public let accountRef: String

    public init(config: ArlinkConfiguration, accountRef: String) throws {
        let ok = (1...200).contains(accountRef.utf8.count) && accountRef.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        guard ok else {
            throw JobError(.missingInput, "--account: an account reference is 1-200 printable ASCII characters without spaces or quotes")
        }
        self.config = config
        self.accountRef = accountRef
    }

    /// What arlink holds and has sent about the account, as JSON with sorted keys.
    public func report(store: StateStore) throws -> [String: Any] {
        let facts = try BatchPrivacyFacts.load(store: store)
        let (erasure, placements, transfers, returned) = try store.read { db in
            (try PrivacyLedger.erasureRequested(db, accountRef: accountRef), try PrivacyLedger.placements(db, accountRef: accountRef),
             try PrivacyLedger.transfers(db, accountRef: accountRef), try PrivacyLedger.returnedEvents(db, accountRef: accountRef))
        }
        let countries = Dictionary(config.partners.map { ($0.id.rawValue, $0.privacy.country) }, uniquingKeysWith: { a, _ in a })
        let findings = try ERPUpdateFileScrubber(folder: config.erp.updatesFolder, accountRef: accountRef).scan()
        var sealed: [String] = []
        for t in transfers where t.action != "recall" {
            if let path = t.sealedPath, FileManager.default.fileExists(atPath: path), !sealed.contains(path) { sealed.append(path) }
        }
        return [
            "account_ref": accountRef,
            "erasure_requested_at": erasure ?? NSNull(),
            "placements": placements.map { ["partner": $0.partner, "status": $0.status, "recall_reason": $0.recallReason ?? NSNull()] as [String: Any] },
            "sent": transfers.map { t -> [String: Any] in
                let f = facts[t.batchID] ?? BatchPrivacyFacts()
                return ["partner": t.partner, "country": f.partnerCountry.isEmpty ? countries[t.partner] ?? "" : f.partnerCountry,
                        "action": t.action, "recall_reason": t.recallReason ?? NSNull(), "batch_id": t.batchID, "as_of": t.asOf,
                        "delivered_at": t.deliveredAt ?? NSNull(), "file_name": t.fileName,
                        "debtor_fields": t.action == "recall" ? [] : f.debtorFields.split(separator: "+").map(String.init),
                        "transfer_basis": f.transferBasis.isEmpty ? "unrecorded" : f.transferBasis,
                        "agreement_sha256": f.agreementSHA256]
            },
            "received": returned.map { e -> [String: Any] in
                ["partner": e.partner, "event_type": e.type, "event_id": e.eventID, "date": e.date ?? NSNull(), "state": e.state ?? NSNull()]
            },
            "erp_update_files": findings.map {
                ["path": $0.path, "lines": $0.lines, "personal_fields": $0.personalFields, "event_types": $0.eventTypes] as [String: Any]
            },
            "sealed_copies_kept": sealed,
            "erp_sources": [config.erp.openItemsPath, config.erp.customersPath, config.erp.paymentsPath].compactMap { $0 },
        ]
    }

    /// What `--erase` did.
    public struct Erasure: Sendable {
        /// False when erasure had been requested before (the files are scrubbed again).
        public var newlyRequested: Bool
        /// Partners that hold the account and get a recall with reason `erasure_request` in their next portfolio.
        public var partnersToRecall: [String]
        public var filesScrubbed: [String]
        public var ledgerRowsRemoved: Int
        /// Sealed (encrypted) copies kept as evidence of what was sent.
        public var sealedCopiesKept: [String]
    }

    /// Records the erasure request (every later outbound run recalls the account from each
    /// partner holding it, reason `erasure_request`, and never places it again), blanks the
    /// debtor's personal values in the ERP update files and removes exported v1 update rows,
    /// and writes a `privacy.erasure_requested` audit entry (the account's SHA-256, counts).
    public func erase(context: RunContext) throws -> Erasure {
        let store = context.store
        let (placements, transfers) = try store.read { db in
            (try PrivacyLedger.placements(db, accountRef: accountRef), try PrivacyLedger.transfers(db, accountRef: accountRef))
        }
        let scrubbed = try ERPUpdateFileScrubber(folder: config.erp.updatesFolder, accountRef: accountRef).scrub()
        var sealed: [String] = []
        for t in transfers where t.action != "recall" {
            if let path = t.sealedPath, FileManager.default.fileExists(atPath: path), !sealed.contains(path) { sealed.append(path) }
        }
        let active = placements.filter { $0.status == "active" }.map(\.partner)
        let time = Timestamp.iso8601(context.now())
        let accountSHA = SHA256.hex(SHA256.hash(Array(accountRef.utf8)))
        let (fresh, removed) = try store.write { db in
            let fresh = try PrivacyLedger.recordErasure(db, accountRef: accountRef, at: time)
            let removed = try PrivacyLedger.removeExportedUpdateRows(db, accountRef: accountRef)
            try context.audit.append([AuditEvent(
                action: "privacy.erasure_requested", outcome: fresh ? "ok" : "repeated",
                detail: ["account_sha256": accountSHA, "partners_to_recall": String(active.count), "files_scrubbed": String(scrubbed.count),
                         "sealed_copies_kept": String(sealed.count), "ledger_rows_removed": String(removed)])], in: db)
            return (fresh, removed)
        }
        _ = try context.audit.checkpoint()
        return Erasure(newlyRequested: fresh, partnersToRecall: active, filesScrubbed: scrubbed, ledgerRowsRemoved: removed, sealedCopiesKept: sealed)
    }
}
