/// Every action name arlink writes into the audit log, with what it means. The one list: the
/// report's legend is built from it, `docs/audit-log.md` lists exactly these, and a test
/// checks both against the names the code writes.
public enum AuditAction {
    public static let meanings: [String: String] = [
        "config.loaded": "a run started with this configuration (its SHA-256)",
        "batch.built": "an outbound portfolio was written (records and totals)",
        "batch.sealed": "the portfolio was signed and encrypted",
        "batch.delivered": "the sealed portfolio reached the partner (records)",
        "batch.delivery_failed": "delivering the sealed portfolio failed (error code); the next run delivers the same file",
        "batch.skipped": "nothing to place for the partner on that day",
        "extract.refused": "the ERP extract had no usable rows; nothing was planned or built",
        "recall.mass_refused": "a run would have recalled more accounts than the partner's limit; nothing was built",
        "recall.mass_allowed": "an operator allowed a mass recall with --allow-mass-recall",
        "envelope.legacy_key_transport": "a partner's file was opened with a weak key transport its configuration allows (legacy_key_transport; which one)",
        "file.received": "a feedback file came again: the bytes of an applied file (a replay), or of a quarantined one (processed afresh)",
        "file.applied": "a feedback file was opened, checked and applied (events, totals, signer)",
        "file.quarantined": "a feedback file was refused and kept in quarantine with its reason",
        "file.held": "a feedback file was held: an earlier sequence number is missing",
        "file.finished": "a feedback file's receipt was sent and the file moved out of the partner's outbox",
        "erp.exported": "ERP status updates were written to the import folder",
        "receipt.sealed": "a receipt for the partner was signed and encrypted",
        "receipt.delivered": "the receipt reached the partner",
        "promises.checked": "promises to pay were checked against payments",
        "keys.checked": "keys and certificates were checked",
        "state.initialized": "arlink init created the state database",
        "partner.failed": "one partner's part of an inbound run stopped (error code); the other partners went on",
        "run.failed": "a run stopped (error code)",
        "run.refused": "a run was refused because another run held the lock",
        "audit.recovered": "an operator let runs continue after the log stopped extending its newest checkpoint (the finding)",
        "audit.checkpoint_file_repaired": "a torn note was cut off the end of the checkpoint file",
        "audit.pruned": "the content of entries past retention was removed (every entry below below_leaf); their leaf hashes stay",
        "transfer.refused": "an outbound run was refused: a partner may not receive personal data (no transfer basis, or its agreement is not valid today)",
        "privacy.erasure_requested": "a debtor's erasure was recorded: the account is recalled from every partner and its personal data removed from our work files (the account's SHA-256, counts)",
    ]
}
