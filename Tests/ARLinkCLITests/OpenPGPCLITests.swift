import ARLinkTestSupport
import Foundation
import Testing

/// Whether GnuPG is installed.
let gpgAvailable: Bool = (try? ProcessRunner.run("/bin/sh", ["-c", "command -v gpg"]).status) == 0

/// `arlink envelope seal|open|inspect --format openpgp` end to end, with GnuPG as the partner.
@Suite("arlink envelope --format openpgp", .serialized,
       .enabled(if: gpgAvailable, "needs gpg (GnuPG 2.2): run scripts/setup.sh"), .timeLimit(.minutes(10)))
struct OpenPGPCLITests {
    /// Test keys from the envelope tests' script (a throwaway GNUPGHOME under `dir/keys`).
    static func keys(_ dir: TemporaryDirectory) throws -> String {
        let keys = dir.file("keys")
        let script = RepositoryPaths.root + "/Tests/ARLinkEnvelopeTests/Fixtures/make-openpgp-keys.sh"
        let made = try ProcessRunner.run("/bin/bash", [script, keys], timeout: 120)
        try #require(made.status == 0, "\(made.stderr)")
        return keys
    }

    static func fingerprint(_ keys: String, _ name: String) throws -> String {
        try String(contentsOfFile: "\(keys)/\(name).fpr", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func gpg(_ keys: String, _ args: [String]) throws -> ProcessResult {
        try ProcessRunner.run(
            "gpg", ["--homedir", keys + "/gnupg", "--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", "", "--yes"] + args
        )
    }

    @Test("seal for GnuPG, open from GnuPG, refuse an unpinned signer (77), inspect, usage errors (64)")
    func endToEnd() throws {
        let dir = try TemporaryDirectory("pgp-cli")
        defer {
            _ = try? ProcessRunner.run("gpgconf", ["--homedir", dir.file("keys/gnupg"), "--kill", "gpg-agent"])
            dir.remove()
        }
        let keys = try Self.keys(dir)
        let plain = dir.file("portfolio.jsonl")
        try Data((0..<5000).map { "{\"record\":\"place\",\"n\":\($0)}\n" }.joined().utf8).write(to: URL(fileURLWithPath: plain))

        // Seal: GnuPG decrypts it and finds our good signature.
        let sealed = dir.file("out.pgp")
        let seal = try CLITests.run([
            "envelope", "seal", "--format", "openpgp", "--in", plain, "--out", sealed, "--sign-key", keys + "/us-ed.sec",
            "--to", keys + "/partner-ed.pub", "--to", keys + "/us-rsa.pub",
        ])
        #expect(seal.status == 0, "\(seal.stderr)")
        #expect(seal.stdout.contains("(OpenPGP)"))
        let decrypted = dir.file("gpg.out")
        let gpg = try Self.gpg(keys, ["--status-fd", "1", "--decrypt", "-o", decrypted, sealed])
        #expect(gpg.status == 0, "\(gpg.stderr)")
        let usFingerprint = try Self.fingerprint(keys, "us-ed")
        #expect(gpg.stdout.contains("VALIDSIG") && gpg.stdout.contains(usFingerprint), "\(gpg.stdout)")
        #expect(FileManager.default.contents(atPath: decrypted) == FileManager.default.contents(atPath: plain))

        // Inspect names both recipients' key ids.
        let inspect = try CLITests.run(["envelope", "inspect", "--format", "openpgp", "--in", sealed])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.components(separatedBy: "recipient:").count == 3, "\(inspect.stdout)")

        // Open what GnuPG sends.
        let incoming = dir.file("in.pgp")
        let made = try Self.gpg(keys, [
            "-u", try Self.fingerprint(keys, "partner-ed"), "-r", try Self.fingerprint(keys, "us-ed"), "--sign", "--encrypt", "-o", incoming, plain,
        ])
        try #require(made.status == 0, "\(made.stderr)")
        let opened = dir.file("opened.jsonl")
        let open = try CLITests.run([
            "envelope", "open", "--format", "openpgp", "--in", incoming, "--out", opened, "--key", keys + "/us-ed.sec",
            "--trust", keys + "/other-ed.pub", "--trust", keys + "/partner-ed.pub",
        ])
        #expect(open.status == 0, "\(open.stderr)")
        let partnerFingerprint = try Self.fingerprint(keys, "partner-ed")
        #expect(open.stdout.contains(partnerFingerprint), "\(open.stdout)")
        #expect(FileManager.default.contents(atPath: opened) == FileManager.default.contents(atPath: plain))

        // The same file with only somebody else pinned: 77, nothing written.
        let refused = dir.file("refused.jsonl")
        let untrusted = try CLITests.run([
            "envelope", "open", "--format", "openpgp", "--in", incoming, "--out", refused, "--key", keys + "/us-ed.sec",
            "--trust", keys + "/other-ed.pub",
        ])
        #expect(untrusted.status == 77)
        #expect(untrusted.stderr.contains("[envelope.untrusted_signer]"), "\(untrusted.stderr)")
        #expect(!FileManager.default.fileExists(atPath: refused))

        // CMS-only flags with --format openpgp are usage errors.
        let usage = try CLITests.run([
            "envelope", "seal", "--format", "openpgp", "--in", plain, "--out", dir.file("x.pgp"), "--sign-key", keys + "/us-ed.sec",
            "--sign-cert", keys + "/us-ed.pub", "--to", keys + "/partner-ed.pub",
        ])
        #expect(usage.status == 64, "\(usage.stderr)")
        let noTrust = try CLITests.run(["envelope", "open", "--format", "openpgp", "--in", incoming, "--out", refused, "--key", keys + "/us-ed.sec"])
        #expect(noTrust.status == 64)
    }
}
