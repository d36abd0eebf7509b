public import ARLinkCore
public import ARLinkFormats
public import ARLinkLayouts

/// arlink's whole configuration, loaded from one YAML file and validated completely at load.
///
/// Every path is absolute (relative paths in the file resolve against the file's folder).
/// Secrets are never held here: only where to read them (``PassphraseSource``).
public struct ArlinkConfiguration: Sendable {
    /// The configuration versions this arlink reads (`version:` at the top of the file).
    public static let supportedVersions = [1]

    /// The configuration file, absolute.
    public var sourcePath: String
    /// The raw bytes of the configuration file (their SHA-256 goes into the audit log).
    public var sourceBytes: [UInt8]
    public var company: CompanySettings
    public var state: StateSettings
    public var audit: AuditSettings
    public var erp: ERPSettings
    public var partners: [PartnerSettings]
    /// Inbound settings (`inbound:`, optional).
    public var inbound = InboundSettings()
    /// `arlink serve`: listen address, schedules (`service:`); nil when the file has none.
    public var service: ServiceSettings? = nil
    /// Alert receivers and thresholds (`alerts:`); defaults when the file has none.
    public var alerts: AlertSettings = AlertSettings()

    /// The SQLite state database (placement ledger, inbound state, audit log).
    public var stateDatabasePath: String { state.databasePath }

    /// The partner with this id.
    /// - Throws: ``ConfigError/Code/unknownPartner`` listing the configured partners.
    public func partner(_ id: String) throws -> PartnerSettings {
        guard let partner = partners.first(where: { $0.id.rawValue == id }) else {
            throw ConfigError(.unknownPartner, "partner \"\(id.prefix(40))\" is not configured in \(sourcePath) (configured: \(partners.map(\.id.rawValue).joined(separator: ", ")))")
        }
        return partner
    }
}

/// Where a key's passphrase comes from; never the passphrase itself.
public enum PassphraseSource: Sendable, Hashable {
    case file(String)
    case environment(String)
}

/// A certificate and, optionally, its private key.
public struct KeyPairSettings: Sendable, Hashable {
    public var certificatePath: String
    public var keyPath: String?
    public var passphrase: PassphraseSource?
}

/// Our own identity: id used in file names and headers, and our keys.
public struct CompanySettings: Sendable {
    public var id: PartyID
    public var name: String
    /// Our country (ISO 3166-1 alpha-2): a partner elsewhere receives data across a border.
    public var country: String
    /// Signs everything we send.
    public var signing: KeyPairSettings
    /// Partners encrypt to this; we decrypt feedback with it.
    public var encryption: KeyPairSettings
    /// Second recipient of everything we send, so we can read our own archive.
    public var archive: KeyPairSettings
    /// Our OpenPGP keys (`company.openpgp`), for partners with `envelope: openpgp`; nil when none is configured.
    public var openPGP: CompanyOpenPGPSettings?
}

/// Our OpenPGP keys (`company.openpgp`): required when any partner has `envelope: openpgp`.
public struct CompanyOpenPGPSettings: Sendable, Hashable {
    /// Our secret key file (`key`): its primary key signs what we send, its encryption subkey
    /// decrypts what partners send. Owner-only permissions.
    public var keyPath: String
    public var passphrase: PassphraseSource?
    /// Our archive certificate (`archive`, public key only): the second recipient of everything
    /// we send to an OpenPGP partner.
    public var archiveCertificatePath: String
    /// Our earlier secret keys (`previous_keys`), during a rotation: they still decrypt what
    /// partners encrypted to them, and a signed header may name them; they never sign.
    public var previousKeys: [OpenPGPKeyFile] = []
}

/// One of our earlier OpenPGP secret keys (`company.openpgp.previous_keys[]`).
public struct OpenPGPKeyFile: Sendable, Hashable {
    public var keyPath: String
    public var passphrase: PassphraseSource?
}

/// How files to and from a partner are signed and encrypted (`envelope`).
public enum EnvelopeProfile: String, Sendable, Hashable, CaseIterable {
    /// CMS SignedData inside AuthEnvelopedData (the default); sealed files end in `.p7m`.
    case cms
    /// OpenPGP (v4 one-pass signature, SEIPD v1 with MDC, AES-256); sealed files end in `.pgp`.
    case openpgp

    /// The sealed file name's last extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .cms: "p7m"
        case .openpgp: "pgp"
        }
    }
}

/// One pinned OpenPGP certificate of a partner (`openpgp.certificates[]`).
public struct OpenPGPPin: Sendable, Hashable {
    /// The certificate file (public key).
    public var path: String
    /// The pinned primary-key fingerprint: upper-case hex, no spaces.
    public var fingerprint: String
    /// First day (UTC) the pin is trusted (`valid_from`); nil: from the start.
    public var validFrom: LocalDate? = nil
    /// Last day (UTC) the pin is trusted (`valid_until`, inclusive); nil: no end but the key's own.
    public var validUntil: LocalDate? = nil

