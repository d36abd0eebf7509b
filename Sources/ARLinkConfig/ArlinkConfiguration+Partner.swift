import ARLinkCore
import Foundation

extension ArlinkConfiguration {
    static func parsePartner(_ node: inout ConfigNode, company: CompanySettings) throws -> PartnerSettings {
        let idText = try node.string("id", hint: "the partner's party id, e.g. acme-collect")
        let id: PartyID
        do { id = try PartyID(idText) } catch let e as CoreError {
            throw ConfigError(.invalidValue, "\(node.keyPath("id")): \(e.message)")
        }
        let envelopeText = try node.optionalString("envelope") ?? "cms"
        guard let envelope = EnvelopeProfile(rawValue: envelopeText) else {
            throw ConfigError(.invalidValue, "\(node.keyPath("envelope")): \"\(envelopeText.prefix(20))\" is not an envelope (expected cms or openpgp)")
        }
        var signing: [String] = []
        var caCertificate: String? = nil
        var trust = "pinned"
        var encryption = ""
        var crl: String? = nil
        var crlExpired = "refuse"
        var openPGP: PartnerOpenPGPSettings? = nil
        switch envelope {
        case .cms:
            if node.has("openpgp") {
                throw ConfigError(.invalidValue, "\(node.keyPath("openpgp")): only for envelope: openpgp; this partner uses cms (set \(node.keyPath("envelope")): openpgp or remove the section)")
            }
            var certs = try node.child("certificates")
            for (i, p) in (try certs.stringList("signing") ?? []).enumerated() {
                let resolved = ConfigNode.resolve(p, against: node.baseDirectory)
                guard FileManager.default.fileExists(atPath: resolved) else {
                    throw ConfigError(.missingFile, "\(certs.keyPath("signing"))[\(i)]: file \(resolved) does not exist")
                }
                signing.append(resolved)
            }
            caCertificate = try certs.optionalPath("ca", mustExist: true)
            trust = try node.optionalString("trust") ?? "pinned"
            switch trust {
            case "pinned" where signing.isEmpty:
                throw ConfigError(.missingKey, "\(certs.keyPath("signing")): pin at least one partner signing certificate; to accept any certificate the partner's CA issues instead, set \(node.keyPath("trust")): ca and name the CA in \(certs.keyPath("ca"))")
            case "ca" where caCertificate == nil:
                throw ConfigError(.missingKey, "\(certs.keyPath("ca")): trust: ca needs the partner's CA certificate")
            case "pinned", "ca":
                break
            default:
                throw ConfigError(.invalidValue, "\(node.keyPath("trust")): \"\(trust.prefix(20))\" is not a trust mode (expected pinned or ca)")
            }
            encryption = try certs.path("encryption", mustExist: true)
            crl = try certs.optionalPath("crl", mustExist: true)
            crlExpired = try certs.optionalString("crl_expired") ?? "refuse"
            guard ["refuse", "warn"].contains(crlExpired) else {
                throw ConfigError(.invalidValue, "\(certs.keyPath("crl_expired")): \"\(crlExpired.prefix(20))\" is not a choice (expected refuse or warn)")
            }
            try certs.finish()
        case .openpgp:
            for key in ["certificates", "trust", "allow_cbc", "legacy_key_transport"] where node.has(key) {
                throw ConfigError(.invalidValue, "\(node.keyPath(key)): only for envelope: cms; an OpenPGP partner's certificates go in \(node.keyPath("openpgp")).certificates")
            }
            openPGP = try parsePartnerOpenPGP(&node)
        }

        var transportNode = try node.child("transport")
        let transport = try parseTransport(&transportNode)

        let (format, layouts) = try parsePartnerLayouts(&node)
        let legacyKeyTransport = try node.stringList("legacy_key_transport") ?? []
        for (i, name) in legacyKeyTransport.enumerated() where !PartnerSettings.legacyKeyTransportNames.contains(name) {
            throw ConfigError(.invalidValue, "\(node.keyPath("legacy_key_transport"))[\(i)]: \"\(name.prefix(30))\" is not a legacy key transport (expected one of \(PartnerSettings.legacyKeyTransportNames.joined(separator: ", ")))")
        }
        let privacy = try parsePartnerPrivacy(&node)
        var selectionNode = try node.child("selection")
        var selection = try parseSelection(&selectionNode)
        selection.requireTransferConsent = privacy.transferBasis == .consent
        selection.requireItemization = try node.bool("require_itemization", default: false)

        let fieldNames = try node.stringList("debtor_fields") ?? ["name"]
        var allowed: Set<DebtorField> = []
        var restrictionText = false
        for (i, name) in fieldNames.enumerated() {
            if name == "communication_restriction" { restrictionText = true; continue }
            guard let field = DebtorField(rawValue: name) else {
                throw ConfigError(.invalidValue, "\(node.keyPath("debtor_fields"))[\(i)]: \"\(name.prefix(30))\" is not a debtor field (expected one of \(DebtorField.allCases.map(\.rawValue).joined(separator: ", ")), communication_restriction)")
            }
            allowed.insert(field)
        }
        var masks: [DebtorField: FieldMask] = [:]
        if var maskNode = try node.optionalChild("masking") {
            for (key, value) in try maskNode.scalarMap() {
                guard let field = DebtorField(rawValue: key) else {
                    throw ConfigError(.invalidValue, "\(maskNode.keyPath(key)): \"\(key.prefix(30))\" is not a debtor field")
                }
                guard value.hasPrefix("last"), let n = Int(value.dropFirst(4)), n >= 0, n <= 32 else {
                    throw ConfigError(.invalidValue, "\(maskNode.keyPath(key)): \"\(value.prefix(20))\" is not a mask (expected lastN, e.g. last4)")
                }
                masks[field] = .lastCharacters(n)
            }
        }
        let pattern = try node.optionalString("feedback_name_pattern")
            ?? (layouts.feedback == nil
                ? "^\(idText)_\(company.id.rawValue)_feedback_[0-9]{8}_[0-9]{6}\\.(jsonl|csv)\\.\(envelope.fileExtension)$"
                : "^\(idText)_\(company.id.rawValue)_feedback_[0-9]{8}_[0-9]{6}\\.txt(\\.manifest\\.jsonl)?\\.\(envelope.fileExtension)$")
        do { _ = try NSRegularExpression(pattern: pattern) } catch {
            throw ConfigError(.invalidValue, "\(node.keyPath("feedback_name_pattern")): not a valid regular expression")
        }
        var partner = PartnerSettings(
            id: id,
            name: try node.optionalString("name") ?? idText,
            trust: trust,
            signingCertificates: signing,
            encryptionCertificate: encryption,
            caCertificate: caCertificate,
            crlFile: crl,
            crlExpired: crlExpired,
            allowCBC: try node.bool("allow_cbc", default: false),
            legacyKeyTransport: legacyKeyTransport,
            transport: transport,
            portfolioFormat: format,
            selection: selection,
            minimisation: DataMinimisation(allowed: allowed, masks: masks, allowsRestrictionText: restrictionText),
            feedbackNamePattern: pattern,
            promiseHorizonDays: try node.int("promise_horizon_days", default: 365, range: 1...3650),
            paymentDateMarginDays: try node.int("payment_date_margin_days", default: 30, range: 0...3650),
            maxRecallShare: try parseShare(&node, "max_recall_share", default: 0.2),
            maxRecalls: try node.optionalInt("max_recalls", range: 0...100_000_000),
            privacy: privacy
        )
        partner.envelope = envelope
        partner.openPGP = openPGP
        partner.layouts = layouts
        try node.finish()
        return partner
    }

