import ARLinkConfig
import ARLinkCore
import ARLinkFormats

/// The configuration as arlink understands it after loading: every default filled in, every
/// path absolute, as YAML. Holds no secret: the configuration never does (passphrases are
/// named by their file or environment variable, and inline secrets are refused at load).
enum EffectiveConfiguration {
    static func render(_ config: ArlinkConfiguration) -> String {
        var out = YAMLLines()
        out.add(0, "version", ArlinkConfiguration.supportedVersions.last ?? 1)
        out.section(0, "company")
        out.add(1, "id", config.company.id.rawValue)
        out.add(1, "name", config.company.name)
        out.add(1, "country", config.company.country)
        for (key, pair) in [("signing", config.company.signing), ("encryption", config.company.encryption), ("archive", config.company.archive)] {
            out.section(1, key)
            out.add(2, "certificate", pair.certificatePath)
            out.add(2, "key", pair.keyPath)
            out.passphrase(2, pair.passphrase)
        }
        out.section(0, "state")
        out.add(1, "database", config.state.databasePath)
        out.add(1, "work_dir", config.state.workDirectory)
        out.add(1, "create", config.state.create)
        out.section(0, "audit")
        out.add(1, "key", config.audit.keyPath)
        out.add(1, "public_key", config.audit.publicKeyPath)
        out.passphrase(1, config.audit.passphrase)
        out.add(1, "checkpoint_file", config.audit.checkpointFile)
        out.add(1, "origin", config.audit.origin)
        out.add(1, "checkpoint_every", config.audit.checkpointEvery)
        out.add(1, "retention_days", config.audit.retentionDays)
        erp(config.erp, &out)
        out.section(0, "partners")
        for partner in config.partners { self.partner(partner, &out) }
        return out.text
    }

    private static func erp(_ erp: ERPSettings, _ out: inout YAMLLines) {
        out.section(0, "erp")
        out.add(1, "preset", erp.preset)
        out.add(1, "open_items", erp.openItemsPath)
        out.add(1, "customers", erp.customersPath)
        out.add(1, "payments", erp.paymentsPath)
        if !erp.columns.isEmpty {
            out.section(1, "columns")
            for (file, columns) in erp.columns.sorted(by: { $0.key < $1.key }) {
                out.section(2, file)
                for (name, header) in columns.sorted(by: { $0.key < $1.key }) { out.add(3, name, header) }
            }
        }
        out.add(1, "delimiter", String(decoding: [erp.delimiter], as: UTF8.self))
        out.add(1, "number_format", erp.numberFormat.rawValue)
        out.add(1, "date_format", erp.dateFormat.rawValue)
        out.add(1, "default_currency", erp.defaultCurrency?.code)
        out.add(1, "max_bad_rows", erp.maxBadRows)
        out.section(1, "updates")
        out.add(2, "folder", erp.updatesFolder)
        out.list(2, "formats", erp.updateFormats)
    }

