import ARLinkTestSupport
import Foundation
import Testing

/// A partner with `envelope: openpgp`, end to end through the built `arlink` binary, with GnuPG
/// (a throwaway GNUPGHOME from the envelope tests' key script) playing the partner.
@Suite("OpenPGP partner: outbound, inbound and keys check with gpg as the partner", .serialized,
       .enabled(if: gpgAvailable, "needs gpg (GnuPG 2.2): run scripts/setup.sh"), .timeLimit(.minutes(10)))
struct OpenPGPPartnerTests {
    /// A demo folder (sample extract, example CMS keys, audit key) plus the OpenPGP test keys, and
    /// `pgp.yaml`: the demo configuration with its own state, folders and an OpenPGP partner.
    final class Setup {
        let dir: TemporaryDirectory
        let keys: String
        var demo: String { dir.file("demo") }
        var config: String { demo + "/pgp.yaml" }
        var inbox: String { demo + "/partner-pgp/inbox" }
        var outbox: String { demo + "/partner-pgp/outbox" }
        var quarantine: String { demo + "/state-pgp/work/inbound/acme-collect/quarantine" }

        /// - Parameters:
        ///   - extraPins: more partner certificates (key names of the script) pinned after `partner-ed`.
        ///   - options: lines of the partner's `openpgp` section after its certificates, e.g. `armor: true`.
        init(extraPins: [String] = [], options: [String] = []) throws {
            dir = try TemporaryDirectory("pgp-partner")
            let made = try CLITests.run(["demo", "--workdir", dir.file("demo"), "--customers", "60", "--open-items", "600"])
            try #require(made.status == 0, "demo failed: \(made.stderr)")
            keys = try OpenPGPCLITests.keys(dir)
            var yaml = try String(contentsOfFile: dir.file("demo/arlink.yaml"), encoding: .utf8)
            yaml = yaml.replacingOccurrences(of: "  archive:\n    certificate: keys/company/archive.crt\n", with: """
                  archive:
                    certificate: keys/company/archive.crt
                  openpgp:
                    key: \(keys)/us-ed.sec
                    archive: \(keys)/us-rsa.pub

                """)
            var pins = ""
            for name in ["partner-ed"] + extraPins {
                pins += "        - file: \(keys)/\(name).pub\n          fingerprint: \(try OpenPGPCLITests.fingerprint(keys, name))\n"
            }
            pins += options.map { "      \($0)\n" }.joined()
            yaml = yaml.replacingOccurrences(of: #"    certificates:\n(      [^\n]*\n)+"#, with: "    envelope: openpgp\n    openpgp:\n      certificates:\n" + pins,
                                             options: .regularExpression)
            for (from, to) in [("state/", "state-pgp/"), ("audit/checkpoints", "audit-pgp/checkpoints"), ("erp/import", "erp-pgp/import"),
                               ("partner/", "partner-pgp/")] {
                yaml = yaml.replacingOccurrences(of: from, with: to)
            }
            try #require(yaml.contains("envelope: openpgp") && yaml.contains("openpgp:\n    key:"))
            try dir.write("demo/pgp.yaml", yaml)
            for folder in ["inbox", "outbox", "processed"] {
                try FileManager.default.createDirectory(atPath: demo + "/partner-pgp/" + folder, withIntermediateDirectories: true)
            }
        }

        deinit {
            _ = try? ProcessRunner.run("gpgconf", ["--homedir", keys + "/gnupg", "--kill", "gpg-agent"])
            dir.remove()
        }

        func arlink(_ args: [String]) throws -> ProcessResult { try CLITests.run(args + ["--config", config]) }

        func gpg(_ args: [String]) throws -> ProcessResult { try OpenPGPCLITests.gpg(keys, args) }

        func fingerprint(_ name: String) throws -> String { try OpenPGPCLITests.fingerprint(keys, name) }

        /// `recipient_key_sha256` for an OpenPGP key, computed with `sha256sum` as a partner would.
        func headerKey(_ name: String) throws -> String {
            let r = try ProcessRunner.run("/bin/sh", ["-c", "printf %s \"$0\" | sha256sum", try fingerprint(name)])
            return String(r.stdout.prefix(64))
        }

        func names(_ folder: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() }