    /// A partner's `openpgp` section: pinned certificates (`file` and `fingerprint` each),
    /// `compression` and `armor` for what we write.
    static func parsePartnerOpenPGP(_ parent: inout ConfigNode) throws -> PartnerOpenPGPSettings {
        guard var node = try parent.optionalChild("openpgp") else {
            throw ConfigError(.missingKey, "\(parent.keyPath("openpgp")): envelope: openpgp needs the partner's certificates: openpgp.certificates: [{file: partner.pub, fingerprint: <40 hex digits of its primary key>}]")
        }
        guard let entries = try node.childList("certificates"), !entries.isEmpty else {
            throw ConfigError(.missingKey, "\(node.keyPath("certificates")): pin at least one partner OpenPGP certificate ({file: partner.pub, fingerprint: <primary-key fingerprint>}; gpg --fingerprint shows it)")
        }
        var pins: [OpenPGPPin] = []
        for var entry in entries {
            let file = try entry.path("file", mustExist: true)
            let text = try entry.string("fingerprint", hint: "the primary-key fingerprint, 40 hex digits (gpg --fingerprint)")
            let fingerprint = text.uppercased().filter { !$0.isWhitespace }
            guard fingerprint.count == 40 || fingerprint.count == 64, fingerprint.allSatisfy(\.isHexDigit) else {
                throw ConfigError(.invalidValue, "\(entry.keyPath("fingerprint")): \"\(text.prefix(80))\" is not an OpenPGP fingerprint (expected 40 hex digits, spaces allowed, as gpg --fingerprint prints it)")
            }
            if pins.contains(where: { $0.fingerprint == fingerprint }) {
                throw ConfigError(.invalidValue, "\(entry.keyPath("fingerprint")): \(fingerprint) is pinned twice")
            }
            let validFrom = entry.has("valid_from") ? try parseDate(&entry, "valid_from") : nil
            let validUntil = entry.has("valid_until") ? try parseDate(&entry, "valid_until") : nil
            if let validFrom, let validUntil, validUntil < validFrom {
                throw ConfigError(.invalidValue, "\(entry.keyPath("valid_until")): \(validUntil) is before valid_from \(validFrom)")
            }
            try entry.finish()
            pins.append(OpenPGPPin(path: file, fingerprint: fingerprint, validFrom: validFrom, validUntil: validUntil))
        }
        let compression = try node.optionalString("compression") ?? "none"
        guard ["none", "zlib"].contains(compression) else {
            throw ConfigError(.invalidValue, "\(node.keyPath("compression")): \"\(compression.prefix(20))\" is not a choice (expected none or zlib)")
        }
        let settings = PartnerOpenPGPSettings(certificates: pins, compression: compression, armor: try node.bool("armor", default: false))
        try node.finish()
        return settings
    }

