import ARLinkConfig
import ARLinkCore
import ARLinkEnvelope
import ARLinkInbound
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// A partner whose CMS stack still hands over the content key with RSA PKCS#1 v1.5 (the
/// `openssl cms -encrypt` default for an RSA recipient): refused unless the partner's
/// `legacy_key_transport` lists it, and then recorded in the audit log at every use.
@Suite("Legacy key transport, a per-partner opt-in (openssl CLI defaults as the partner)", .serialized, .timeLimit(.minutes(10)))
struct LegacyKeyTransportTests {

    /// Drops sequence 1 sealed with the CLI's default RSA key transport (PKCS#1 v1.5), runs inbound.
    func runWithCLIDefaults(_ f: InboundFixture) throws -> InboundReport {
        try f.seedPlacements(accounts: 2)
        let plain = try f.plaintext(try f.header(sequence: 1, previous: nil),
                                    [try Events.payment("P1", f.accountRef(1), "10.00", on: f.today)])
        try f.seal(plain.path, as: f.name(1), recipientOptions: "")
        return try f.run()
    }

    func legacyEntries(_ f: InboundFixture) throws -> [String] {
        try f.store().read { try String.fetchAll($0.sqlite, sql: "SELECT entry FROM audit_entry WHERE action = 'envelope.legacy_key_transport'") }
    }

    @Test("without the opt-in the file is quarantined as a disallowed algorithm, naming the option that would allow it")
    func refusedByDefault() throws {
        let f = try InboundFixture()
        let report = try runWithCLIDefaults(f)
        let p = try #require(report.partners.first)
        #expect(p.quarantined.map(\.code) == ["envelope.disallowed_algorithm"])
        #expect(p.quarantined.first?.message.contains("legacy_key_transport") == true)
        #expect(p.eventsAccepted == 0)
        #expect(try legacyEntries(f).isEmpty)
    }

    @Test("an opt-in for another legacy form does not let PKCS#1 v1.5 through")
    func otherOptInRefused() throws {
        let f = try InboundFixture(partnerExtra: ["legacy_key_transport: [rsa_oaep_sha1, ecdh_sha1_kdf]"])
        let report = try runWithCLIDefaults(f)
        #expect(report.partners.first?.quarantined.map(\.code) == ["envelope.disallowed_algorithm"])
        #expect(try legacyEntries(f).isEmpty)
    }

    @Test("with the opt-in the file is applied, warned of, and each use is in the audit log")
    func allowedAndAudited() throws {
        let f = try InboundFixture(partnerExtra: ["legacy_key_transport: [rsa_pkcs1v15]"])
        let report = try runWithCLIDefaults(f)
        let p = try #require(report.partners.first)
        #expect(p.processed == [f.name(1)])
        #expect(p.quarantined.isEmpty)
        #expect(p.eventsAccepted == 1)
        let entries = try legacyEntries(f)
        #expect(entries.count == 1)
        #expect(entries.first?.contains("rsa_pkcs1v15") == true)
        #expect(entries.first?.contains(f.name(1)) == true)
    }

    @Test("the configuration, the envelope and the schema name the same legacy forms")
    func namesAgree() throws {
        #expect(PartnerSettings.legacyKeyTransportNames == LegacyKeyTransport.names)
        let schema = try String(contentsOfFile: RepositoryPaths.root + "/schemas/config.v1.schema.json", encoding: .utf8)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(schema.utf8)) as? [String: Any])
        let found = try #require(Self.find("legacy_key_transport", in: json) as? [String: Any])
        let items = try #require(found["items"] as? [String: Any])
        #expect(items["enum"] as? [String] == LegacyKeyTransport.names)
    }

    @Test("an unknown name, or the option on an OpenPGP partner, is a configuration error naming the key")
    func configErrors() throws {
        let f = try InboundFixture(partnerExtra: ["legacy_key_transport: [rsa_md5]"])
        #expect(throws: ConfigError.self) { try ArlinkConfiguration.load(path: f.configPath) }
        do {
            _ = try ArlinkConfiguration.load(path: f.configPath)
        } catch let error as ConfigError {
            #expect(error.message.contains("legacy_key_transport[0]"))
            #expect(error.message.contains("rsa_pkcs1v15"))
        }
    }

    static func find(_ key: String, in value: Any) -> Any? {
        if let dict = value as? [String: Any] {
            if let hit = dict[key] { return hit }
            for child in dict.values { if let hit = find(key, in: child) { return hit } }
        } else if let list = value as? [Any] {
            for child in list { if let hit = find(key, in: child) { return hit } }
        }
        return nil
    }
}