        /// Decrypts `path` with gpg; returns gpg's status lines and the plaintext lines.
        func gpgOpen(_ path: String) throws -> (status: String, lines: [String]) {
            let out = dir.file("gpg-\(UUID().uuidString).txt")
            let r = try gpg(["--status-fd", "1", "--decrypt", "-o", out, path])
            #expect(r.status == 0, "\(r.stderr)")
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            return (r.stdout, text.split(separator: "\n").map(String.init))
        }

        /// Writes a feedback file with one payment for `account` and seals it with gpg,
        /// signed by `signer` and encrypted to our key, into the outbox.
        /// - Parameter headerKey: the key whose `recipient_key_sha256` the header names (ours by default).
        /// - Parameter recipient: the key of ours gpg encrypts to (`us-ed` by default).
        func dropFeedback(sequence: Int, previous: String?, account: String, invoice: String, amount: String, signer: String,
                          headerKey headerKeyName: String = "us-ed", recipient: String = "us-ed") throws -> String {
            let created = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
            let day = String(created.prefix(10))
            let header = """
                {"record_type":"header","schema":"feedback.v1","file_id":"\(UUID().uuidString.lowercased())","kind":"feedback",\
                "direction":"inbound","batch_id":"fb-\(sequence)","sequence":\(sequence),"sender":"acme-collect","recipient":"acme-corp",\
                "recipient_key_sha256":"\(try headerKey(headerKeyName))","created_at":"\(created)","previous_file_sha256":\(previous.map { "\"\($0)\"" } ?? "null")}
                """
            let payment = """
                {"record_type":"payment","event_id":"PAY-\(sequence)","account_ref":"\(account)","invoice_number":"\(invoice)",\
                "amount":"\(amount)","currency":"EUR","occurred_on":"\(day)"}
                """
            let trailer = #"{"record_type":"trailer","counts":{"payment":1},"totals":{"EUR":"\#(amount)"}}"#
            let plain = try dir.write("feedback-\(sequence).jsonl", [header, payment, trailer].joined(separator: "\n") + "\n")
            let name = "acme-collect_acme-corp_feedback_\(day.filter { $0 != "-" })_" + String(format: "%06d", sequence) + ".jsonl.pgp"
            let sealed = try gpg(["-u", try fingerprint(signer), "-r", try fingerprint(recipient), "--sign", "--encrypt",
                                  "-o", outbox + "/" + name, plain])
            try #require(sealed.status == 0, "\(sealed.stderr)")
            return name
        }
    }

