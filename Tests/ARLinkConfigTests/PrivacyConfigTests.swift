import ARLinkConfig
import ARLinkCore
import ARLinkTestSupport
import Foundation
import Testing

@Suite("Configuration: jurisdiction, transfer basis, agreement and DPIA", .timeLimit(.minutes(10)))
struct PrivacyConfigTests {
    static let agreementBlock = """
            agreement:
              reference: DEMO-SCC-2025-001
              sha256: 120555c20f7268fa4b22e86fc7fd6f4472fd017439368dfbcfb788240e0408a2
              valid_from: \"2025-01-01\"
              valid_until: \"2036-11-26\"

        """

    static func refused(_ old: String, _ new: String) throws -> ConfigError {
        let dir = try ConfigLoadingTests.demoFolder()
        defer { dir.remove() }
        do {
            _ = try ConfigLoadingTests.load(dir, replacing: old, with: new)
        } catch let error as ConfigError {
            return error
        }
        Issue.record("expected a configuration error")
        return ConfigError(.syntax, "")
    }

    @Test("the demo: our country DE, the partner in SG on a contract with its agreement's hash and validity, and a DPIA")
    func demo() throws {
        let dir = try ConfigLoadingTests.demoFolder()
        defer { dir.remove() }
        let config = try ArlinkConfiguration.load(path: dir.file("arlink.yaml"))
        #expect(config.company.country == "DE")
        let p = try config.partner("acme-collect").privacy
        #expect(p.country == "SG")
        #expect(p.transferBasis == .contract)
        #expect(p.agreement?.reference == "DEMO-SCC-2025-001")
        #expect(p.agreement?.sha256 == SHA256.hex(SHA256.hash(Array("arlink demo: example data-processing agreement between ACME Corporation and ACME Collections (not a real contract)\n".utf8))))
        #expect(p.agreement?.validFrom == LocalDate(iso: "2025-01-01"))
        #expect(p.agreement?.validUntil == LocalDate(iso: "2036-11-26"))
        #expect(p.dpia?.id == "DEMO-DPIA-2025-004")
        #expect(p.dpia?.date == LocalDate(iso: "2025-01-15"))
        #expect(try config.partner("acme-collect").selection.requireTransferConsent == false)
    }

    @Test("bad values and keys name the key and the fix")
    func refusals() throws {
        let misspelt = try Self.refused("transfer_basis: contract", "transfer_basis: contrakt")
        #expect(misspelt.code == .invalidValue)
        #expect(misspelt.message.hasPrefix("partners[0].transfer_basis:"))
        #expect(misspelt.message.contains("did you mean contract?"))
        let key = try Self.refused("transfer_basis: contract", "transfer_bases: contract")
        #expect(key.code == .unknownKey)
        #expect(key.message.contains("partners[0].transfer_bases: unknown key; did you mean transfer_basis?"), "\(key.message)")
        let noAgreement = try Self.refused(Self.agreementBlock, "")
        #expect(noAgreement.code == .missingKey)
        #expect(noAgreement.message.hasPrefix("partners[0].agreement: transfer_basis contract needs the signed agreement"))
        let country = try Self.refused("  country: DE\n", "  country: Germany\n")
        #expect(country.message.hasPrefix("company.country:"))
        let noCountry = try Self.refused("  country: DE\n", "")
        #expect(noCountry.code == .missingKey)
        #expect(noCountry.message.hasPrefix("company.country: missing required key"))
        let sha = try Self.refused("sha256: 120555c2", "sha256: 120555")
        #expect(sha.message.hasPrefix("partners[0].agreement.sha256: expected 64 hex digits"))
        let dates = try Self.refused("valid_until: \"2036-11-26\"", "valid_until: \"2024-12-31\"")
        #expect(dates.message.hasPrefix("partners[0].agreement.valid_until: 2024-12-31 is before valid_from 2025-01-01"))
        let dpia = try Self.refused("      date: \"2025-01-15\"", "      dat: \"2025-01-15\"")
        #expect(dpia.code == .missingKey || dpia.code == .unknownKey)
        #expect(dpia.message.contains("partners[0].dpia.dat"))
    }

    @Test("a named agreement document must have the configured SHA-256")
    func documentHash() throws {
        let dir = try ConfigLoadingTests.demoFolder()
        defer { dir.remove() }
        try dir.write("dpa.txt", "arlink demo: example data-processing agreement between ACME Corporation and ACME Collections (not a real contract)\n")
        let config = try ConfigLoadingTests.load(dir, replacing: "      valid_from:", with: "      document: dpa.txt\n      valid_from:")
        #expect(try config.partner("acme-collect").privacy.agreement?.documentPath == dir.file("dpa.txt"))
        try dir.write("dpa.txt", "a different text\n")
        do {
            _ = try ArlinkConfiguration.load(path: dir.file("arlink.yaml"))
            Issue.record("a changed document must be refused")
        } catch let error as ConfigError {
            #expect(error.message.hasPrefix("partners[0].agreement.sha256: the document"))
            #expect(error.exitStatus == .config)
        }
    }

    @Test("transfer decisions: same country, cross-border with and without a basis, agreement validity, consent")
    func decisions() throws {
        let dir = try ConfigLoadingTests.demoFolder()
        defer { dir.remove() }
        let day = try #require(LocalDate(iso: "2026-06-30"))
        let demo = try ArlinkConfiguration.load(path: dir.file("arlink.yaml")).partner("acme-collect")
        #expect(demo.transferDecision(companyCountry: "DE", on: day) == .allowed(.contract))
        // The agreement's own days count; the day after valid_until and the day before valid_from do not.
        #expect(demo.transferDecision(companyCountry: "DE", on: try #require(LocalDate(iso: "2036-11-26"))) == .allowed(.contract))
        guard case .refused("agreement_expired", let expired) = demo.transferDecision(companyCountry: "DE", on: try #require(LocalDate(iso: "2036-11-27"))) else {
            Issue.record("expected agreement_expired"); return
        }
        #expect(expired.contains("partners[].agreement.valid_until"))
        guard case .refused("agreement_not_yet_valid", _) = demo.transferDecision(companyCountry: "DE", on: try #require(LocalDate(iso: "2024-12-31"))) else {
            Issue.record("expected agreement_not_yet_valid"); return
        }
        // No basis: fine in the same country, refused across a border; same_country across a border is refused too.
        let noBasis = try ConfigLoadingTests.load(dir, replacing: "    transfer_basis: contract\n", with: "").partner("acme-collect")
        #expect(noBasis.transferDecision(companyCountry: "SG", on: day) == .allowed(.sameCountry))
        guard case .refused("no_transfer_basis", let message) = noBasis.transferDecision(companyCountry: "DE", on: day) else {
            Issue.record("expected no_transfer_basis"); return
        }
        #expect(message.contains("partners[].transfer_basis"))
        let same = try ConfigLoadingTests.load(dir, replacing: "    country: SG\n", with: "    country: SG\n    transfer_basis: same_country\n").partner("acme-collect")
        guard case .refused("no_transfer_basis", _) = same.transferDecision(companyCountry: "DE", on: day) else {
            Issue.record("same_country across a border must be refused"); return
        }
        let consent = try ConfigLoadingTests.load(dir, replacing: "    transfer_basis: same_country\n", with: "    transfer_basis: consent\n").partner("acme-collect")
        #expect(consent.transferDecision(companyCountry: "DE", on: day) == .allowed(.consent))
        #expect(consent.selection.requireTransferConsent)
    }
}