    /// The window for messages: `2026-01-01 to 2027-01-31`, `… to 2027-01-31`, `2026-01-01 to …`.
    public var windowText: String {
        "\(validFrom.map(String.init(describing:)) ?? "…") to \(validUntil.map(String.init(describing:)) ?? "…")"
    }

    /// Whether `day` lies in the pin's window.
    public func isInWindow(on day: LocalDate) -> Bool {
        if let validFrom, day < validFrom { return false }
        if let validUntil, day > validUntil { return false }
        return true
    }
}

/// A partner's OpenPGP settings (`openpgp`), for `envelope: openpgp`.
public struct PartnerOpenPGPSettings: Sendable, Hashable {
    /// The partner's certificates, each pinned by its primary-key fingerprint and an optional
    /// window of days. Signatures by any pin valid today are accepted (several during a key
    /// rotation); we encrypt to the newest pin (by key creation) that is valid today.
    public var certificates: [OpenPGPPin]
    /// Compression of what we write: `none` (default) or `zlib`.
    public var compression: String
    /// ASCII armour for what we write (default false: binary packets).
    public var armor: Bool
}

/// Where arlink keeps its state and working files.
/// The `inbound:` section.
public struct InboundSettings: Sendable {
    /// How many days back an event id is checked exactly against earlier files
    /// (`duplicate_window_days`, default 400). A whole file sent again is refused forever by
    /// its file id, sequence number and SHA-256, whatever its age.
    public var duplicateWindowDays: Int

    public init(duplicateWindowDays: Int = 400) {
        self.duplicateWindowDays = duplicateWindowDays
    }
}

public struct StateSettings: Sendable {
    /// The SQLite database file; for a PostgreSQL database, its URL without password
    /// (``PostgresStateSettings/redactedURL``), which is no file: check ``postgres`` first.
    public var databasePath: String
    /// The PostgreSQL server when `state.database` is a `postgresql://` URL; nil for SQLite.
    public var postgres: PostgresStateSettings?
    /// Private working folder (plaintext before sealing, sealed files before delivery). Mode 0700.
    public var workDirectory: String
    /// Create the database when it does not exist (`state.create`, default false). Otherwise
    /// only `arlink init` creates it, and a missing database is a configuration error: a
    /// mistyped path must not start an empty ledger that places every account again.
    public var create: Bool = false
}

/// The audit log's signing key and checkpoint file.
public struct AuditSettings: Sendable {
    public var keyPath: String
    public var publicKeyPath: String
    public var passphrase: PassphraseSource?
    /// Append-only file of signed checkpoints, to ship to write-once storage.
    public var checkpointFile: String
    /// The checkpoint origin line (a name for this log), e.g. `arlink.example.com/audit`.
    public var origin: String
    /// A checkpoint is also signed every this many entries.
    public var checkpointEvery: Int
    /// `arlink audit prune` removes the content of entries older than this many days
    /// (default 1095, three years, as US Regulation F keeps collection records), keeping
    /// their leaf hashes so the tree stays verifiable.
    public var retentionDays: Int = 1095
}

/// The ERP side: extracts to read and where ERP status updates go.
public struct ERPSettings: Sendable {
    /// Column preset: `generic`, `erpnext` or `odoo`.
    public var preset: String
    public var openItemsPath: String
    /// The customer master; nil when the open items carry the customer columns (Odoo).
    public var customersPath: String?
    public var paymentsPath: String?
    /// Per file (`open_items`, `customers`, `payments`): logical column name to the extract's header.
    public var columns: [String: [String: String]]
    public var delimiter: UInt8
    /// `plain`, `1,234.56` or `1.234,56` (``NumberFormat``).
    public var numberFormat: NumberFormat
    /// Any ``DateFormat/allCases`` pattern; the preset's default when not configured.
    public var dateFormat: DateFormat
    public var defaultCurrency: Currency?
    /// Bad rows accepted (and listed in the run report) before the extract is refused.
    public var maxBadRows: Int
    /// The ERP's import folder for status updates (inbound).
    public var updatesFolder: String
    /// `jsonl` and/or `csv`.
    public var updateFormats: [String]
}

/// How files reach a partner and come back.
public enum TransportConfig: Sendable, Hashable {
    case folder(FolderTransportConfig)
    case sftp(SFTPTransportConfig)
    case https(HTTPSTransportConfig)
}