    /// The first placed EUR invoice in a portfolio: account, invoice number and open amount.
    static func firstEURInvoice(_ lines: [String]) throws -> (account: String, invoice: String, amount: String) {
        for line in lines where line.contains("\"record_type\":\"place\"") {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for invoice in record["invoices"] as? [[String: Any]] ?? [] where invoice["currency"] as? String == "EUR" {
                return (try #require(record["account_ref"] as? String), try #require(invoice["number"] as? String),
                        try #require(invoice["open_amount"] as? String))
            }
        }
        throw CLIError("no EUR invoice placed")
    }

    struct CLIError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test("outbound seals for gpg (GOODSIG by our key); gpg's feedback is applied and the receipt opens in gpg; a wrong signer or a header naming another key is quarantined (65)")
    func endToEnd() throws {
        let s = try Setup()
        #expect(try s.arlink(["init"]).status == 0)

        // Outbound: a .pgp portfolio that gpg decrypts, signed by our OpenPGP key.
        let outbound = try s.arlink(["outbound", "run"])
        #expect(outbound.status == 0, "\(outbound.stderr)")
        let portfolios = s.names(s.inbox).filter { $0.contains("_portfolio_") }
        try #require(portfolios.count == 1)
        let portfolio = try #require(portfolios.first)
        #expect(portfolio.hasPrefix("acme-corp_acme-collect_portfolio_") && portfolio.hasSuffix(".jsonl.pgp"))
        #expect(portfolio.unicodeScalars.allSatisfy { $0.isASCII })
        let sealedBytes = try #require(FileManager.default.contents(atPath: s.inbox + "/" + portfolio))
        #expect(!sealedBytes.starts(with: Data("-----BEGIN PGP".utf8)), "binary packets by default")
        let opened = try s.gpgOpen(s.inbox + "/" + portfolio)
        let us = try s.fingerprint("us-ed")
        #expect(opened.status.contains("[GNUPG:] GOODSIG"), "\(opened.status)")
        #expect(opened.status.contains("[GNUPG:] VALIDSIG \(us)"), "\(opened.status)")
        #expect(opened.status.contains("[GNUPG:] DECRYPTION_OKAY"))
        // The signed header names the partner's key as the partner computes it from its fingerprint.
        let header = try #require(opened.lines.first)
        #expect(header.contains("\"recipient_key_sha256\":\"\(try s.headerKey("partner-ed"))\""), "\(header)")
        #expect(opened.lines.last?.contains("\"record_type\":\"trailer\"") == true)

        // Inbound: feedback made by gpg --sign --encrypt to our key is applied.
        let invoice = try Self.firstEURInvoice(opened.lines)
        let first = try s.dropFeedback(sequence: 1, previous: nil, account: invoice.account, invoice: invoice.invoice,
                                       amount: invoice.amount, signer: "partner-ed")
        let inbound = try s.arlink(["inbound", "run"])
        #expect(inbound.status == 0, "\(inbound.stdout)\(inbound.stderr)")
        #expect(inbound.stdout.contains("1 file(s) processed, 0 quarantined"), "\(inbound.stdout)")
        #expect(inbound.stdout.contains("1 accepted"), "\(inbound.stdout)")
        #expect(s.names(s.demo + "/partner-pgp/processed").contains(first))
        let updates = s.names(s.demo + "/erp-pgp/import").filter { $0.hasSuffix(".jsonl") }
        try #require(updates.count == 1)
        let exported = try String(contentsOfFile: s.demo + "/erp-pgp/import/" + updates[0], encoding: .utf8)
        #expect(exported.contains(invoice.invoice) && exported.contains("\"paid\""), "\(exported)")

        // The receipt is an OpenPGP message gpg opens, signed by us, naming the feedback file.
        let receipts = s.names(s.inbox).filter { $0.contains("_receipt_") }
        try #require(receipts.count == 1)
        #expect(receipts[0].hasSuffix(".jsonl.pgp"))
        let receipt = try s.gpgOpen(s.inbox + "/" + receipts[0])
        #expect(receipt.status.contains("[GNUPG:] VALIDSIG \(us)"), "\(receipt.status)")
        #expect(receipt.lines.first?.contains("\"schema\":\"receipt.v1\"") == true)
        #expect(receipt.lines.first?.contains("\"recipient_key_sha256\":\"\(try s.headerKey("partner-ed"))\"") == true)
        #expect(receipt.lines.contains { $0.contains("\"outcome\":\"applied\"") }, "\(receipt.lines)")

        // A file signed by a key that is not pinned: quarantined with the code, run exits 65.
        let forged = try s.dropFeedback(sequence: 2, previous: nil, account: invoice.account, invoice: invoice.invoice,
                                        amount: invoice.amount, signer: "other-ed")
        let refused = try s.arlink(["inbound", "run", "--log-format", "json"])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stdout.contains("\"code\":\"envelope.untrusted_signer\""), "\(refused.stdout)")
        let kept = s.names(s.quarantine).flatMap { s.names(s.quarantine + "/" + $0) }
        #expect(kept.contains(forged) && kept.contains(forged + ".reason.json"), "\(kept)")
        #expect(s.names(s.demo + "/erp-pgp/import").filter { $0.hasSuffix(".jsonl") }.count == 1, "nothing more applied")

        // Signed by the partner, but the header names another key than ours (the partner's own).
        let misaddressed = try s.dropFeedback(sequence: 2, previous: nil, account: invoice.account, invoice: invoice.invoice,
                                              amount: invoice.amount, signer: "partner-ed", headerKey: "partner-ed")
        let wrongKey = try s.arlink(["inbound", "run", "--log-format", "json"])
        #expect(wrongKey.status == 65, "\(wrongKey.stderr)")
        #expect(wrongKey.stdout.contains("\"code\":\"inbound.wrong_recipient_key\""), "\(wrongKey.stdout)")
        #expect(s.names(s.quarantine).flatMap { s.names(s.quarantine + "/" + $0) }.contains(misaddressed))

        let verify = try s.arlink(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test("our OpenPGP key readable by others stops the run with 77, a pin that does not match its file with 78; nothing is quarantined")
    func looseKeyIsOurFault() throws {
        let s = try Setup()
        #expect(try s.arlink(["init"]).status == 0)
        _ = try s.dropFeedback(sequence: 1, previous: nil, account: "C000001", invoice: "INV-1", amount: "1.00", signer: "partner-ed")
        #expect(chmod(s.keys + "/us-ed.sec", 0o644) == 0)
        let run = try s.arlink(["inbound", "run"])
        #expect(run.status == 77, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("us-ed.sec"), "\(run.stderr)")
        #expect(s.names(s.outbox).count == 1, "the partner's file stays in its outbox")
        #expect(s.names(s.quarantine).isEmpty)
        let outbound = try s.arlink(["outbound", "run"])
        #expect(outbound.status == 77, "\(outbound.stderr)")
        #expect(s.names(s.inbox).isEmpty)

        // Our key fixed, but the partner's certificate file no longer holds the pinned key.
        #expect(chmod(s.keys + "/us-ed.sec", 0o600) == 0)
        let yaml = try String(contentsOfFile: s.config, encoding: .utf8)
        try s.dir.write("demo/pgp.yaml", yaml.replacingOccurrences(of: s.keys + "/partner-ed.pub", with: s.keys + "/other-ed.pub"))
        let mismatch = try s.arlink(["inbound", "run"])
        #expect(mismatch.status == 78, "\(mismatch.stdout)\(mismatch.stderr)")
        #expect(mismatch.stderr.contains("envelope.bad_trust_configuration"), "\(mismatch.stderr)")
        #expect(s.names(s.outbox).count == 1)
        #expect(s.names(s.quarantine).isEmpty)
    }

    @Test("keys check: OpenPGP rows with the header key value; a key expiring within 30 days warns; an expired, revoked or weak pin fails (77)")
    func keysCheck() throws {
        let good = try Setup()
        let ok = try good.arlink(["keys", "check"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("[ok] company OpenPGP key"), "\(ok.stdout)")
        #expect(ok.stdout.contains("[ok] acme-collect OpenPGP certificate"), "\(ok.stdout)")
        #expect(ok.stdout.contains(try good.headerKey("us-ed")))
        #expect(ok.stdout.contains(try good.fingerprint("partner-ed")))

        // A pinned key that expires in 10 days: a warning, not a failure.
        let made = try good.gpg(["--quick-gen-key", "Soon Expiring <soon@acme-collect.example>", "ed25519", "sign,cert", "10d"])
        try #require(made.status == 0, "\(made.stderr)")
        let listed = try good.gpg(["--with-colons", "--list-keys", "soon@acme-collect.example"])
        let soon = try #require(listed.stdout.split(separator: "\n").first { $0.hasPrefix("fpr:") }?.split(separator: ":", omittingEmptySubsequences: false)[9])
        let exported = try good.gpg(["--export", "-o", good.keys + "/soon.pub", String(soon)])
        try #require(exported.status == 0, "\(exported.stderr)")
        let yaml = try String(contentsOfFile: good.config, encoding: .utf8)
        let pin = "        - file: \(good.keys)/soon.pub\n          fingerprint: \(soon)\n"
        try good.dir.write("demo/pgp.yaml", yaml.replacingOccurrences(of: "    transport:\n", with: pin + "    transport:\n"))
        let warned = try good.arlink(["keys", "check"])
        #expect(warned.status == 0, "\(warned.stdout)\(warned.stderr)")
        #expect(warned.stdout.contains("[WARN] acme-collect OpenPGP certificate"), "\(warned.stdout)")
        #expect(warned.stdout.contains("warning:     expires in 9 days") || warned.stdout.contains("warning:     expires in 10 days"), "\(warned.stdout)")

        let bad = try Setup(extraPins: ["expired", "revoked", "weak-rsa"])
        let refused = try bad.arlink(["keys", "check", "--log-format", "json"])
        #expect(refused.status == 77, "\(refused.stdout)\(refused.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [[String: Any]])
        let pins = rows.filter { ($0["role"] as? String)?.hasPrefix("acme-collect OpenPGP certificate") == true }
        #expect(pins.count == 4)
        #expect(pins.filter { $0["ok"] as? Bool == false }.count == 3, "\(pins)")
        let problems = pins.flatMap { $0["problems"] as? [String] ?? [] }.joined(separator: " ")
        #expect(problems.contains("expired") && problems.contains("revoked") && problems.contains("RSA-2048"), "\(problems)")
    }

    @Test("arlink demo --envelope openpgp: gpg plays the partner end to end; receipts open in the partner's gpg; repeats change nothing")
    func demo() throws {
        let dir = try TemporaryDirectory("pgp-demo")
        defer {
            _ = try? ProcessRunner.run("gpgconf", ["--homedir", dir.file("d/partner/gnupg"), "--kill", "gpg-agent"])
            dir.remove()
        }
        let run = try CLITests.run(["demo", "--workdir", dir.file("d"), "--envelope", "openpgp", "--customers", "60", "--open-items", "600"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("gpg --decrypt: DECRYPTION_OKAY, VALIDSIG"), "\(run.stdout)")
        #expect(run.stdout.contains("0 quarantined"))
        let config = dir.file("d/arlink.yaml")
        #expect(try String(contentsOfFile: config, encoding: .utf8).contains("envelope: openpgp"))
        let inbox = ((try? FileManager.default.contentsOfDirectory(atPath: dir.file("d/partner/inbox"))) ?? []).sorted()
        #expect(inbox.count == 2 && inbox.allSatisfy { $0.hasSuffix(".jsonl.pgp") }, "\(inbox)")
        let receipt = try #require(inbox.first { $0.contains("_receipt_") })
        let opened = try ProcessRunner.run("gpg", ["--homedir", dir.file("d/partner/gnupg"), "--batch", "--no-tty", "--status-fd", "1",
                                                   "--decrypt", "-o", dir.file("receipt.jsonl"), dir.file("d/partner/inbox/" + receipt)])
        #expect(opened.status == 0, "\(opened.stderr)")
        #expect(opened.stdout.contains("[GNUPG:] VALIDSIG") && opened.stdout.contains("[GNUPG:] DECRYPTION_OKAY"), "\(opened.stdout)")
        #expect(try String(contentsOfFile: dir.file("receipt.jsonl"), encoding: .utf8).contains("\"outcome\":\"applied\""))
        let again = try CLITests.run(["inbound", "run", "--config", config])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("0 file(s) processed"))
        let keys = try CLITests.run(["keys", "check", "--config", config])
        #expect(keys.status == 0, "\(keys.stdout)")
        #expect(keys.stdout.contains("[ok] company OpenPGP key"))
        #expect(try CLITests.run(["audit", "verify", "--config", config]).status == 0)
    }

    @Test("armor: true and compression: zlib: the portfolio is an armoured, ZLIB-compressed message gpg opens (still named .pgp)")
    func armouredAndCompressed() throws {
        let s = try Setup(options: ["compression: zlib", "armor: true"])
        #expect(try s.arlink(["init"]).status == 0)
        let outbound = try s.arlink(["outbound", "run"])
        #expect(outbound.status == 0, "\(outbound.stderr)")
        let portfolio = try #require(s.names(s.inbox).first { $0.contains("_portfolio_") })
        #expect(portfolio.hasSuffix(".jsonl.pgp"))
        let text = try String(contentsOfFile: s.inbox + "/" + portfolio, encoding: .utf8)
        #expect(text.hasPrefix("-----BEGIN PGP MESSAGE-----"))
        let opened = try s.gpgOpen(s.inbox + "/" + portfolio)
        #expect(opened.status.contains("[GNUPG:] VALIDSIG \(try s.fingerprint("us-ed"))"), "\(opened.status)")
        #expect(opened.lines.first?.contains("\"schema\":\"portfolio.v1\"") == true)
        // gpg's packet listing (verbose) names the compression algorithm: 2 is ZLIB.
        let packets = try s.gpg(["-v", "--list-packets", s.inbox + "/" + portfolio])
        #expect(packets.stdout.contains("compressed packet: algo=2"), "\(packets.stdout.prefix(2000))")
    }
}
