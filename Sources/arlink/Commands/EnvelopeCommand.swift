import ArgumentParser
import ARLinkEnvelope

/// `arlink envelope seal|open|inspect`: the CMS envelope by hand, for operators and partner
/// onboarding. Same code as the jobs; exit codes per design section 3.
struct EnvelopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "envelope",
        abstract: "Seal, open or inspect an envelope: CMS (SignedData inside AuthEnvelopedData, AES-256-GCM) or OpenPGP (signed, SEIPD v1 + MDC, AES-256).",
        subcommands: [Seal.self, Open.self, Inspect.self]
    )

    /// Which envelope profile a command speaks.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case cms
        case openpgp
    }

    /// Passphrase options for an encrypted private key (never inline).
    struct PassphraseOptions: ParsableArguments {
        @Option(name: .long, help: "File whose first line is the private key's passphrase (mode 0600).")
        var passphraseFile: String?

        @Option(name: .long, help: "Environment variable holding the private key's passphrase.")
        var passphraseEnv: String?

        func validate() throws {
            if passphraseFile != nil && passphraseEnv != nil {
                throw ValidationError("give --passphrase-file or --passphrase-env, not both")
            }
        }

        var source: Passphrase? {
            if let passphraseFile { return .file(passphraseFile) }
            if let passphraseEnv { return .environment(passphraseEnv) }
            return nil
        }
    }

    struct Seal: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign a file and encrypt it to one or more recipients.")

        @Option(name: .customLong("in"), help: "The plaintext file.") var input: String
        @Option(name: .customLong("out"), help: "Where the envelope (DER, or an OpenPGP message) is written.") var output: String
        @Option(name: .long, help: "cms (default) or openpgp.") var format: Format = .cms
        @Option(name: .long, help: "CMS: our signing certificate (EC P-256 or RSA >= 3072).") var signCert: String?
        @Option(name: .long, help: "Our signing private key (mode 0600); for openpgp an OpenPGP secret key file.") var signKey: String
        @Option(name: .customLong("to"), help: "A recipient certificate (repeat: the partner and our archive); for openpgp an OpenPGP certificate file.") var recipients: [String] = []
        @Flag(name: .long, help: "OpenPGP: ASCII armour instead of binary packets.") var armor = false
        @Option(name: .long, help: "OpenPGP: compression, none (default) or zlib.") var compression: String = "none"
        @OptionGroup var passphrase: PassphraseOptions

        func validate() throws {
            if recipients.isEmpty { throw ValidationError("give at least one --to CERT") }
            switch format {
            case .cms:
                if signCert == nil { throw ValidationError("--format cms needs --sign-cert CERT") }
                if armor || compression != "none" { throw ValidationError("--armor and --compression are OpenPGP options (--format openpgp)") }
            case .openpgp:
                if signCert != nil { throw ValidationError("--sign-cert is a CMS option; OpenPGP keys carry their own certificate (--sign-key FILE)") }
                if OpenPGPSealOptions.Compression(rawValue: compression) == nil {
                    throw ValidationError("--compression must be none or zlib")
                }
            }
        }

        func run() throws {
            if format == .openpgp { return try runOpenPGP() }
            guard let signCert else { return }
            try Console.run {
                let signer = try SigningIdentity(certificatePath: signCert, keyPath: signKey, passphrase: passphrase.source)
                let recipientCerts = try recipients.map { path throws(EnvelopeError) in try RecipientCertificate(path: path) }
                let result = try Envelope.seal(input: input, output: output, signer: signer, recipients: recipientCerts)
                print("sealed \(input) -> \(output)")
                print("plaintext: \(result.plaintextBytes) bytes, sha256 \(result.plaintextSHA256)")
                print("envelope:  \(result.sealedBytes) bytes, sha256 \(result.sealedSHA256)")
                print("signer:    \(signer.certificate.subject) (sha256 \(signer.certificate.sha256Fingerprint))")
                for r in recipientCerts { print("recipient: \(r.subject) (sha256 \(r.sha256Fingerprint))") }
            }
        }

        private func runOpenPGP() throws {
            try Console.run {
                let signer = try OpenPGPSecretKey(path: signKey, passphrase: passphrase.source)
                let certificates = try recipients.map { path throws(EnvelopeError) in try OpenPGPCertificate(path: path) }
                let options = OpenPGPSealOptions(armor: armor, compression: OpenPGPSealOptions.Compression(rawValue: compression) ?? .none)
                let result = try Envelope.sealOpenPGP(input: input, output: output, signer: signer, recipients: certificates, options: options)
                print("sealed \(input) -> \(output) (OpenPGP)")
                print("plaintext: \(result.plaintextBytes) bytes, sha256 \(result.plaintextSHA256)")
                print("message:   \(result.sealedBytes) bytes, sha256 \(result.sealedSHA256)")
                print("signer:    \(signer.shortName)")
                for c in certificates { print("recipient: \(c.shortName)") }
            }
        }
    }

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decrypt an envelope and verify its signature against pinned certificates.")

        @Option(name: .customLong("in"), help: "The envelope.") var input: String
        @Option(name: .customLong("out"), help: "Where the plaintext is written (only when every check passes).") var output: String
        @Option(name: .long, help: "cms (default) or openpgp.") var format: Format = .cms
        @Option(name: .long, help: "CMS: our decryption certificate.") var cert: String?
        @Option(name: .long, help: "Our decryption private key (mode 0600); for openpgp an OpenPGP secret key file.") var key: String
        @Option(name: .customLong("trust"), help: "A pinned signer certificate (repeat for rotation overlap); for openpgp an OpenPGP certificate file, pinned by its primary-key fingerprint.") var trusted: [String] = []
        @Option(name: .long, help: "The partner's CA: it must validate the pinned signer's chain; alone (no --trust), any signer it issued is trusted.") var ca: String?
        @Option(name: .long, help: "A CRL file checked for the signer.") var crl: String?
        @Option(name: .long, help: "The partner's name, for messages.") var partner: String = "partner"
        @Flag(name: .long, help: "Accept AES-CBC EnvelopedData (a partner exception; warns).") var allowCBC = false
        @Option(name: .long, help: "Accept a weak key transport (a partner exception; warns; repeatable): rsa_pkcs1v15, rsa_oaep_sha1 or ecdh_sha1_kdf.")
        var legacyKeyTransport: [String] = []
        @OptionGroup var passphrase: PassphraseOptions

        @Option(name: .long, help: "OpenPGP: the largest plaintext as a multiple of the message's size (a compression bomb is refused).") var maxRatio: Int = 100

        func validate() throws {
            switch format {
            case .cms:
                if trusted.isEmpty && ca == nil { throw ValidationError("give at least one --trust CERT (or --ca CERT)") }
                if cert == nil { throw ValidationError("--format cms needs --cert CERT") }
                for name in legacyKeyTransport where LegacyKeyTransport(rawValue: name) == nil {
                    throw ValidationError("--legacy-key-transport \(name): expected one of \(LegacyKeyTransport.names.joined(separator: ", "))")
                }
            case .openpgp:
                if trusted.isEmpty { throw ValidationError("give at least one --trust FILE (the partner's OpenPGP certificate)") }
                if cert != nil || ca != nil || crl != nil || allowCBC || !legacyKeyTransport.isEmpty {
                    throw ValidationError("--cert, --ca, --crl, --allow-cbc and --legacy-key-transport are CMS options (--format cms)")
                }
                if maxRatio < 1 { throw ValidationError("--max-ratio must be at least 1") }
            }
        }

        func run() throws {
            if format == .openpgp { return try runOpenPGP() }
            guard let cert else { return }
            try Console.run {
                let identity = try DecryptionIdentity(certificatePath: cert, keyPath: key, passphrase: passphrase.source)
                let policy = TrustPolicy(pinned: trusted, caPath: ca, crlPath: crl, mode: trusted.isEmpty ? .ca : .pinned, partnerName: partner)
                let result = try Envelope.open(input: input, output: output, identity: identity, trust: policy, allowCBC: allowCBC,
                                               legacyKeyTransport: Set(legacyKeyTransport.compactMap(LegacyKeyTransport.init(rawValue:))))
                for warning in result.warnings { Console.writeStderr("arlink: warning: \(warning)\n") }
                print("opened \(input) -> \(output)")
                print("signer:    \(result.signerSubject) (sha256 \(result.signerFingerprint))")
                print("plaintext: \(result.plaintextBytes) bytes, sha256 \(result.plaintextSHA256)")
                print("envelope:  \(result.sealedBytes) bytes, sha256 \(result.sealedSHA256)")
            }
        }

        private func runOpenPGP() throws {
            try Console.run {
                let ourKey = try OpenPGPSecretKey(path: key, passphrase: passphrase.source)
                let pinned = try trusted.map { path throws(EnvelopeError) in try OpenPGPCertificate(path: path) }
                let trust = OpenPGPTrust(pinned: pinned, partnerName: partner)
                let result = try Envelope.openOpenPGP(input: input, output: output, key: ourKey, trust: trust, maxDecompressionRatio: maxRatio)
                print("opened \(input) -> \(output) (OpenPGP)")
                print("signer:    \(result.signerSubject) (fingerprint \(result.signerFingerprint))")
                print("plaintext: \(result.plaintextBytes) bytes, sha256 \(result.plaintextSHA256)")
                print("message:   \(result.sealedBytes) bytes, sha256 \(result.sealedSHA256)")
            }
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show content types, algorithms, recipients and signer without decrypting.")

        @Option(name: .customLong("in"), help: "The envelope or signed file.") var input: String
        @Option(name: .long, help: "cms (default) or openpgp.") var format: Format = .cms

        func run() throws {
            try Console.run {
                if format == .openpgp {
                    for line in try Envelope.inspectOpenPGP(input: input) { print(line) }
                    return
                }
                let report = try Envelope.inspect(input: input)
                for line in report.lines { print(line) }
            }
        }
    }
}
