import ARLinkCore
import ARLinkFormats
import Foundation
import Yams

extension ArlinkConfiguration {
    /// Loads and validates the configuration file at `path`.
    ///
    /// Unknown keys are refused with their path and the closest known key; missing keys are
    /// named; relative paths resolve against the file's folder; certificate and key files must
    /// exist; inline secrets are refused.
    /// - Throws: ``ConfigError`` (exit 78; 66 when the file cannot be read).
    public static func load(path: String) throws -> ArlinkConfiguration {
        let absolute = ConfigNode.resolve(path, against: FileManager.default.currentDirectoryPath)
        guard let data = FileManager.default.contents(atPath: absolute) else {
            throw ConfigError(.unreadable, "cannot read configuration file \(absolute) (does it exist, and may arlink's user read it?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(.syntax, "\(absolute) is not UTF-8 text")
        }
        return try parse(yaml: text, bytes: [UInt8](data), sourcePath: absolute)
    }

    /// Parses configuration text; `sourcePath` decides how relative paths resolve.
    public static func parse(yaml: String, bytes: [UInt8]? = nil, sourcePath: String) throws -> ArlinkConfiguration {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ConfigError(.syntax, "\(sourcePath) is empty (expected a YAML mapping; see config/arlink.example.yaml)")
            }
            root = node
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(.syntax, "\(sourcePath) is not valid YAML: \(error)")
        }
        let base = URL(fileURLWithPath: sourcePath).deletingLastPathComponent().path
        var top = try ConfigNode(node: root, path: "", baseDirectory: base, configFile: sourcePath)
        let version = try top.int("version", default: 1)
        guard Self.supportedVersions.contains(version) else {
            throw ConfigError(.invalidValue, "version: \(version) is not a configuration version this arlink reads; the versions that exist are \(Self.supportedVersions.map(String.init).joined(separator: ", ")) (schemas/config.v1.schema.json); write version: 1")
        }

        var companyNode = try top.child("company")
        let company = try parseCompany(&companyNode)

        var stateNode = try top.child("state")
        let state = try parseState(&stateNode)
        try stateNode.finish()

        var auditNode = try top.child("audit")
        try auditNode.refuseInlineSecrets()
        let audit = AuditSettings(
            keyPath: try auditNode.path("key", mustExist: true),
            publicKeyPath: try auditNode.path("public_key", mustExist: true),
            passphrase: try parsePassphrase(&auditNode),
            checkpointFile: try auditNode.path("checkpoint_file"),
            origin: try auditNode.optionalString("origin") ?? "arlink.\(company.id.rawValue)/audit",
            checkpointEvery: try auditNode.int("checkpoint_every", default: 10_000, range: 1...10_000_000),
            retentionDays: try auditNode.int("retention_days", default: 1095, range: 365...36_500)
        )
        try auditNode.finish()

        var erpNode = try top.child("erp")
        let erp = try parseERP(&erpNode)

