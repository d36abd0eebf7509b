public import ARLinkConfig
public import ARLinkEnvelope
import ARLinkCore
public import Foundation

/// The partner's envelope (`envelope: cms | openpgp`) for the jobs: one place that seals what
/// we send, opens what a partner sends, and names the key a signed header must carry.
extension RunContext {
    /// Our OpenPGP secret key (`company.openpgp.key`), loaded and unlocked once per run.
    /// - Throws: ``ConfigError`` when `company.openpgp` is missing; ``EnvelopeError``
    ///   `keyPermissions` (77), `passphrase`, `badKey`, `missingFile`.
    public func openPGPKey() throws -> OpenPGPSecretKey {
        if let loadedOpenPGPKey { return loadedOpenPGPKey }
        guard let settings = config.company.openPGP else {
            throw ConfigError(.missingKey, "company.openpgp: an OpenPGP partner needs our OpenPGP secret key (company.openpgp.key) and archive certificate (company.openpgp.archive)")
        }
        let key = try OpenPGPSecretKey(path: settings.keyPath, passphrase: settings.passphrase.map(Self.passphrase))
        loadedOpenPGPKey = key
        return key
    }

    /// Our earlier OpenPGP secret keys (`company.openpgp.previous_keys`), still accepted for
    /// decryption during a rotation; each owner-only and unlocked.
    public func openPGPPreviousKeys() throws -> [OpenPGPSecretKey] {
        try (config.company.openPGP?.previousKeys ?? []).map { file in
            try OpenPGPSecretKey(path: file.keyPath, passphrase: file.passphrase.map(Self.passphrase))
        }
    }

    /// Loads our OpenPGP key (owner-only, unlocked), our OpenPGP archive certificate and
    /// `partner`'s pinned certificates (each against its fingerprint), without a run context.
    /// - Throws: ``ConfigError`` for missing settings, ``EnvelopeError`` for unusable files.
    public static func checkOpenPGPFiles(_ config: ArlinkConfiguration, partner: PartnerSettings) throws {
        guard let ours = config.company.openPGP else {
            throw ConfigError(.missingKey, "company.openpgp: an OpenPGP partner needs our OpenPGP secret key (company.openpgp.key) and archive certificate (company.openpgp.archive)")
        }
        _ = try OpenPGPSecretKey(path: ours.keyPath, passphrase: ours.passphrase.map(passphrase))
        for file in ours.previousKeys { _ = try OpenPGPSecretKey(path: file.keyPath, passphrase: file.passphrase.map(passphrase)) }
        _ = try OpenPGPCertificate(path: ours.archiveCertificatePath)
        guard let pins = partner.openPGP?.certificates, !pins.isEmpty else {
            throw ConfigError(.missingKey, "partner \(partner.id.rawValue): envelope: openpgp needs openpgp.certificates")
        }
        for pin in pins { _ = try OpenPGPCertificate(path: pin.path, expectedFingerprint: pin.fingerprint) }
    }

    /// The partner's pinned OpenPGP certificates, each checked against its configured fingerprint.
    public func openPGPPinned(for partner: PartnerSettings) throws -> [OpenPGPCertificate] {
        guard let settings = partner.openPGP else {
            throw ConfigError(.missingKey, "partner \(partner.id.rawValue): envelope: openpgp needs openpgp.certificates")
        }
        return try settings.certificates.map { pin throws(EnvelopeError) in
            try OpenPGPCertificate(path: pin.path, expectedFingerprint: pin.fingerprint)
        }
    }

    /// The recipients of everything we send to an OpenPGP partner: its pinned certificate we
    /// encrypt to today (``openPGPEncryptionPin(for:config:now:)``), then our OpenPGP archive
    /// certificate.
    public func openPGPRecipients(for partner: PartnerSettings) throws -> [OpenPGPCertificate] {
        guard let archive = config.company.openPGP?.archiveCertificatePath else {
            throw ConfigError(.missingKey, "company.openpgp.archive: an OpenPGP partner needs our OpenPGP archive certificate")
        }
        return [try Self.openPGPEncryptionPin(for: partner, now: now()), try OpenPGPCertificate(path: archive)]
    }

