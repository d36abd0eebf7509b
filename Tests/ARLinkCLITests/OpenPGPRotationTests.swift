import ARLinkTestSupport
import Foundation
import Testing

/// Key rotation with an OpenPGP partner, through the built `arlink` binary with GnuPG as the
/// partner: pins with windows, the newest valid pin encrypted to, and our own earlier key still
/// decrypting during a rotation.
@Suite("OpenPGP key rotation: pinned windows, the newest valid pin, our previous key", .serialized, .timeLimit(.minutes(10)),
       .enabled(if: gpgAvailable, "needs gpg (GnuPG 2.2): run scripts/setup.sh"))
struct OpenPGPRotationTests {
    typealias Setup = OpenPGPPartnerTests.Setup

    /// The key ids gpg's status lines say a message is encrypted to (`ENC_TO`).
    static func encryptedTo(_ status: String) -> Set<String> {
        Set(status.split(separator: "\n").compactMap { line -> String? in
            let parts = line.split(separator: " ")
            return parts.count >= 3 && parts[1] == "ENC_TO" ? String(parts[2]) : nil
        })
    }

    /// The key ids of the encryption subkeys of `name`'s key.
    static func encryptionSubkeys(_ s: Setup, _ name: String) throws -> Set<String> {
        let listed = try s.gpg(["--with-colons", "--list-keys", try s.fingerprint(name)])
        return Set(listed.stdout.split(separator: "\n").filter { $0.hasPrefix("sub:") }.map { String($0.split(separator: ":", omittingEmptySubsequences: false)[4]) })
    }

    static func day(_ offset: Int) -> String {
        String(ISO8601DateFormatter().string(from: Date().addingTimeInterval(Double(offset) * 86_400)).prefix(10))
    }

    /// Adds `valid_from`/`valid_until` to the pin of `name`.
    static func window(_ s: Setup, _ name: String, from: String? = nil, until: String? = nil) throws {
        let fpr = try s.fingerprint(name)
        let yaml = try String(contentsOfFile: s.config, encoding: .utf8)
        let lines = (from.map { "          valid_from: \($0)\n" } ?? "") + (until.map { "          valid_until: \($0)\n" } ?? "")
        let edited = yaml.replacingOccurrences(of: "          fingerprint: \(fpr)\n", with: "          fingerprint: \(fpr)\n" + lines)
        try #require(edited != yaml)
        try s.dir.write("demo/pgp.yaml", edited)
    }

    func portfolioStatus(_ s: Setup) throws -> String {
        let portfolio = try #require(s.names(s.inbox).first { $0.contains("_portfolio_") })
        return try s.gpgOpen(s.inbox + "/" + portfolio).status
    }

    @Test("a pin past its window is neither encrypted to nor trusted; the pin in its window is both; keys check says which")
    func pinWindows() throws {
        let s = try Setup(extraPins: ["partner-rsa"])
        try Self.window(s, "partner-ed", until: Self.day(-1))
        try Self.window(s, "partner-rsa", from: Self.day(-30))
        #expect(try s.arlink(["init"]).status == 0)
        let outbound = try s.arlink(["outbound", "run"])
        #expect(outbound.status == 0, "\(outbound.stderr)")
        let status = try portfolioStatus(s)
        let to = Self.encryptedTo(status)
        #expect(!to.isDisjoint(with: try Self.encryptionSubkeys(s, "partner-rsa")), "\(status)")
        #expect(to.isDisjoint(with: try Self.encryptionSubkeys(s, "partner-ed")), "\(status)")

        // Signed by the pin past its window: quarantined as untrusted; by the valid pin: applied.
        let old = try s.dropFeedback(sequence: 1, previous: nil, account: "C000001", invoice: "INV-1", amount: "1.00", signer: "partner-ed")
        let refused = try s.arlink(["inbound", "run", "--log-format", "json"])
        #expect(refused.status == 65, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stdout.contains("\"code\":\"envelope.untrusted_signer\""), "\(refused.stdout)")
        #expect(s.names(s.quarantine).flatMap { s.names(s.quarantine + "/" + $0) }.contains(old))
        let portfolio = try #require(s.names(s.inbox).first { $0.contains("_portfolio_") })
        let invoice = try OpenPGPPartnerTests.firstEURInvoice(try s.gpgOpen(s.inbox + "/" + portfolio).lines)
        _ = try s.dropFeedback(sequence: 1, previous: nil, account: invoice.account, invoice: invoice.invoice, amount: invoice.amount,
                               signer: "partner-rsa")
        let applied = try s.arlink(["inbound", "run"])
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        #expect(applied.stdout.contains("1 file(s) processed, 0 quarantined"), "\(applied.stdout)")

        let keys = try s.arlink(["keys", "check"])
        #expect(keys.stdout.contains("outside its pinned window"), "\(keys.stdout)")
        #expect(keys.stdout.contains("acme-collect OpenPGP certificate (we encrypt to it)"), "\(keys.stdout)")

        // Every pin past its window: nothing to encrypt to or trust is our configuration's fault
        // (78), and keys check fails the partner (77).
        try Self.window(s, "partner-rsa", until: Self.day(-1))
        _ = try s.dropFeedback(sequence: 2, previous: nil, account: invoice.account, invoice: invoice.invoice, amount: "0.01", signer: "partner-rsa")
        let none = try s.arlink(["inbound", "run"])
        #expect(none.status == 78, "\(none.stdout)\(none.stderr)")
        #expect(none.stderr.contains("no pinned OpenPGP certificate"), "\(none.stderr)")
        #expect(s.names(s.outbox).count == 1, "the partner's file stays in its outbox")
        let failed = try s.arlink(["keys", "check"])
        #expect(failed.status == 77, "\(failed.stdout)")
        #expect(failed.stdout.contains("no pinned certificate can be encrypted to today"), "\(failed.stdout)")
    }