/// Local drop folders (the embedded default; also for a mounted share).
public struct FolderTransportConfig: Sendable, Hashable {
    /// Where we deliver portfolios and receipts (the partner's inbox).
    public var inbox: String
    /// Where the partner drops feedback (the partner's outbox).
    public var outbox: String
    /// Where fetched feedback files go after they are committed.
    public var processed: String
    /// Seconds between the two looks at the outbox that must see a file with the same size and
    /// modification time before it is fetched (`stable_seconds`, default 5; 0 for partners
    /// that rename complete files into place).
    public var stableSeconds: Int
}

/// An SFTP server of the partner.
public struct SFTPTransportConfig: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var user: String
    public var privateKeyPath: String
    public var passphrase: PassphraseSource?
    /// Base64 SHA-256 of the server's host key, without the `SHA256:` prefix.
    public var hostKeySHA256: String?
    public var knownHostsPath: String?
    public var inboxPath: String
    public var outboxPath: String
    public var processedPath: String?
    /// Delete fetched files instead of moving them to `processed_path`.
    public var deleteAfterFetch: Bool
    public var stableSeconds: Int
    public var doneMarkerSuffix: String?
    public var connectTimeoutSeconds: Int
    public var retries: Int
}

/// An HTTPS endpoint of the partner.
public struct HTTPSTransportConfig: Sendable, Hashable {
    /// Upload URL with `{name}` where the file name goes.
    public var uploadURL: String
    /// Listing URL of feedback files, if the partner offers fetching over HTTPS.
    public var listURL: String?
    /// Download URL of one feedback file, with `{name}`.
    public var downloadURL: String?
    /// Where fetched files are moved (WebDAV MOVE), with `{name}`; nil deletes them.
    public var processedURL: String?
    public var caFile: String?
    public var clientCertificatePath: String?
    public var clientKeyPath: String?
    public var clientKeyPassphrase: PassphraseSource?
    public var connectTimeoutSeconds: Int
    public var retries: Int
}

/// One collection partner.
public struct PartnerSettings: Sendable {
    public var id: PartyID
    public var name: String
    /// How files are sealed and opened (`envelope`, default `cms`).
    public var envelope: EnvelopeProfile = .cms
    /// The OpenPGP certificates and options; set exactly when ``envelope`` is `openpgp`.
    public var openPGP: PartnerOpenPGPSettings? = nil
    /// How the partner's signers are trusted: `pinned` (default: the signer must be one of
    /// ``signingCertificates``, and ``caCertificate``, when named, must validate its chain too)
    /// or `ca` (any certificate ``caCertificate`` issued for signing; an explicit choice).
    public var trust: String
    /// Pinned certificates whose signatures we accept from this partner (CMS; empty for OpenPGP partners).
    public var signingCertificates: [String]
    /// The partner's encryption certificate (we seal to it; CMS; empty for OpenPGP partners).
    public var encryptionCertificate: String
    /// Optional partner CA: validates the chain of pinned signers, or (with `trust: ca`) is the trust anchor.
    public var caCertificate: String?
    /// Optional CRL file checked on every verification.
    public var crlFile: String?
    /// What an expired CRL does: `refuse` (default; configuration error) or `warn`.
    public var crlExpired: String
    /// Accept CBC EnvelopedData from this partner (warned on every run).
    public var allowCBC: Bool
    /// Weak CMS key transports accepted from this partner (`legacy_key_transport`; empty by
    /// default): names from ``legacyKeyTransportNames``, audited on every use.
    public var legacyKeyTransport: [String] = []
    public var transport: TransportConfig
    /// `jsonl` or `csv`.
    public var portfolioFormat: String
    public var selection: SelectionPolicy
    public var minimisation: DataMinimisation
    /// Regular expression feedback file names must match; others are skipped and reported.
    public var feedbackNamePattern: String
    /// Promises further out than this many days are rejected.
    public var promiseHorizonDays: Int
    /// Payments dated more than this many days before the account was placed are rejected (default 30).
    public var paymentDateMarginDays: Int
    /// The largest share of the partner's placed accounts one run may recall (default 0.2);
    /// a run that would recall more is refused unless `--allow-mass-recall` is given.
    public var maxRecallShare: Double
    /// The most accounts one run may recall; nil for no count limit.
    public var maxRecalls: Int?
    /// The partner's country, transfer basis, agreement and DPIA.
    public var privacy: PartnerPrivacy
    /// The layouts `portfolio_format` / `feedback_format` name, when not arlink's own formats
    /// (docs/layouts.md), and the partner's note code map (`layout_note_codes`).
    public var layouts = PartnerLayouts()
}

extension PartnerSettings {
    /// The values `legacy_key_transport` accepts: the envelope's `LegacyKeyTransport` names (a
    /// test compares the two lists, and the schema's enum).
    public static let legacyKeyTransportNames = ["rsa_pkcs1v15", "rsa_oaep_sha1", "ecdh_sha1_kdf"]
}
