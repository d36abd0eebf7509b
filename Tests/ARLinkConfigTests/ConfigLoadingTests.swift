import ARLinkConfig
import ARLinkCore
import ARLinkTestSupport
import Foundation
import Testing

@Suite("Configuration loading", .timeLimit(.minutes(10)))
struct ConfigLoadingTests {
    /// A demo-shaped folder: the demo configuration with the example keys copied beside it.
    static func demoFolder() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory("config")
        try RepositoryPaths.copyExampleKeys(to: dir.path)
        let yaml = try String(contentsOfFile: RepositoryPaths.root + "/config/demo.yaml", encoding: .utf8)
        try dir.write("arlink.yaml", yaml)
        return dir
    }

    static func load(_ dir: TemporaryDirectory, replacing old: String, with new: String) throws -> ArlinkConfiguration {
        let yaml = try String(contentsOfFile: dir.file("arlink.yaml"), encoding: .utf8)
        #expect(yaml.contains(old), "fixture does not contain \(old)")
        try dir.write("arlink.yaml", yaml.replacingOccurrences(of: old, with: new))
        return try ArlinkConfiguration.load(path: dir.file("arlink.yaml"))
    }

    @Test("the demo configuration loads with paths resolved against its folder")
    func demoLoads() throws {
        let dir = try Self.demoFolder()
        defer { dir.remove() }
        let config = try ArlinkConfiguration.load(path: dir.file("arlink.yaml"))
        #expect(config.company.id.rawValue == "acme-corp")
        #expect(config.state.databasePath == dir.file("state/arlink.sqlite"))
        #expect(config.company.signing.keyPath == dir.file("keys/company/signing.key"))
        let partner = try config.partner("acme-collect")
        #expect(partner.selection.minDaysPastDue == 60)
        #expect(partner.selection.minBalance[try Currency("EUR")] == Money(minorUnits: 5000, currency: try Currency("EUR")))
        #expect(partner.selection.excludedGroups == ["intercompany"])
        #expect(partner.minimisation.allowed.contains(.taxID))
        #expect(partner.minimisation.masks[.taxID] == .lastCharacters(4))
        guard case .folder(let folder) = partner.transport else { Issue.record("expected a folder transport"); return }
        #expect(folder.inbox == dir.file("partner/inbox"))
        #expect(config.erp.updateFormats == ["jsonl", "csv"])
    }

    @Test("a folder transport waits 5 seconds for a stable size unless stable_seconds says otherwise (the demo says 0)")
    func folderStableSecondsDefault() throws {
        let dir = try Self.demoFolder()
        defer { dir.remove() }
        let demo = try ArlinkConfiguration.load(path: dir.file("arlink.yaml"))
        guard case .folder(let explicit) = try demo.partner("acme-collect").transport else { Issue.record("expected a folder transport"); return }
        #expect(explicit.stableSeconds == 0)
        let yaml = try String(contentsOfFile: dir.file("arlink.yaml"), encoding: .utf8)
        let line = try #require(yaml.split(separator: "\n").first { $0.contains("stable_seconds:") })
        let config = try Self.load(dir, replacing: String(line) + "\n", with: "")
        guard case .folder(let folder) = try config.partner("acme-collect").transport else { Issue.record("expected a folder transport"); return }
        #expect(folder.stableSeconds == 5)
    }

    @Test("an unknown key is refused with its path and a suggestion")
    func unknownKeySuggests() throws {
        let dir = try Self.demoFolder()
        defer { dir.remove() }
        do {
            _ = try Self.load(dir, replacing: "min_days_past_due: 60", with: "min_dayz_past_due: 60")
            Issue.record("expected an error")
        } catch let error as ConfigError {
            #expect(error.code == .unknownKey)
            #expect(error.message == "partners[0].selection.min_dayz_past_due: unknown key; did you mean min_days_past_due?")
            #expect(error.exitStatus == .config)
        }
    }

    @Test("a missing required key is named")
    func missingKey() throws {
        let dir = try Self.demoFolder()
        defer { dir.remove() }
        #expect(throws: ConfigError(.missingKey, "")) {
            _ = try Self.load(dir, replacing: "  open_items: erp/open_items.csv\n", with: "")
        }
        do {
            _ = try Self.load(dir, replacing: "  customers: erp/customers.csv\n", with: "")
        } catch let error as ConfigError {
            #expect(error.message.hasPrefix("erp.open_items: missing required key") || error.message.hasPrefix("erp.customers: missing required key"))
        }
    }

    @Test("inline secrets are refused")
    func inlineSecret() throws {
        let dir = try Self.demoFolder()
        defer { dir.remove() }
        do {
            _ = try Self.load(dir, replacing: "    key: keys/company/signing.key\n", with: "    key: keys/company/signing.key\n    passphrase: hunter2\n")
            Issue.record("expected an error")
        } catch let error as ConfigError {
            #expect(error.code == .inlineSecret)
            #expect(error.message.hasPrefix("company.signing.passphrase: secrets are never written inline"))
            #expect(!error.message.contains("hunter2"))
        }
    }

    @Test("a missing key file is named with its resolved path")
    func missingFile() throws {
        let dir = try Self.demoFolder()
        defer { dir.remove() }
        try FileManager.default.removeItem(atPath: dir.file("keys/partner/encryption.crt"))
        do {
            _ = try ArlinkConfiguration.load(path: dir.file("arlink.yaml"))
            Issue.record("expected an error")
        } catch let error as ConfigError {
            #expect(error.code == .missingFile)
            #expect(error.message.contains("partners[0].certificates.encryption"))
            #expect(error.message.contains(dir.file("keys/partner/encryption.crt")))
        }
    }

    @Test("an SFTP partner without a host-key pin is refused")
    func sftpNeedsPin() throws {
        let dir = try Self.demoFolder()
        defer { dir.remove() }
        let sftp = ["type: sftp", "host: 127.0.0.1", "user: demo", "private_key: keys/ssh/client_ed25519",
                    "inbox_path: /in", "outbox_path: /out"].map { "      " + $0 }.joined(separator: "\n")
        do {
            _ = try Self.load(dir, replacing: "      type: folder\n      inbox: partner/inbox\n      outbox: partner/outbox\n      processed: partner/processed", with: sftp)
            Issue.record("expected an error")
        } catch let error as ConfigError {
            #expect(error.code == .missingKey)
            #expect(error.message.hasPrefix("partners[0].transport.host_key_sha256: an SFTP partner needs its host key pinned"))
        }
    }

    @Test("bad values name the key and what was expected", arguments: [
        ("min_days_past_due: 60", "min_days_past_due: soon", "partners[0].selection.min_days_past_due: \"soon\" is not a whole number"),
        ("default_currency: EUR", "default_currency: EURO", "erp.default_currency: \"EURO\" is not an ISO 4217 currency code"),
        ("portfolio_format: jsonl", "portfolio_format: xml", "partners[0].portfolio_format: \"xml\" is not a format"),
        ("tax_id: last4", "tax_id: first4", "partners[0].masking.tax_id: \"first4\" is not a mask"),
        ("id: acme-collect", "id: ACME_Collect", "partners[0].id: \"ACME_Collect\" is not a valid party id"),
    ])
    func badValues(old: String, new: String, expected: String) throws {
        let dir = try Self.demoFolder()
        defer { dir.remove() }
        do {
            _ = try Self.load(dir, replacing: old, with: new)
            Issue.record("expected an error for \(new)")
        } catch let error as ConfigError {
            #expect(error.message.hasPrefix(expected), "got: \(error.message)")
        }
    }

    @Test("the shipped configuration files satisfy schemas/config.v1.schema.json (python jsonschema)")
    func schemaValidatesShippedFiles() throws {
        let script = """
            import json, sys, yaml, jsonschema
            schema = json.load(open(sys.argv[1]))
            v = jsonschema.Draft202012Validator(schema)
            bad = 0
            for f in sys.argv[2:]:
                for e in v.iter_errors(yaml.safe_load(open(f))):
                    print(f, list(e.absolute_path), e.message); bad += 1
            sys.exit(1 if bad else 0)
            """
        let root = RepositoryPaths.root
        let ok = try ProcessRunner.run("python3", ["-c", script, root + "/schemas/config.v1.schema.json",
                                                   root + "/config/demo.yaml", root + "/config/arlink.example.yaml"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        // The schema must be able to fail: a misspelt key is refused.
        let dir = try TemporaryDirectory("schema")
        defer { dir.remove() }
        let yaml = try String(contentsOfFile: root + "/config/demo.yaml", encoding: .utf8)
        try dir.write("bad.yaml", yaml.replacingOccurrences(of: "min_days_past_due", with: "min_dayz_past_due"))
        let bad = try ProcessRunner.run("python3", ["-c", script, root + "/schemas/config.v1.schema.json", dir.file("bad.yaml")])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("min_dayz_past_due"))
    }
}