    /// The partner certificate we encrypt to at `now`: of the pins whose window holds today
    /// (UTC) and whose key can encrypt (not expired, not revoked), the newest by key creation.
    /// - Throws: ``EnvelopeError`` `badTrustConfiguration` (78) when no pin qualifies, naming each and why.
    public static func openPGPEncryptionPin(for partner: PartnerSettings, now: Date) throws -> OpenPGPCertificate {
        guard let pins = partner.openPGP?.certificates, !pins.isEmpty else {
            throw ConfigError(.missingKey, "partner \(partner.id.rawValue): envelope: openpgp needs openpgp.certificates")
        }
        let today = LocalDate(utcDayOf: now)
        var usable: [OpenPGPCertificate] = []
        var reasons: [String] = []
        for pin in pins {
            let certificate = try OpenPGPCertificate(path: pin.path, expectedFingerprint: pin.fingerprint)
            if !pin.isInWindow(on: today) {
                reasons.append("\(pin.fingerprint): outside its window \(pin.windowText)")
            } else if try !certificate.canEncrypt(at: now) {
                reasons.append("\(pin.fingerprint): no key that may encrypt today (expired or revoked)")
            } else {
                usable.append(certificate)
            }
        }
        // The newest key; among keys made in the same second, the first listed.
        guard let newest = usable.enumerated().max(by: { a, b in
            a.element.created != b.element.created ? a.element.created < b.element.created : a.offset > b.offset
        })?.element else {
            throw EnvelopeError(.badTrustConfiguration,
                                "partner \(partner.id.rawValue): no pinned OpenPGP certificate can be encrypted to on \(today) (\(reasons.joined(separator: "; ")))")
        }
        return newest
    }

    /// Whom an OpenPGP partner's signatures are trusted from, at the run's time: the pins whose
    /// window holds today (the signature check then refuses expired or revoked keys).
    public func openPGPTrust(for partner: PartnerSettings) throws -> OpenPGPTrust {
        let today = LocalDate(utcDayOf: now())
        let inWindow = Set((partner.openPGP?.certificates ?? []).filter { $0.isInWindow(on: today) }.map(\.fingerprint))
        let pinned = try openPGPPinned(for: partner).filter { inWindow.contains($0.fingerprint) }
        guard !pinned.isEmpty else {
            throw EnvelopeError(.badTrustConfiguration, "partner \(partner.id.rawValue): no pinned OpenPGP certificate is in its window on \(today)")
        }
        return OpenPGPTrust(pinned: pinned, now: now(), partnerName: partner.id.rawValue)
    }

    /// `recipient_key_sha256` for a header we send to `partner`: the SHA-256 of the partner's
    /// CMS encryption certificate (DER), or for OpenPGP partners ``OpenPGPHeaderKey`` of the
    /// certificate we encrypt to.
    public func partnerKeySHA256(for partner: PartnerSettings) throws -> String {
        switch partner.envelope {
        case .cms: try RecipientCertificate(path: partner.encryptionCertificate).sha256Fingerprint
        case .openpgp: try openPGPRecipients(for: partner)[0].headerKeySHA256
        }
    }

    /// `recipient_key_sha256` a header to us from `partner` carries: our CMS encryption
    /// certificate's SHA-256, or for OpenPGP partners ``OpenPGPHeaderKey`` of our OpenPGP key.
    public func ourKeySHA256(for partner: PartnerSettings, identity: DecryptionIdentity) throws -> String {
        switch partner.envelope {
        case .cms: identity.sha256Fingerprint
        case .openpgp: try openPGPKey().headerKeySHA256
        }
    }