    private static func partner(_ p: PartnerSettings, _ out: inout YAMLLines) {
        out.item(1, "id", p.id.rawValue)
        out.add(2, "name", p.name)
        out.add(2, "country", p.privacy.country)
        out.add(2, "transfer_basis", p.privacy.transferBasis?.rawValue)
        if let agreement = p.privacy.agreement {
            out.section(2, "agreement")
            out.add(3, "reference", agreement.reference)
            out.add(3, "sha256", agreement.sha256)
            out.add(3, "document", agreement.documentPath)
            out.add(3, "valid_from", agreement.validFrom.iso)
            out.add(3, "valid_until", agreement.validUntil.iso)
        }
        if let dpia = p.privacy.dpia {
            out.section(2, "dpia")
            out.add(3, "id", dpia.id)
            out.add(3, "date", dpia.date.iso)
        }
        out.add(2, "trust", p.trust)
        out.section(2, "certificates")
        out.list(3, "signing", p.signingCertificates)
        out.add(3, "ca", p.caCertificate)
        out.add(3, "encryption", p.encryptionCertificate)
        out.add(3, "crl", p.crlFile)
        out.add(3, "crl_expired", p.crlExpired)
        out.add(2, "allow_cbc", p.allowCBC)
        out.list(2, "legacy_key_transport", p.legacyKeyTransport)
        transport(p.transport, &out)
        out.add(2, "portfolio_format", p.portfolioFormat)
        let s = p.selection
        out.section(2, "selection")
        out.add(3, "min_days_past_due", s.minDaysPastDue)
        if !s.minBalance.isEmpty {
            out.section(3, "min_balance")
            for (currency, money) in s.minBalance.sorted(by: { $0.key.code < $1.key.code }) { out.add(4, currency.code, money.decimalString) }
        }
        out.add(3, "exclude_disputed", s.excludeDisputed)
        out.add(3, "exclude_blocked", s.excludeBlocked)
        out.add(3, "exclude_open_promise", s.excludeOpenPromise)
        out.add(3, "exclude_placed_elsewhere", s.excludePlacedElsewhere)
        out.list(3, "exclude_groups", s.excludedGroups.sorted())
        out.list(3, "segments", s.includedGroups.sorted())
        out.add(3, "max_accounts_per_batch", s.maxAccountsPerBatch)
        out.list(3, "priority", s.priority.map(\.rawValue))
        out.list(3, "aging_buckets", numbers: s.agingBuckets.upperBounds)
        out.list(2, "debtor_fields", p.minimisation.allowed.map(\.rawValue).sorted())
        if !p.minimisation.masks.isEmpty {
            out.section(2, "masking")
            for (field, mask) in p.minimisation.masks.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                if case .lastCharacters(let n) = mask { out.add(3, field.rawValue, "last\(n)") }
            }
        }
        out.add(2, "feedback_name_pattern", p.feedbackNamePattern)
        out.add(2, "promise_horizon_days", p.promiseHorizonDays)
        out.add(2, "payment_date_margin_days", p.paymentDateMarginDays)
        out.add(2, "max_recall_share", p.maxRecallShare)
        out.add(2, "max_recalls", p.maxRecalls)
    }

    private static func transport(_ transport: TransportConfig, _ out: inout YAMLLines) {
        out.section(2, "transport")
        switch transport {
        case .folder(let f):
            out.add(3, "type", "folder")
            out.add(3, "inbox", f.inbox)
            out.add(3, "outbox", f.outbox)
            out.add(3, "processed", f.processed)
            out.add(3, "stable_seconds", f.stableSeconds)
        case .sftp(let s):
            out.add(3, "type", "sftp")
            out.add(3, "host", s.host)
            out.add(3, "port", s.port)
            out.add(3, "user", s.user)
            out.add(3, "private_key", s.privateKeyPath)
            out.passphrase(3, s.passphrase)
            out.add(3, "host_key_sha256", s.hostKeySHA256)
            out.add(3, "known_hosts", s.knownHostsPath)
            out.add(3, "inbox_path", s.inboxPath)
            out.add(3, "outbox_path", s.outboxPath)
            out.add(3, "processed_path", s.deleteAfterFetch ? nil : (s.processedPath ?? s.outboxPath + "/processed"))
            out.add(3, "delete_after_fetch", s.deleteAfterFetch)
            out.add(3, "stable_seconds", s.stableSeconds)
            out.add(3, "done_marker_suffix", s.doneMarkerSuffix)
            out.add(3, "connect_timeout_seconds", s.connectTimeoutSeconds)
            out.add(3, "retries", s.retries)
        case .https(let h):
            out.add(3, "type", "https")
            out.add(3, "upload_url", h.uploadURL)
            out.add(3, "list_url", h.listURL)
            out.add(3, "download_url", h.downloadURL)
            out.add(3, "processed_url", h.processedURL)
            out.add(3, "ca_file", h.caFile)
            out.add(3, "client_certificate", h.clientCertificatePath)
            out.add(3, "client_key", h.clientKeyPath)
            out.passphrase(3, h.clientKeyPassphrase)
            out.add(3, "connect_timeout_seconds", h.connectTimeoutSeconds)
            out.add(3, "retries", h.retries)
        }
    }
}

/// YAML text built line by line: strings JSON-quoted (valid YAML), numbers and booleans bare,
/// absent values left out.
private struct YAMLLines {
    private(set) var lines: [String] = []
    var text: String { lines.joined(separator: "\n") }

    private func pad(_ level: Int) -> String { String(repeating: "  ", count: level) }

    mutating func section(_ level: Int, _ key: String) { lines.append(pad(level) + key + ":") }

    mutating func add(_ level: Int, _ key: String, _ value: String?) {
        guard let value else { return }
        lines.append(pad(level) + key + ": " + JSONLine.quote(value))
    }

    mutating func add(_ level: Int, _ key: String, _ value: Int?) {
        guard let value else { return }
        lines.append(pad(level) + key + ": " + String(value))
    }

    mutating func add(_ level: Int, _ key: String, _ value: Double) { lines.append(pad(level) + key + ": " + String(value)) }

    mutating func add(_ level: Int, _ key: String, _ value: Bool) { lines.append(pad(level) + key + ": " + (value ? "true" : "false")) }

    mutating func list(_ level: Int, _ key: String, _ values: [String]) {
        lines.append(pad(level) + key + ": [" + values.map(JSONLine.quote).joined(separator: ", ") + "]")
    }

    mutating func list(_ level: Int, _ key: String, numbers: [Int]) {
        lines.append(pad(level) + key + ": [" + numbers.map(String.init).joined(separator: ", ") + "]")
    }

    /// The first key of a list item (`- id: ...`).
    mutating func item(_ level: Int, _ key: String, _ value: String) {
        lines.append(pad(level) + "- " + key + ": " + JSONLine.quote(value))
    }

    /// Where a passphrase comes from, never the passphrase.
    mutating func passphrase(_ level: Int, _ source: PassphraseSource?) {
        switch source {
        case .file(let path)?: add(level, "passphrase_file", path)
        case .environment(let name)?: add(level, "passphrase_env", name)
        case nil: break
        }
    }
}