    @Test("of two valid pins we encrypt to the newer key, wherever it is listed")
    func newestPin() throws {
        let s = try Setup()
        let made = try s.gpg(["--quick-gen-key", "Acme Collect 2027 <ops-2027@acme-collect.example>", "ed25519", "sign,cert", "2y"])
        try #require(made.status == 0, "\(made.stderr)")
        let listed = try s.gpg(["--with-colons", "--list-keys", "ops-2027@acme-collect.example"])
        let fpr = try #require(listed.stdout.split(separator: "\n").first { $0.hasPrefix("fpr:") }?.split(separator: ":", omittingEmptySubsequences: false)[9])
        try #require(try s.gpg(["--quick-add-key", String(fpr), "cv25519", "encr", "2y"]).status == 0)
        try #require(try s.gpg(["--export", "-o", s.keys + "/partner-new.pub", String(fpr)]).status == 0)
        try "\(fpr)\n".write(toFile: s.keys + "/partner-new.fpr", atomically: true, encoding: .utf8)
        let yaml = try String(contentsOfFile: s.config, encoding: .utf8)
        try s.dir.write("demo/pgp.yaml", yaml.replacingOccurrences(
            of: "    transport:\n", with: "        - file: \(s.keys)/partner-new.pub\n          fingerprint: \(fpr)\n    transport:\n"))
        #expect(try s.arlink(["init"]).status == 0)
        let outbound = try s.arlink(["outbound", "run"])
        #expect(outbound.status == 0, "\(outbound.stderr)")
        let to = Self.encryptedTo(try portfolioStatus(s))
        #expect(!to.isDisjoint(with: try Self.encryptionSubkeys(s, "partner-new")), "\(to)")
        #expect(to.isDisjoint(with: try Self.encryptionSubkeys(s, "partner-ed")), "\(to)")
        // The header names the key we encrypted to, as the partner computes it.
        let portfolio = try #require(s.names(s.inbox).first { $0.contains("_portfolio_") })
        #expect(try s.gpgOpen(s.inbox + "/" + portfolio).lines.first?.contains(try s.headerKey("partner-new")) == true)
    }

    @Test("our key rotated: the new key signs; files encrypted to the previous key (header naming it) still apply; keys check lists it")
    func ourPreviousKey() throws {
        let s = try Setup()
        let yaml = try String(contentsOfFile: s.config, encoding: .utf8)
        let rotated = yaml.replacingOccurrences(of: "    key: \(s.keys)/us-ed.sec\n",
                                                with: "    key: \(s.keys)/us-rsa.sec\n    previous_keys:\n      - key: \(s.keys)/us-ed.sec\n")
        try #require(rotated != yaml)
        try s.dir.write("demo/pgp.yaml", rotated)
        #expect(try s.arlink(["init"]).status == 0)
        let outbound = try s.arlink(["outbound", "run"])
        #expect(outbound.status == 0, "\(outbound.stderr)")
        let portfolio = try #require(s.names(s.inbox).first { $0.contains("_portfolio_") })
        let opened = try s.gpgOpen(s.inbox + "/" + portfolio)
        #expect(opened.status.contains("[GNUPG:] VALIDSIG \(try s.fingerprint("us-rsa"))"), "\(opened.status)")
        let invoice = try OpenPGPPartnerTests.firstEURInvoice(opened.lines)

        // Still in flight: encrypted to the previous key, the header naming it.
        let first = try s.dropFeedback(sequence: 1, previous: nil, account: invoice.account, invoice: invoice.invoice, amount: invoice.amount,
                                       signer: "partner-ed", headerKey: "us-ed", recipient: "us-ed")
        let run1 = try s.arlink(["inbound", "run"])
        #expect(run1.status == 0, "\(run1.stdout)\(run1.stderr)")
        #expect(run1.stdout.contains("1 file(s) processed, 0 quarantined"), "\(run1.stdout)")
        #expect(s.names(s.demo + "/partner-pgp/processed").contains(first))

        // After the partner switched: encrypted to the new key.
        let plain = s.dir.file("feedback-1.jsonl")
        let previousSHA = try ProcessRunner.run("/bin/sh", ["-c", "sha256sum '\(plain)'"]).stdout.prefix(64)
        _ = try s.dropFeedback(sequence: 2, previous: String(previousSHA), account: invoice.account, invoice: invoice.invoice, amount: "0.01",
                               signer: "partner-ed", headerKey: "us-rsa", recipient: "us-rsa")
        let run2 = try s.arlink(["inbound", "run"])
        #expect(run2.status == 0 || run2.status == 65, "\(run2.stdout)\(run2.stderr)")
        #expect(run2.stdout.contains("1 file(s) processed, 0 quarantined"), "\(run2.stdout)")

        let keys = try s.arlink(["keys", "check"])
        #expect(keys.stdout.contains("company OpenPGP key (previous, decrypts only)"), "\(keys.stdout)")
        #expect(keys.status == 0, "\(keys.stdout)")

        // Without previous_keys, a file to the old key is not for us: quarantined.
        try s.dir.write("demo/pgp.yaml", rotated.replacingOccurrences(of: "    previous_keys:\n      - key: \(s.keys)/us-ed.sec\n", with: ""))
        _ = try s.dropFeedback(sequence: 3, previous: nil, account: invoice.account, invoice: invoice.invoice, amount: "0.01",
                               signer: "partner-ed", headerKey: "us-ed", recipient: "us-ed")
        let run3 = try s.arlink(["inbound", "run", "--log-format", "json"])
        #expect(run3.stdout.contains("\"code\":\"envelope.not_for_us\""), "\(run3.stdout)")
    }
}
