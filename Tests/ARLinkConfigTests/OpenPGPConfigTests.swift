import ARLinkConfig
import ARLinkTestSupport
import Foundation
import Testing

/// `envelope: openpgp` partners and `company.openpgp` in the configuration.
@Suite("Configuration: OpenPGP partners", .timeLimit(.minutes(10)))
struct OpenPGPConfigTests {
    static let fingerprint = "94E0 FC4D 9910 4743 EFE3  16A4 EB2F B2E3 A2FA 3850"

    static let companyBlock = """
          archive:
            certificate: keys/company/archive.crt
          openpgp:
            key: pgp/us.sec
            archive: pgp/archive.pub

        """

    static let partnerBlock = """
            envelope: openpgp
            openpgp:
              certificates:
                - file: pgp/partner.pub
                  fingerprint: "\(fingerprint)"

        """

    /// The demo configuration with an OpenPGP partner; the key files only need to exist here
    /// (the configuration does not read them; the jobs and `keys check` do).
    static func folder(company: String = companyBlock, partner: String = partnerBlock) throws -> TemporaryDirectory {
        let dir = try ConfigLoadingTests.demoFolder()
        try FileManager.default.createDirectory(atPath: dir.file("pgp"), withIntermediateDirectories: true)
        for name in ["us.sec", "archive.pub", "partner.pub"] { try dir.write("pgp/" + name, "placeholder\n") }
        var yaml = try String(contentsOfFile: dir.file("arlink.yaml"), encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "  archive:\n    certificate: keys/company/archive.crt\n", with: company)
        yaml = yaml.replacingOccurrences(of: #"    certificates:\n(      [^\n]*\n)+"#, with: partner, options: .regularExpression)
        try dir.write("arlink.yaml", yaml)
        return dir
    }

    /// Loads `dir`'s configuration expecting a ``ConfigError``; returns it.
    static func failure(_ dir: TemporaryDirectory) throws -> ConfigError {
        do {
            _ = try ArlinkConfiguration.load(path: dir.file("arlink.yaml"))
        } catch let error as ConfigError {
            return error
        }
        Issue.record("the configuration loaded")
        throw ConfigError(.syntax, "loaded")
    }

    @Test("an OpenPGP partner loads: pins normalised, defaults none and binary, .pgp feedback names, company keys resolved")
    func loads() throws {
        let dir = try Self.folder()
        defer { dir.remove() }
        let config = try ArlinkConfiguration.load(path: dir.file("arlink.yaml"))
        let partner = try config.partner("acme-collect")
        #expect(partner.envelope == .openpgp)
        let settings = try #require(partner.openPGP)
        #expect(settings.certificates.map(\.path) == [dir.file("pgp/partner.pub")])
        #expect(settings.certificates.map(\.fingerprint) == ["94E0FC4D99104743EFE316A4EB2FB2E3A2FA3850"])
        #expect(settings.compression == "none")
        #expect(settings.armor == false)
        #expect(partner.feedbackNamePattern.hasSuffix(#"\.pgp$"#))
        let ours = try #require(config.company.openPGP)
        #expect(ours.keyPath == dir.file("pgp/us.sec"))
        #expect(ours.passphrase == nil)
        #expect(ours.archiveCertificatePath == dir.file("pgp/archive.pub"))
        // The demo's CMS partner keeps cms and .p7m.
        let demo = try ConfigLoadingTests.demoFolder()
        defer { demo.remove() }
        let cms = try ArlinkConfiguration.load(path: demo.file("arlink.yaml")).partner("acme-collect")
        #expect(cms.envelope == .cms)
        #expect(cms.openPGP == nil)
        #expect(cms.feedbackNamePattern.hasSuffix(#"\.p7m$"#))
    }

    @Test("mistakes are refused naming the key", arguments: [
        ("envelope: openpgp", "envelope: pgp", "partners[0].envelope", ConfigError.Code.invalidValue),
        ("          fingerprint: \"\(fingerprint)\"", "          fingerprint: \"94E0 FC4D\"", "partners[0].openpgp.certificates[0].fingerprint", .invalidValue),
        ("        - file: pgp/partner.pub", "        - file: pgp/missing.pub", "partners[0].openpgp.certificates[0].file", .missingFile),
        ("      certificates:\n", "      compression: bzip2\n      certificates:\n", "partners[0].openpgp.compression", .invalidValue),
        ("      certificates:\n", "      armour: true\n      certificates:\n", "partners[0].openpgp.armour", .unknownKey),
        ("    envelope: openpgp\n", "    envelope: openpgp\n    allow_cbc: true\n", "partners[0].allow_cbc", .invalidValue),
        ("    envelope: openpgp\n", "    envelope: openpgp\n    legacy_key_transport: [rsa_pkcs1v15]\n", "partners[0].legacy_key_transport", .invalidValue),
    ])
    func refusals(old: String, new: String, key: String, code: ConfigError.Code) throws {
        let dir = try Self.folder()
        defer { dir.remove() }
        let yaml = try String(contentsOfFile: dir.file("arlink.yaml"), encoding: .utf8)
        try #require(yaml.contains(old), "fixture lacks \(old)")
        try dir.write("arlink.yaml", yaml.replacingOccurrences(of: old, with: new))
        let error = try Self.failure(dir)
        #expect(error.code == code, "\(error.message)")
        #expect(error.message.hasPrefix(key), "\(error.message)")
    }

    @Test("an OpenPGP partner needs company.openpgp and its own openpgp section; a CMS partner refuses one")
    func requiredSections() throws {
        let noCompany = try Self.folder(company: "  archive:\n    certificate: keys/company/archive.crt\n")
        defer { noCompany.remove() }
        let missing = try Self.failure(noCompany)
        #expect(missing.code == .missingKey)
        #expect(missing.message.hasPrefix("company.openpgp:") && missing.message.contains("acme-collect"), "\(missing.message)")

        let noSection = try Self.folder(partner: "    envelope: openpgp\n")
        defer { noSection.remove() }
        let section = try Self.failure(noSection)
        #expect(section.code == .missingKey)
        #expect(section.message.hasPrefix("partners[0].openpgp:"), "\(section.message)")

        let secret = try Self.folder(company: Self.companyBlock.replacingOccurrences(of: "    key: pgp/us.sec\n", with: "    key: pgp/us.sec\n    passphrase: hunter2\n"))
        defer { secret.remove() }
        let inline = try Self.failure(secret)
        #expect(inline.code == .inlineSecret)
        #expect(!inline.message.contains("hunter2"))

        let cms = try ConfigLoadingTests.demoFolder()
        defer { cms.remove() }
        let yaml = try String(contentsOfFile: cms.file("arlink.yaml"), encoding: .utf8)
        try cms.write("arlink.yaml", yaml.replacingOccurrences(of: "    portfolio_format: jsonl\n", with: "    portfolio_format: jsonl\n    openpgp:\n      armor: true\n"))
        let stray = try Self.failure(cms)
        #expect(stray.message.hasPrefix("partners[0].openpgp:"), "\(stray.message)")
    }

    @Test("schemas/config.v1.schema.json accepts an OpenPGP partner and refuses one without its certificates (python jsonschema)")
    func schema() throws {
        let dir = try Self.folder()
        defer { dir.remove() }
        let script = """
            import json, sys, yaml, jsonschema
            v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
            errors = list(v.iter_errors(yaml.safe_load(open(sys.argv[2]))))
            for e in errors: print(list(e.absolute_path), e.message)
            sys.exit(1 if errors else 0)
            """
        let schema = RepositoryPaths.root + "/schemas/config.v1.schema.json"
        let ok = try ProcessRunner.run("python3", ["-c", script, schema, dir.file("arlink.yaml")])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        let yaml = try String(contentsOfFile: dir.file("arlink.yaml"), encoding: .utf8)
        try dir.write("bad.yaml", yaml.replacingOccurrences(of: "    openpgp:\n", with: "    openpgp_settings:\n"))
        let bad = try ProcessRunner.run("python3", ["-c", script, schema, dir.file("bad.yaml")])
        #expect(bad.status == 1, "\(bad.stdout)")
    }
}
