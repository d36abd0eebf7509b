public import ARLinkStore

/// What the audit log says about each outbound batch's personal data: the debtor fields its
/// file could carry (`batch.built`) and the transfer basis it was delivered on
/// (`batch.delivered`). Read from the entries' canonical bytes.
public struct BatchPrivacyFacts: Sendable, Hashable {
    /// `name+tax_id:last4+...` as recorded; empty when the entry predates the record.
    public var debtorFields = ""
    public var partnerCountry = ""
    public var transferBasis = ""
    public var agreementReference = ""
    public var agreementSHA256 = ""

    public init() {}

    /// The facts of every batch, by batch id.
    /// - Throws: ``AuditError`` `.malformed` for an entry that does not parse, `.storage`.
    public static func load(store: StateStore) throws -> [String: BatchPrivacyFacts] {
        let texts = try AuditProver.wrapStorage(store) {
            try store.read { db in try AuditRecords.entries(db, actions: ["batch.built", "batch.delivered"]) }
        }
        var out: [String: BatchPrivacyFacts] = [:]
        for text in texts where !AuditEntry.isPruned(text) {
            let entry = try AuditEntry(canonicalBytes: Array(text.utf8), source: "audit entry")
            guard let batch = entry.event.batchID else { continue }
            let detail = entry.event.detail
            var facts = out[batch] ?? BatchPrivacyFacts()
            if entry.event.action == "batch.built" {
                facts.debtorFields = detail["debtor_fields"] ?? facts.debtorFields
            } else {
                facts.partnerCountry = detail["partner_country"] ?? facts.partnerCountry
                facts.transferBasis = detail["transfer_basis"] ?? facts.transferBasis
                facts.agreementReference = detail["agreement_ref"] ?? facts.agreementReference
                facts.agreementSHA256 = detail["agreement_sha256"] ?? facts.agreementSHA256
            }
            out[batch] = facts
        }
        return out
    }
}