        guard let partnerNodes = try top.childList("partners"), !partnerNodes.isEmpty else {
            throw ConfigError(.missingKey, "partners: missing required list (at least one partner)")
        }
        var partners: [PartnerSettings] = []
        for var node in partnerNodes {
            let partner = try parsePartner(&node, company: company)
            if partners.contains(where: { $0.id == partner.id }) {
                throw ConfigError(.invalidValue, "\(node.keyPath("id")): partner \"\(partner.id)\" is configured twice")
            }
            partners.append(partner)
        }
        var inbound = InboundSettings()
        if var inboundNode = try top.optionalChild("inbound") {
            inbound.duplicateWindowDays = try inboundNode.int("duplicate_window_days", default: 400, range: 30...36_500)
            try inboundNode.finish()
        }
        if company.openPGP == nil, let first = partners.firstIndex(where: { $0.envelope == .openpgp }) {
            throw ConfigError(.missingKey, "company.openpgp: partners[\(first)] (\(partners[first].id.rawValue)) has envelope: openpgp, which needs our OpenPGP secret key (company.openpgp.key, with passphrase_file or passphrase_env when it is protected) and our archive certificate (company.openpgp.archive)")
        }
        var service: ServiceSettings?
        if var serviceNode = try top.optionalChild("service") { service = try parseService(&serviceNode, partners: partners) }
        var alerts = AlertSettings()
        if var alertsNode = try top.optionalChild("alerts") { alerts = try parseAlerts(&alertsNode) }
        try top.finish()
        return ArlinkConfiguration(
            sourcePath: sourcePath, sourceBytes: bytes ?? Array(yaml.utf8), company: company, state: state,
            audit: audit, erp: erp, partners: partners, inbound: inbound, service: service, alerts: alerts
        )
    }

    /// `state:`: a SQLite file, or a PostgreSQL URL with its password and TLS keys beside it.
    static func parseState(_ node: inout ConfigNode) throws -> StateSettings {
        try node.refuseInlineSecrets()
        let postgresKeys = ["password_file", "password_env", "sslmode", "ssl_root_cert"]
        let text = try node.string("database", hint: "a SQLite file path, or postgresql://USER@HOST:PORT/DATABASE")
        guard PostgresStateSettings.isURL(text) else {
            if let key = postgresKeys.first(where: { node.has($0) }) {
                throw ConfigError(.invalidValue, "\(node.keyPath(key)): only for a PostgreSQL state.database (postgresql://…); \(text.prefix(80)) is a SQLite file: remove \(key)")
            }
            return StateSettings(databasePath: try node.path("database"), workDirectory: try node.path("work_dir"),
                                 create: try node.bool("create", default: false))
        }
        let parts = try PostgresStateSettings.parseURL(text, key: node.keyPath("database"))
        var postgres = PostgresStateSettings(host: parts.host, port: parts.port, user: parts.user, database: parts.database,
                                             password: try parsePassphrase(&node, prefix: "password"))
        if case .file(let path) = postgres.password { try PostgresStateSettings.checkOwnerOnly(path) }
        if let mode = try node.optionalString("sslmode") {
            guard let value = PostgresStateSettings.SSLMode(rawValue: mode) else {
                throw ConfigError(.invalidValue, "\(node.keyPath("sslmode")): \"\(mode.prefix(20))\" is not a TLS mode; expected disable, require or verify-full (default)")
            }
            postgres.sslMode = value
        }
        if postgres.sslMode == .disable && !postgres.isLoopback {
            throw ConfigError(.invalidValue, "\(node.keyPath("sslmode")): disable sends the password and the state unencrypted to \(postgres.host), which is not this machine; use verify-full (with ssl_root_cert naming the server's CA)")
        }
        postgres.sslRootCertificate = try node.optionalPath("ssl_root_cert", mustExist: true)
        if postgres.sslRootCertificate != nil && postgres.sslMode == .disable {
            throw ConfigError(.invalidValue, "\(node.keyPath("ssl_root_cert")): sslmode is disable, so no certificate is checked: remove ssl_root_cert or use verify-full")
        }
        return StateSettings(databasePath: postgres.redactedURL, postgres: postgres, workDirectory: try node.path("work_dir"),
                             create: try node.bool("create", default: false))
    }

    static func parsePassphrase(_ node: inout ConfigNode, prefix: String = "passphrase") throws -> PassphraseSource? {
        let file = try node.optionalPath("\(prefix)_file", mustExist: true)
        let env = try node.optionalString("\(prefix)_env")
        switch (file, env) {
        case (let f?, nil): return .file(f)
        case (nil, let e?): return .environment(e)
        case (nil, nil): return nil
        case (_?, _?):
            throw ConfigError(.invalidValue, "\(node.keyPath(prefix + "_file")): give \(prefix)_file or \(prefix)_env, not both")
        }
    }

    static func parseKeyPair(_ parent: inout ConfigNode, _ key: String, keyRequired: Bool) throws -> KeyPairSettings {
        var node = try parent.child(key)
        try node.refuseInlineSecrets()
        let pair = KeyPairSettings(
            certificatePath: try node.path("certificate", mustExist: true),
            keyPath: keyRequired ? try node.path("key", mustExist: true) : try node.optionalPath("key", mustExist: true),
            passphrase: try parsePassphrase(&node)
        )
        try node.finish()
        return pair
    }

    /// `company.openpgp`: our OpenPGP secret key (signs and decrypts) and archive certificate.
    static func parseCompanyOpenPGP(_ parent: inout ConfigNode) throws -> CompanyOpenPGPSettings? {
        guard var node = try parent.optionalChild("openpgp") else { return nil }
        try node.refuseInlineSecrets()
        var previous: [OpenPGPKeyFile] = []
        for var entry in try node.childList("previous_keys") ?? [] {
            try entry.refuseInlineSecrets()
            previous.append(OpenPGPKeyFile(keyPath: try entry.path("key", mustExist: true), passphrase: try parsePassphrase(&entry)))
            try entry.finish()
        }
        let settings = CompanyOpenPGPSettings(
            keyPath: try node.path("key", mustExist: true),
            passphrase: try parsePassphrase(&node),
            archiveCertificatePath: try node.path("archive", mustExist: true),
            previousKeys: previous
        )
        try node.finish()
        return settings
    }

    static func parseCompany(_ node: inout ConfigNode) throws -> CompanySettings {
        let idText = try node.string("id", hint: "our party id used in file names, e.g. acme-corp")
        let id: PartyID
        do { id = try PartyID(idText) } catch let e as CoreError {
            throw ConfigError(.invalidValue, "\(node.keyPath("id")): \(e.message)")
        }
        let company = CompanySettings(
            id: id,
            name: try node.optionalString("name") ?? idText,
            country: try parseCountry(&node, "country", hint: "our country, ISO 3166-1 alpha-2, e.g. ID"),
            signing: try parseKeyPair(&node, "signing", keyRequired: true),
            encryption: try parseKeyPair(&node, "encryption", keyRequired: true),
            archive: try parseKeyPair(&node, "archive", keyRequired: false),
            openPGP: try parseCompanyOpenPGP(&node)
        )
        try node.finish()
        return company
    }

    static func parseERP(_ node: inout ConfigNode) throws -> ERPSettings {
        let preset = try node.optionalString("preset") ?? "generic"
        guard ["generic", "erpnext", "odoo"].contains(preset) else {
            throw ConfigError(.invalidValue, "\(node.keyPath("preset")): \"\(preset.prefix(40))\" is not a preset (expected generic, erpnext or odoo)")
        }
        let delimiterText = try node.optionalString("delimiter") ?? ","
        let delimiter: UInt8
        switch delimiterText {
        case ",": delimiter = UInt8(ascii: ",")
        case ";": delimiter = UInt8(ascii: ";")
        case "\t", "tab", "\\t": delimiter = UInt8(ascii: "\t")
        case "|": delimiter = UInt8(ascii: "|")
        default: throw ConfigError(.invalidValue, "\(node.keyPath("delimiter")): \"\(delimiterText.prefix(10))\" is not a supported delimiter (expected \",\", \";\", \"|\" or tab)")
        }
        let numberText = try node.optionalString("number_format") ?? NumberFormat.plain.rawValue
        guard let numberFormat = NumberFormat(rawValue: numberText) else {
            throw ConfigError(.invalidValue, "\(node.keyPath("number_format")): \"\(numberText.prefix(20))\" is not supported (expected \(NumberFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let dateFormat: DateFormat
        if let dateText = try node.optionalString("date_format") {
            guard let format = DateFormat(rawValue: dateText) else {
                throw ConfigError(.invalidValue, "\(node.keyPath("date_format")): \"\(dateText.prefix(20))\" is not supported (expected one of \(DateFormat.allCases.map(\.rawValue).joined(separator: ", ")); dd is the day, MM the month, yyyy the year)")
            }
            dateFormat = format
        } else {
            dateFormat = (ExtractPreset(rawValue: preset) ?? .generic).defaultDateFormat
        }
        var defaultCurrency: Currency?
        if let code = try node.optionalString("default_currency") {
            do { defaultCurrency = try Currency(code) } catch let e as CoreError {
                throw ConfigError(.invalidValue, "\(node.keyPath("default_currency")): \(e.message)")
            }
        }
        var columns: [String: [String: String]] = [:]
        if var columnsNode = try node.optionalChild("columns") {
            for file in ["open_items", "customers", "payments"] {
                if var fileNode = try columnsNode.optionalChild(file) { columns[file] = try fileNode.scalarMap() }
            }
            try columnsNode.finish()
        }
        var updatesNode = try node.child("updates")
        let formats = try updatesNode.stringList("formats") ?? ["jsonl"]
        for (i, f) in formats.enumerated() where !["jsonl", "csv"].contains(f) {
            throw ConfigError(.invalidValue, "\(updatesNode.keyPath("formats"))[\(i)]: \"\(f.prefix(20))\" is not a format (expected jsonl or csv)")
        }
        let updatesFolder = try updatesNode.path("folder")
        try updatesNode.finish()
        let erp = ERPSettings(
            preset: preset,
            openItemsPath: try node.path("open_items"),
            customersPath: try node.optionalPath("customers"),
            paymentsPath: try node.optionalPath("payments"),
            columns: columns,
            delimiter: delimiter,
            numberFormat: numberFormat,
            dateFormat: dateFormat,
            defaultCurrency: defaultCurrency,
            maxBadRows: try node.int("max_bad_rows", default: 0, range: 0...1_000_000),
            updatesFolder: updatesFolder,
            updateFormats: formats
        )
        try node.finish()
        return erp
    }
}
