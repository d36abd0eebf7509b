import ARLinkCore
import ARLinkInbound
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// Certificates made with the `openssl` CLI for the trust tests, under the fixture's `keys` folder.
extension InboundFixture {
    /// A self-signed EC P-256 CA at `keys/<name>.crt` and `.key`.
    func makeCA(_ name: String, pathLength: Int? = nil) throws {
        try makeParent(name)
        let constraint = "basicConstraints=critical,CA:TRUE" + (pathLength.map { ",pathlen:\($0)" } ?? "")
        try openssl(["req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", "\(keys)/\(name).key", "-subj", "/O=Test/CN=\(name.replacingOccurrences(of: "/", with: " "))", "-days", "30", "-out", "\(keys)/\(name).crt",
                     "-addext", constraint, "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-addext", "subjectKeyIdentifier=hash"])
        now = max(now, Date().addingTimeInterval(1))
    }

    /// An EC P-256 certificate at `keys/<name>.crt` and `.key` issued by `keys/<ca>` with `extensions` (openssl extfile lines).
    func issue(_ name: String, by ca: String, extensions: [String]) throws {
        let csr = dir.file("\(UUID().uuidString).csr"), ext = dir.file("\(UUID().uuidString).ext")
        try makeParent(name)
        try openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(keys)/\(name).key",
                     "-subj", "/O=Test/CN=\(name.replacingOccurrences(of: "/", with: " "))", "-out", csr])
        try (extensions + ["subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"]).joined(separator: "\n")
            .write(toFile: ext, atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", csr, "-CA", "\(keys)/\(ca).crt", "-CAkey", "\(keys)/\(ca).key",
                     "-set_serial", String(UInt32.random(in: 1...UInt32.max)), "-days", "30", "-extfile", ext, "-out", "\(keys)/\(name).crt"])
        chmod("\(keys)/\(name).key", 0o600)
        // The certificate is valid from the second it was made: the run's clock must not be earlier.
        now = max(now, Date().addingTimeInterval(1))
    }

    /// A leaf certificate fit for signing.
    func issueSigner(_ name: String, by ca: String, extra: [String] = []) throws {
        try issue(name, by: ca, extensions: ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature"] + extra)
    }

    /// An intermediate CA certificate.
    func issueIntermediate(_ name: String, by ca: String) throws {
        try issue(name, by: ca, extensions: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    func makeParent(_ name: String) throws {
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: "\(keys)/\(name)").deletingLastPathComponent().path,
                                                withIntermediateDirectories: true)
    }

    func openssl(_ arguments: [String]) throws {
        let r = try ProcessRunner.run("openssl", arguments)
        try #require(r.status == 0, "openssl \(arguments.first ?? "") failed: \(r.stderr)")
    }

    /// An empty CRL of the partner CA at `keys/ca/partner.crl`, valid for one day from now.
    func makeOneDayCRL() throws {
        let folder = dir.file("crl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "".write(toFile: folder + "/index.txt", atomically: true, encoding: .utf8)
        try "01\n".write(toFile: folder + "/crlnumber", atomically: true, encoding: .utf8)
        try "[ ca ]\ndefault_ca = CA_default\n[ CA_default ]\ndatabase = \(folder)/index.txt\ncrlnumber = \(folder)/crlnumber\ndefault_md = sha256\n"
            .write(toFile: folder + "/ca.cnf", atomically: true, encoding: .utf8)
        try openssl(["ca", "-config", folder + "/ca.cnf", "-gencrl", "-keyfile", keys + "/ca/partner-ca.key", "-cert", keys + "/ca/partner-ca.crt",
                     "-crldays", "1", "-out", keys + "/ca/partner.crl"])
    }

    /// Replaces text in the configuration file.
    func editConfig(_ old: String, _ new: String) throws {
        let yaml = try String(contentsOfFile: configPath, encoding: .utf8)
        try #require(yaml.contains(old), "the configuration has no \(old)")
        try yaml.replacingOccurrences(of: old, with: new).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// The partner's certificates section of the demo configuration.
    static let demoCertificates = """
        certificates:
              signing: [keys/partner/signing.crt]
              encryption: keys/partner/encryption.crt
              ca: keys/ca/partner-ca.crt
        """

    /// Drops sequence 1 (one risk event) signed by `signer`, optionally carrying `certfile`.
    func dropSigned(by signer: String, certfile: String? = nil) throws {
        try seedPlacements(accounts: 2)
        let plain = try plaintext(try header(sequence: 1, previous: nil), [Events.risk("R1", accountRef(1), score: 3)])
        try seal(plain.path, as: name(1), signer: signer, certfile: certfile)
    }

    /// The `detail` of the `file.applied` audit entries.
    func appliedAuditEntries() throws -> [String] {
        try store().read { db in try String.fetchAll(db.sqlite, sql: "SELECT entry FROM audit_entry WHERE entry LIKE '%\"file.applied\"%'") }
    }
}

/// Pins are authoritative: the signer must be a pinned certificate, and the CA, where given,
/// must validate its chain as well. Accepting whatever a CA issued is an explicit `trust: ca`.
@Suite("Signer trust: pins are authoritative, CA-only trust is explicit", .serialized, .timeLimit(.minutes(10)))
struct SignerTrustTests {
    func quarantinedCodes(_ f: InboundFixture) throws -> [String] {
        let report = try f.run()
        let codes = report.partners.flatMap { $0.quarantined.map(\.code) }
        if !codes.isEmpty { #expect(report.exitStatus == .dataError) }
        #expect(report.partners.first?.processed.isEmpty == true, "nothing may be applied")
        return codes
    }

    @Test("an unpinned certificate issued by the partner's CA is refused when pins are configured")
    func unpinnedFromPartnerCA() throws {
        let f = try InboundFixture()
        try f.issueSigner("rogue/unpinned", by: "ca/partner-ca")
        try f.dropSigned(by: "rogue/unpinned")
        #expect(try quarantinedCodes(f) == ["envelope.untrusted_signer"])
    }

    @Test("a certificate under an intermediate carried in the message is refused when pins are configured")
    func intermediateInMessage() throws {
        let f = try InboundFixture()
        try f.issueIntermediate("rogue/intermediate", by: "ca/partner-ca")
        try f.issueSigner("rogue/leaf", by: "rogue/intermediate")
        try f.dropSigned(by: "rogue/leaf", certfile: "rogue/intermediate")
        #expect(try quarantinedCodes(f) == ["envelope.untrusted_signer"])
    }

    @Test("a pinned certificate whose chain the configured CA does not validate is refused")
    func pinnedOutsideCA() throws {
        let f = try InboundFixture()
        try f.makeCA("other/ca")
        try f.issueSigner("other/pinned", by: "other/ca")
        try f.editConfig("signing: [keys/partner/signing.crt]", "signing: [keys/partner/signing.crt, keys/other/pinned.crt]")
        try f.dropSigned(by: "other/pinned")
        #expect(try quarantinedCodes(f) == ["envelope.untrusted_signer"])
    }

    @Test("the pinned partner certificate is accepted, and file.applied records its fingerprint")
    func pinnedAccepted() throws {
        let f = try InboundFixture()
        try f.dropSigned(by: "partner/signing")
        let report = try f.run()
        #expect(report.partners.first?.processed == [f.name(1)])
        let fingerprint = try ProcessRunner.run("openssl", ["x509", "-in", f.keys + "/partner/signing.crt", "-noout", "-fingerprint", "-sha256"])
            .stdout.split(separator: "=").last.map { $0.replacingOccurrences(of: ":", with: "").lowercased().trimmingCharacters(in: .whitespacesAndNewlines) }
        let entries = try f.appliedAuditEntries()
        #expect(entries.count == 1)
        #expect(entries.first?.contains("\"signer_sha256\":\"\(try #require(fingerprint))\"") == true, "\(entries)")
    }

    @Test("trust: ca accepts a certificate the CA issued without a pin")
    func caModeAcceptsIssued() throws {
        let f = try InboundFixture()
        try f.editConfig(InboundFixture.demoCertificates, """
            trust: ca
                certificates:
                  encryption: keys/partner/encryption.crt
                  ca: keys/ca/partner-ca.crt
            """)
        try f.issueSigner("rogue/issued", by: "ca/partner-ca", extra: ["extendedKeyUsage=emailProtection"])
        try f.dropSigned(by: "rogue/issued")
        let report = try f.run()
        #expect(report.partners.first?.processed == [f.name(1)], "\(report.partners)")
    }

    @Test("trust: ca refuses a certificate with only the serverAuth extended key usage")
    func caModeRefusesServerAuth() throws {
        let f = try InboundFixture()
        try f.editConfig(InboundFixture.demoCertificates, """
            trust: ca
                certificates:
                  encryption: keys/partner/encryption.crt
                  ca: keys/ca/partner-ca.crt
            """)
        try f.issueSigner("rogue/server", by: "ca/partner-ca", extra: ["extendedKeyUsage=serverAuth"])
        try f.dropSigned(by: "rogue/server")
        #expect(try quarantinedCodes(f) == ["envelope.signer_key_usage"])
    }

    @Test("trust: ca refuses a chain longer than the CA's path length allows")
    func caModePathLength() throws {
        let f = try InboundFixture()
        try f.makeCA("strict/ca", pathLength: 0)
        try f.issueIntermediate("strict/intermediate", by: "strict/ca")
        try f.issueSigner("strict/leaf", by: "strict/intermediate")
        try f.editConfig(InboundFixture.demoCertificates, """
            trust: ca
                certificates:
                  encryption: keys/partner/encryption.crt
                  ca: keys/strict/ca.crt
            """)
        try f.dropSigned(by: "strict/leaf", certfile: "strict/intermediate")
        #expect(try quarantinedCodes(f) == ["envelope.untrusted_signer"])
    }

    @Test("pins are required unless trust: ca is chosen (configuration error 78)")
    func caWithoutPinsNeedsExplicitMode() throws {
        let f = try InboundFixture()
        try f.editConfig("      signing: [keys/partner/signing.crt]\n", "")
        do {
            _ = try f.run()
            Issue.record("a partner with a CA and no pins must be refused at load")
        } catch let error as any ARLinkFailure {
            #expect(error.exitStatus == .config, "\(error)")
            #expect(error.message.contains("trust: ca"), "\(error.message)")
        }
    }

    @Test("an expired CRL stops the run (78, nothing fetched) unless crl_expired: warn")
    func expiredCRL() throws {
        let f = try InboundFixture()
        try f.makeOneDayCRL()
        try f.editConfig("ca: keys/ca/partner-ca.crt", "ca: keys/ca/partner-ca.crt\n      crl: keys/ca/partner.crl")
        try f.dropSigned(by: "partner/signing")
        f.now = Date().addingTimeInterval(2 * 86_400)
        do {
            _ = try f.run()
            Issue.record("an expired CRL must stop the run")
        } catch let error as any ARLinkFailure {
            #expect(error.codeName == "envelope.bad_trust_configuration", "\(error)")
            #expect(error.exitStatus == .config)
            #expect(error.message.contains("expired"), "\(error.message)")
        }
        #expect(f.files(f.outbox) == [f.name(1)], "nothing fetched")
        #expect(f.files(f.work + "/quarantine").isEmpty)
        try f.editConfig("crl: keys/ca/partner.crl", "crl: keys/ca/partner.crl\n      crl_expired: warn")
        let warned = try f.run()
        #expect(warned.partners.first?.processed == [f.name(1)], "\(warned.partners)")
    }
}