    /// Every `recipient_key_sha256` a header from `partner` may carry: ``ourKeySHA256(for:identity:)``
    /// and, for OpenPGP partners, that of each earlier key still accepted during a rotation.
    public func acceptedKeySHA256s(for partner: PartnerSettings, identity: DecryptionIdentity) throws -> Set<String> {
        var accepted: Set<String> = [try ourKeySHA256(for: partner, identity: identity)]
        if partner.envelope == .openpgp {
            for key in try openPGPPreviousKeys() { accepted.insert(key.headerKeySHA256) }
        }
        return accepted
    }

    /// Seals `input` for `partner` (and our archive) into `output` with the partner's envelope.
    /// Progress on a terminal: `sealing NAME`, the plaintext bytes read.
    public func seal(for partner: PartnerSettings, input: String, output: String) throws -> SealResult {
        let step = "sealing " + URL(fileURLWithPath: output).lastPathComponent
        switch partner.envelope {
        case .cms:
            return try Envelope.seal(input: input, output: output, signer: try signingIdentity(), recipients: try recipients(for: partner),
                                     progress: reporter.byteProgress(step, total: Self.fileSize(input)))
        case .openpgp:
            let settings = partner.openPGP
            let options = OpenPGPSealOptions(armor: settings?.armor ?? false,
                                             compression: settings?.compression == "zlib" ? .zlib : .none)
            let size = Self.fileSize(input)
            let result = try Envelope.sealOpenPGP(input: input, output: output, signer: try openPGPKey(),
                                                  recipients: try openPGPRecipients(for: partner), options: options, now: now(),
                                                  progress: reporter.byteProgress(step, total: size))
            if let size { reporter.progress(step: step, done: size, total: size) }  // compressed output ends short of the plaintext's size
            return result
        }
    }

    /// Opens a file from `partner` with the partner's envelope: decrypts with our key and checks
    /// the signature against the partner's pins; the plaintext appears at `output` only then.
    /// Progress on a terminal: `opening NAME`, the plaintext bytes written of the envelope's size.
    /// - Throws: ``EnvelopeError`` (a partner's fault, or ``EnvelopeError/isLocalFault`` for ours).
    public func open(from partner: PartnerSettings, input: String, output: String, identity: DecryptionIdentity,
                     knownSealedSHA256: String? = nil, durable: Bool) throws(EnvelopeError) -> OpenResult {
        let step = "opening " + URL(fileURLWithPath: input).lastPathComponent
        let size = Self.fileSize(input)
        switch partner.envelope {
        case .cms:
            let result = try Envelope.open(input: input, output: output, identity: identity, trust: trustPolicy(for: partner),
                                           allowCBC: partner.allowCBC,
                                           legacyKeyTransport: Set(partner.legacyKeyTransport.compactMap(LegacyKeyTransport.init(rawValue:))),
                                           knownSealedSHA256: knownSealedSHA256, durable: durable, progress: reporter.byteProgress(step, total: size))
            if let size { reporter.progress(step: step, done: size, total: size) }  // the plaintext is a little shorter than the envelope
            return result
        case .openpgp:
            let key: OpenPGPSecretKey
            let previousKeys: [OpenPGPSecretKey]
            let trust: OpenPGPTrust
            do {
                key = try openPGPKey()
                previousKeys = try openPGPPreviousKeys()
                trust = try openPGPTrust(for: partner)
            } catch let error as EnvelopeError {
                throw error
            } catch {
                throw EnvelopeError(.badTrustConfiguration, "partner \(partner.id.rawValue): \(error)")
            }
            let result = try Envelope.openOpenPGP(input: input, output: output, key: key, previousKeys: previousKeys, trust: trust, durable: durable,
                                                  progress: reporter.byteProgress(step, total: size))
            if let size { reporter.progress(step: step, done: size, total: size) }
            return result
        }
    }

    /// A regular file's size, for progress (nil when it cannot be read).
    public static func fileSize(_ path: String) -> Int64? {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value
    }
}
