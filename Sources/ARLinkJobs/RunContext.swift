public import ARLinkConfig
public import ARLinkStore
public import ARLinkAudit
public import ARLinkEnvelope
public import ARLinkTransport
import ARLinkCore
public import Foundation

/// Everything one run needs, built once from the configuration: the state database, the
/// audit log, our keys, the partners' certificates and transports.
///
/// Not `Sendable`: it owns OpenSSL handles (through the envelope types) and stays in one task.
public final class RunContext {
    public let config: ArlinkConfiguration
    public let store: StateStore
    public let audit: AuditLog
    public let reporter: any RunReporter
    /// The clock; tests and the crash harness may fix it.
    public let now: @Sendable () -> Date
    /// One run at a time per state database (``RunLock``), held as long as this context lives;
    /// nil for a dry run before the state database exists (nothing to protect, nothing created).
    private let lock: RunLock?
    /// Our OpenPGP secret key, loaded (and unlocked once) on first use.
    var loadedOpenPGPKey: OpenPGPSecretKey?
    /// Whether the run should stop at the next file boundary (SIGTERM to `arlink inbound run`
    /// or to `arlink serve`); asked between files by ``stopBeforeNextFile(partner:)``.
    public var shouldStop: @Sendable () -> Bool = { false }
    /// Set when the run stopped at a file boundary and left files for the next run.
    public internal(set) var stoppedEarly = false
    /// Partners whose stop is already recorded.
    var stoppedPartners: Set<String> = []

    /// Takes the run lock, opens the state database, the audit log and the private work
    /// folder (mode 0700), and checks that the audit log extends its newest signed checkpoint
    /// (``AuditLog/requireAnchored()``) before the run changes anything.
    ///
    /// A state database that does not exist is created (with its folder) only when
    /// `createState` is set (`arlink init`) or the configuration says `state.create: true`:
    /// a mistyped `state.database` must not start an empty ledger that places every account
    /// again as sequence 1.
    /// - Parameters:
    ///   - checkAnchor: `false` only for `arlink audit recover`, which records why the check fails.
    ///   - createState: create a missing state database (`arlink init`).
    ///   - dryRun: a dry run that finds no state database (allowed by `state.create: true`)
    ///     plans against an empty one in memory and creates nothing: no database, no folder,
    ///     no lock file, no checkpoint.
    /// - Throws: ``ConfigError`` `.unsupportedBackend` (exit 78) when `state.database` names
    ///   PostgreSQL (the jobs still need SQLite); `.missingFile` (exit 78) when the state database does not
    ///   exist and may not be created; ``JobError`` `.busy` (exit 75) when another run holds
    ///   the lock; ``AuditError`` `.unanchored` (exit 77) when the log was rewritten, rolled
    ///   back or lost its checkpoints; ``StoreError``, ``AuditError`` or ``JobError`` for
    ///   folders that cannot be created.
    public init(config: ArlinkConfiguration, reporter: any RunReporter = SilentReporter(), now: @escaping @Sendable () -> Date = { Date() },
                checkAnchor: Bool = true, createState: Bool = false, dryRun: Bool = false) throws {
        try config.state.requireSQLite(for: "this run")
        self.config = config
        self.reporter = reporter
        self.now = now
        let exists = FileManager.default.fileExists(atPath: config.state.databasePath)
        if !createState && !config.state.create && !exists {
            throw ConfigError(.missingFile, """
                state.database: \(config.state.databasePath) does not exist. If this is a new installation, create it with \
                `arlink init --config \(config.sourcePath)` (or set state.create: true); otherwise correct the path: \
                a new, empty state would place every account again
                """)
        }
        if dryRun && !exists {
            self.lock = nil
            self.store = try StateStore(path: ":memory:")
        } else {
            try PrivateFolder.ensure(URL(fileURLWithPath: config.state.databasePath).deletingLastPathComponent().path)
            try PrivateFolder.ensure(config.state.workDirectory)
            try PrivateFolder.ensure(URL(fileURLWithPath: config.audit.checkpointFile).deletingLastPathComponent().path, mode: 0o755)
            do {
                self.lock = try RunLock(databasePath: config.state.databasePath)
            } catch let error as JobError where error.code == .busy {
                Self.recordRefusedRun(config: config, error: error, reporter: reporter)
                throw error
            }
            self.store = try StateStore(path: config.state.databasePath)
        }
        self.audit = try Self.auditLog(config, store: store)
        // A dry run without a database signs no checkpoint of the empty log; it checks the
        // anchor only against a checkpoint file that exists (and stops, as a real run would).
        let inMemory = dryRun && !exists
        if checkAnchor && (!inMemory || FileManager.default.fileExists(atPath: config.audit.checkpointFile)) {
            try audit.requireAnchored()
        }
    }