    /// A share: a number from 0 to 1 (`0.2`).
    static func parseShare(_ node: inout ConfigNode, _ key: String, default value: Double) throws -> Double {
        guard let text = try node.optionalString(key) else { return value }
        guard let share = Double(text), share >= 0, share <= 1 else {
            throw ConfigError(.invalidValue, "\(node.keyPath(key)): \"\(text.prefix(20))\" is not a share (expected a number from 0 to 1, e.g. 0.2 for 20%)")
        }
        return share
    }

    static func parseSelection(_ node: inout ConfigNode) throws -> SelectionPolicy {
        var policy = SelectionPolicy()
        policy.minDaysPastDue = try node.int("min_days_past_due", default: 60, range: 0...36_500)
        if var minNode = try node.optionalChild("min_balance") {
            for (code, amount) in try minNode.scalarMap() {
                do {
                    let currency = try Currency(code)
                    policy.minBalance[currency] = try Money(decimal: amount, currency: currency)
                } catch let e as CoreError {
                    throw ConfigError(.invalidValue, "\(minNode.keyPath(code)): \(e.message)")
                }
            }
        }
        policy.excludeDisputed = try node.bool("exclude_disputed", default: true)
        policy.excludeBlocked = try node.bool("exclude_blocked", default: true)
        policy.excludeOpenPromise = try node.bool("exclude_open_promise", default: true)
        policy.excludePlacedElsewhere = try node.bool("exclude_placed_elsewhere", default: true)
        policy.excludedGroups = Set(try node.stringList("exclude_groups") ?? [])
        policy.includedGroups = Set(try node.stringList("segments") ?? [])
        policy.maxAccountsPerBatch = try node.optionalInt("max_accounts_per_batch", range: 1...10_000_000)
        if let keys = try node.stringList("priority") {
            policy.priority = try keys.enumerated().map { i, key in
                guard let k = SelectionPolicy.PriorityKey(rawValue: key) else {
                    throw ConfigError(.invalidValue, "\(node.keyPath("priority"))[\(i)]: \"\(key.prefix(30))\" is not a priority (expected \(SelectionPolicy.PriorityKey.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return k
            }
        }
        if let bounds = try node.stringList("aging_buckets") {
            let ints = bounds.compactMap(Int.init)
            guard ints.count == bounds.count, !ints.isEmpty, zip(ints, ints.dropFirst()).allSatisfy({ $0 < $1 }), ints[0] >= 1 else {
                throw ConfigError(.invalidValue, "\(node.keyPath("aging_buckets")): expected ascending whole numbers of days, e.g. [30, 60, 90, 180, 365]")
            }
            policy.agingBuckets = AgingBuckets(upperBounds: ints)
        }
        try node.finish()
        return policy
    }

    static func parseTransport(_ node: inout ConfigNode) throws -> TransportConfig {
        try node.refuseInlineSecrets()
        let type = try node.string("type", hint: "folder, sftp or https")
        let result: TransportConfig
        switch type {
        case "folder":
            let inbox = try node.path("inbox")
            let outbox = try node.path("outbox")
            result = .folder(FolderTransportConfig(
                inbox: inbox, outbox: outbox,
                processed: try node.optionalPath("processed") ?? ConfigNode.resolve("processed", against: outbox),
                stableSeconds: try node.int("stable_seconds", default: 5, range: 0...3600)
            ))
        case "sftp":
            let hostKey = try node.optionalString("host_key_sha256")
            let knownHosts = try node.optionalPath("known_hosts", mustExist: true)
            if hostKey == nil && knownHosts == nil {
                throw ConfigError(.missingKey, "\(node.keyPath("host_key_sha256")): an SFTP partner needs its host key pinned (host_key_sha256: the base64 of `ssh-keygen -lf host.pub -E sha256` without \"SHA256:\") or a known_hosts file; without a pin any server could pose as the partner")
            }
            result = .sftp(SFTPTransportConfig(
                host: try node.string("host"), port: try node.int("port", default: 22, range: 1...65535),
                user: try node.string("user"), privateKeyPath: try node.path("private_key", mustExist: true),
                passphrase: try parsePassphrase(&node),
                hostKeySHA256: hostKey.map { $0.hasPrefix("SHA256:") ? String($0.dropFirst(7)) : $0 },
                knownHostsPath: knownHosts,
                inboxPath: try node.string("inbox_path"), outboxPath: try node.string("outbox_path"),
                processedPath: try node.optionalString("processed_path"),
                deleteAfterFetch: try node.bool("delete_after_fetch", default: false),
                stableSeconds: try node.int("stable_seconds", default: 5, range: 0...3600),
                doneMarkerSuffix: try node.optionalString("done_marker_suffix"),
                connectTimeoutSeconds: try node.int("connect_timeout_seconds", default: 15, range: 1...600),
                retries: try node.int("retries", default: 3, range: 0...20)
            ))
        case "https":
            result = .https(HTTPSTransportConfig(
                uploadURL: try node.string("upload_url"), listURL: try node.optionalString("list_url"),
                downloadURL: try node.optionalString("download_url"),
                processedURL: try node.optionalString("processed_url"),
                caFile: try node.optionalPath("ca_file", mustExist: true),
                clientCertificatePath: try node.optionalPath("client_certificate", mustExist: true),
                clientKeyPath: try node.optionalPath("client_key", mustExist: true),
                clientKeyPassphrase: try parsePassphrase(&node),
                connectTimeoutSeconds: try node.int("connect_timeout_seconds", default: 15, range: 1...600),
                retries: try node.int("retries", default: 3, range: 0...20)
            ))
            if case .https(let h) = result {
                for (key, url) in [("upload_url", h.uploadURL), ("list_url", h.listURL), ("download_url", h.downloadURL), ("processed_url", h.processedURL)] {
                    guard let url, !url.lowercased().hasPrefix("https://") else { continue }
                    throw ConfigError(.invalidValue, "\(node.keyPath(key)): must be an https:// URL (plain HTTP is refused: it would show the partner's files and our client certificate exchange to anyone on the path)")
                }
            }
        default:
            throw ConfigError(.invalidValue, "\(node.keyPath("type")): \"\(type.prefix(20))\" is not a transport (expected folder, sftp or https)")
        }
        try node.finish()
        return result
    }
}