    /// The audit log of `store` with the configured audit key, origin and checkpoint file.
    /// - Throws: ``ConfigError`` for an encrypted audit key (not supported), ``AuditError`` `.key`.
    static func auditLog(_ config: ArlinkConfiguration, store: StateStore) throws -> AuditLog {
        if config.audit.passphrase != nil {
            throw ConfigError(.invalidValue, "audit.passphrase_file/passphrase_env: an encrypted audit key is not supported yet; store the Ed25519 audit key unencrypted with mode 0600 (or keep it on a hardware token in a later version)")
        }
        let signer = try AuditSigner(privateKeyPath: config.audit.keyPath, keyName: config.audit.origin)
        return try AuditLog(
            store: store, actor: .current(), signer: signer, origin: config.audit.origin,
            checkpointFile: config.audit.checkpointFile, checkpointEvery: config.audit.checkpointEvery
        )
    }

    /// SHA-256 of the configuration file's bytes (goes into the audit log).
    public var configSHA256: String {
        guard let sha = try? ReusableSHA256() else { return "" }
        return sha.digest(config.sourceBytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Our signing identity (company signing certificate and key).
    public func signingIdentity() throws -> SigningIdentity {
        let s = config.company.signing
        return try SigningIdentity(certificatePath: s.certificatePath, keyPath: s.keyPath ?? "", passphrase: s.passphrase.map(Self.passphrase))
    }

    /// Our decryption identity (company encryption certificate and key).
    public func decryptionIdentity() throws -> DecryptionIdentity {
        let e = config.company.encryption
        return try DecryptionIdentity(certificatePath: e.certificatePath, keyPath: e.keyPath ?? "", passphrase: e.passphrase.map(Self.passphrase))
    }

    /// The recipients of everything we send to `partner`: the partner, then our archive.
    public func recipients(for partner: PartnerSettings) throws -> [RecipientCertificate] {
        [try RecipientCertificate(path: partner.encryptionCertificate), try RecipientCertificate(path: config.company.archive.certificatePath)]
    }

    /// The partner's trust policy for opening what it sends.
    public func trustPolicy(for partner: PartnerSettings) -> TrustPolicy {
        Self.trustPolicy(for: partner, now: now())
    }

    /// The partner's trust policy at `now` (also for `keys check`, which has no run context).
    public static func trustPolicy(for partner: PartnerSettings, now: Date) -> TrustPolicy {
        TrustPolicy(pinned: partner.signingCertificates, caPath: partner.caCertificate, crlPath: partner.crlFile,
                    mode: TrustPolicy.Mode(rawValue: partner.trust) ?? .pinned,
                    expiredCRL: TrustPolicy.ExpiredCRL(rawValue: partner.crlExpired) ?? .refuse, now: now, partnerName: partner.id.rawValue)
    }

    /// Loads every key, passphrase and certificate a run of `partners` needs, and every trust
    /// file of those partners, before anything is fetched, built or applied: a fault on our
    /// side stops the run at once (77 for loose permissions, 78 for unusable files) and is never
    /// found halfway through a partner's file.
    /// The transports' local files count too: the SFTP client key (owner-only, Ed25519 or
    /// ECDSA), known_hosts, the HTTPS CA file, client certificate and key.
    /// - Returns: warnings to report (an expired CRL used by choice).
    /// - Throws: ``EnvelopeError``; ``TransportError`` `.keyPermissions` (77) or `.config` (78).
    public func checkKeysAndTrust(for partners: [PartnerSettings]) throws -> [String] {
        try Self.checkKeysAndTrust(config, partners: partners, now: now())
    }

    /// The same checks without a run context (`arlink config check`): nothing is opened,
    /// locked or created.
    public static func checkKeysAndTrust(_ config: ArlinkConfiguration, partners: [PartnerSettings], now: Date) throws -> [String] {
        let s = config.company.signing, e = config.company.encryption
        _ = try SigningIdentity(certificatePath: s.certificatePath, keyPath: s.keyPath ?? "", passphrase: s.passphrase.map(passphrase))
        _ = try DecryptionIdentity(certificatePath: e.certificatePath, keyPath: e.keyPath ?? "", passphrase: e.passphrase.map(passphrase))
        _ = try RecipientCertificate(path: config.company.archive.certificatePath)
        var warnings: [String] = []
        for partner in partners {
            switch partner.envelope {
            case .cms:
                _ = try RecipientCertificate(path: partner.encryptionCertificate)
                warnings += try Envelope.checkTrust(trustPolicy(for: partner, now: now))
            case .openpgp:
                try checkOpenPGPFiles(config, partner: partner)
            }
            try checkTransportFiles(partner)
        }
        return warnings
    }

    /// Checks the local files `partner`'s transport needs (``TransportSettings/checkLocalFiles()``),
    /// naming the partner in the error; for HTTPS also parses `ca_file` and the client
    /// certificate, pairs it with its key and checks that both are valid today.
    /// - Throws: ``TransportError`` `.keyPermissions` (77) or `.config` (78).
    public static func checkTransportFiles(_ partner: PartnerSettings) throws {
        do {
            try transportSettings(partner).checkLocalFiles()
        } catch let error as TransportError {
            throw TransportError(error.code, "partner \(partner.id.rawValue): \(error.message)", underlying: error.underlying)
        }
        // HTTPS certificates parsed, the client certificate paired with its key, each valid today.
        guard case .https(let https) = partner.transport else { return }
        var items: [KeyCheck.Item] = []
        if let ca = https.caFile { items.append(.init(role: "ca_file", certificatePath: ca, keyPath: nil)) }
        if let certificate = https.clientCertificatePath {
            items.append(.init(role: "client_certificate and client_key", certificatePath: certificate, keyPath: https.clientKeyPath,
                               passphrase: https.clientKeyPassphrase.map(passphrase)))
        }
        for row in KeyCheck.run(items) where !row.ok {
            throw TransportError(.config, "partner \(partner.id.rawValue): https transport \(row.role) \(row.path): \(row.problems.joined(separator: "; "))")
        }
    }

    /// The transport configured for `partner`.
    public func transport(for partner: PartnerSettings) throws -> any Transport {
        try makeTransport(Self.transportSettings(partner))
    }

    /// Maps the configuration's transport section to the transport module's settings.
    public static func transportSettings(_ partner: PartnerSettings) -> TransportSettings {
        let rulesPattern = partner.feedbackNamePattern
        switch partner.transport {
        case .folder(let f):
            return .folder(FolderSettings(
                inbox: f.inbox, outbox: f.outbox, processed: f.processed,
                rules: OutboxRules(namePattern: rulesPattern, stabilityInterval: .seconds(f.stableSeconds))
            ))
        case .sftp(let s):
            return .sftp(SFTPSettings(
                host: s.host, port: s.port, username: s.user, privateKeyPath: s.privateKeyPath,
                passphrase: s.passphrase.map(transportSecret), hostKeySHA256: s.hostKeySHA256,
                knownHostsPath: s.knownHostsPath, inboxPath: s.inboxPath, outboxPath: s.outboxPath,
                processedPath: s.deleteAfterFetch ? nil : (s.processedPath ?? s.outboxPath + "/processed"),
                rules: OutboxRules(namePattern: rulesPattern, stabilityInterval: .seconds(s.stableSeconds), doneMarkerSuffix: s.doneMarkerSuffix),
                connectTimeout: .seconds(s.connectTimeoutSeconds),
                retry: RetryPolicy(maxAttempts: s.retries + 1)
            ))
        case .https(let h):
            return .https(HTTPSSettings(
                uploadURLTemplate: h.uploadURL, caFile: h.caFile, clientCertificatePath: h.clientCertificatePath,
                clientKeyPath: h.clientKeyPath, clientKeyPassphrase: h.clientKeyPassphrase.map(transportSecret),
                listingURL: h.listURL, fetchURLTemplate: h.downloadURL, processedURLTemplate: h.processedURL,
                rules: OutboxRules(namePattern: rulesPattern), connectTimeout: .seconds(h.connectTimeoutSeconds),
                retry: RetryPolicy(maxAttempts: h.retries + 1)
            ))
        }
    }

    /// Where a key's passphrase comes from, as the envelope reads it.
    public static func passphrase(_ source: PassphraseSource) -> Passphrase {
        switch source {
        case .file(let path): .file(path)
        case .environment(let name): .environment(name)
        }
    }

    static func transportSecret(_ source: PassphraseSource) -> TransportSecret {
        switch source {
        case .file(let path): .file(path)
        case .environment(let name): .environment(name)
        }
    }
}
