@testable import ARLinkEnvelope
import Foundation
import Testing

/// The OpenPGP profile against real peers, each in both directions: GnuPG 2.2, the rnp CLI and
/// Sequoia's sq, with Ed25519/Curve25519 and RSA-3072 keys, with and without armour and compression.
@Suite("OpenPGP interop", .timeLimit(.minutes(10)))
struct OpenPGPInteropTests {
    struct Variant: Sendable, CustomStringConvertible {
        let keys: PGPKeys
        let armor: Bool
        let zlib: Bool
        var description: String { "\(keys), \(armor ? "armoured" : "binary"), \(zlib ? "zlib" : "uncompressed")" }
    }

    static let variants: [Variant] = PGPKeys.allCases.flatMap { k in
        [false, true].flatMap { a in [false, true].map { Variant(keys: k, armor: a, zlib: $0) } }
    }

    // MARK: - Our own round trip

    @Test("we open what we seal", arguments: variants)
    func roundTrip(v: Variant) throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 1_500_000)
        let sealed = s.path("sealed.pgp")
        let sealResult = try Envelope.sealOpenPGP(
            input: plain, output: sealed, signer: f.secretKey(v.keys.partner), recipients: [f.certificate(v.keys.us)],
            options: OpenPGPSealOptions(armor: v.armor, compression: v.zlib ? .zlib : .none)
        )
        let opened = try Envelope.openOpenPGP(input: sealed, output: s.output, key: f.secretKey(v.keys.us), trust: f.trust(v.keys.partner))
        #expect(try s.read(s.output) == s.read(plain))
        #expect(opened.signerFingerprint == (try f.fingerprint(v.keys.partner)))
        #expect(opened.plaintextSHA256 == sealResult.plaintextSHA256)
        #expect(opened.sealedSHA256 == sealResult.sealedSHA256)
        #expect(sealResult.plaintextBytes == 1_500_000)
        let head = try s.read(sealed).prefix(27)
        #expect((String(decoding: head, as: UTF8.self) == "-----BEGIN PGP MESSAGE-----") == v.armor)
        let mode = try FileManager.default.attributesOfItem(atPath: sealed)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(s.outputFolderContents() == ["plain.out"])
    }

    @Test("two recipients (partner and archive): each can open")
    func twoRecipients() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 200_000)
        let sealed = s.path("sealed.pgp")
        _ = try Envelope.sealOpenPGP(
            input: plain, output: sealed, signer: f.secretKey("partner-ed"), recipients: [f.certificate("us-ed"), f.certificate("us-rsa")]
        )
        for us in ["us-ed", "us-rsa"] {
            let out = s.dir + "/out/\(us)"
            _ = try Envelope.openOpenPGP(input: sealed, output: out, key: f.secretKey(us), trust: f.trust("partner-ed"))
            #expect(try s.read(out) == s.read(plain))
        }
    }

    @Test("a protected secret key opens with its passphrase file")
    func protectedKey() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 100_000)
        let sealed = s.path("sealed.pgp")
        let key = try OpenPGPSecretKey(path: f.path("us-prot.sec"), passphrase: .file(f.path("us-prot.pass")))
        _ = try Envelope.sealOpenPGP(input: plain, output: sealed, signer: key, recipients: [f.certificate("us-prot")])
        _ = try Envelope.openOpenPGP(input: sealed, output: s.output, key: key, trust: f.trust("us-prot"))
        #expect(try s.read(s.output) == s.read(plain))
    }

    @Test("seal and open report progress: rising counts of bytes written, ending at the sealed and the plaintext size")
    func progress() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 3_500_000)
        let sealed = s.path("sealed.pgp")
        let sealCounts = Counts()
        _ = try Envelope.sealOpenPGP(input: plain, output: sealed, signer: f.secretKey("partner-ed"), recipients: [f.certificate("us-ed")],
                                     progress: { sealCounts.append($0) })
        let openCounts = Counts()
        _ = try Envelope.openOpenPGP(input: sealed, output: s.output, key: f.secretKey("us-ed"), trust: f.trust("partner-ed"),
                                     progress: { openCounts.append($0) })
        let sealedSize = Int64(try s.read(sealed).count)
        for (counts, last) in [(sealCounts.values, sealedSize), (openCounts.values, Int64(3_500_000))] {
            #expect(counts.count >= 3)  // a 1 MiB block at a time
            #expect(counts == counts.sorted() && Set(counts).count == counts.count)
            #expect(counts.last == last)
        }
    }

    /// Collects progress values (the callbacks run on the calling thread).
    final class Counts {
        var values: [Int64] = []
        func append(_ value: Int64) { values.append(value) }
    }

    // MARK: - GnuPG 2.2

    @Test("GnuPG decrypts and verifies what we seal (GOODSIG, exact bytes, SEIPD v1 + MDC, AES-256, SHA-256)",
          .enabled(if: PGPPeer.gpg.available, "needs gpg (GnuPG 2.2): run scripts/setup.sh"), arguments: variants)
    func gpgOpensOurs(v: Variant) throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 1_200_000)
        let sealed = s.path("sealed.pgp")
        _ = try Envelope.sealOpenPGP(
            input: plain, output: sealed, signer: f.secretKey(v.keys.us), recipients: [f.certificate(v.keys.partner)],
            options: OpenPGPSealOptions(armor: v.armor, compression: v.zlib ? .zlib : .none)
        )
        let out = s.path("gpg.out")
        let gpg = Shell.run("\(f.gpg) --status-fd 1 --decrypt -o '\(out)' '\(sealed)'")
        #expect(gpg.status == 0, "\(gpg.stderr)")
        #expect(gpg.stdout.contains("[GNUPG:] DECRYPTION_OKAY"), "\(gpg.stdout)")
        #expect(gpg.stdout.contains("[GNUPG:] GOODSIG"), "\(gpg.stdout)")
        let usFingerprint = try f.fingerprint(v.keys.us)
        let validsig = gpg.stdout.split(separator: "\n").first { $0.hasPrefix("[GNUPG:] VALIDSIG ") } ?? ""
        #expect(validsig.hasSuffix(usFingerprint), "\(validsig)")
        // VALIDSIG fields: fingerprint, date, timestamp, expiry, version, reserved, key algorithm, hash (8 = SHA-256), ...
        #expect(validsig.split(separator: " ").dropFirst(2).dropFirst(7).first == "8", "\(validsig)")
        #expect(try s.read(out) == s.read(plain))
        // The packets are the profile's: one-pass signature, SEIPD with MDC, AES-256, SHA-256.
        let packets = Shell.run("\(f.gpg) -v --list-packets '\(sealed)' 2>&1")
        #expect(packets.stdout.contains(":onepass_sig packet:"), "\(packets.stdout)")
        #expect(packets.stdout.contains("sigclass 0x00, digest 8,"), "\(packets.stdout)")
        #expect(packets.stdout.contains(":encrypted data packet:"), "\(packets.stdout)")
        #expect(packets.stdout.contains("mdc_method: 2"), "\(packets.stdout)")
        #expect(packets.stdout.contains("AES256"), "\(packets.stdout)")
        #expect(!packets.stdout.contains(":aead encrypted packet:"))
        #expect(packets.stdout.contains(":compressed packet:") == v.zlib, "\(packets.stdout)")
    }

    @Test("we open what GnuPG signs and encrypts", .enabled(if: PGPPeer.gpg.available, "needs gpg (GnuPG 2.2): run scripts/setup.sh"),
          arguments: variants)
    func weOpenGPG(v: Variant) throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 1_200_000)
        let sealed = s.path("gpg.pgp")
        let gpg = Shell.run(
            "\(f.gpg) -u \(try f.fingerprint(v.keys.partner)) -r \(try f.fingerprint(v.keys.us)) --compress-algo \(v.zlib ? "zlib" : "none")"
                + " \(v.armor ? "--armor" : "") --sign --encrypt -o '\(sealed)' '\(plain)'"
        )
        try #require(gpg.status == 0, "\(gpg.stderr)")
        let opened = try Envelope.openOpenPGP(input: sealed, output: s.output, key: f.secretKey(v.keys.us), trust: f.trust(v.keys.partner))
        #expect(try s.read(s.output) == s.read(plain))
        #expect(opened.signerFingerprint == (try f.fingerprint(v.keys.partner)))
        #expect(opened.signerSubject.contains("Acme Collect"))
        let sums = Shell.run("sha256sum '\(plain)' '\(sealed)' | cut -c1-64")
        #expect(sums.stdout.split(separator: "\n").map(String.init) == [opened.plaintextSHA256, opened.sealedSHA256])
    }

    @Test("we open GnuPG's default output (compressed with ZIP)", .enabled(if: PGPPeer.gpg.available, "needs gpg (GnuPG 2.2): run scripts/setup.sh"))
    func weOpenGPGDefaults() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 300_000)
        let sealed = s.path("gpg.pgp")
        let gpg = Shell.run("\(f.gpg) -u \(try f.fingerprint("partner-ed")) -r \(try f.fingerprint("us-ed")) --sign --encrypt -o '\(sealed)' '\(plain)'")
        try #require(gpg.status == 0, "\(gpg.stderr)")
        _ = try Envelope.openOpenPGP(input: sealed, output: s.output, key: f.secretKey("us-ed"), trust: f.trust("partner-ed"))
        #expect(try s.read(s.output) == s.read(plain))
    }

    // MARK: - rnp CLI

    @Test("the rnp CLI decrypts and verifies what we seal", .enabled(if: PGPPeer.rnp.available, "needs the rnp CLI: run scripts/setup.sh"),
          arguments: PGPKeys.allCases)
    func rnpOpensOurs(keys: PGPKeys) throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 800_000)
        let sealed = s.path("sealed.pgp")
        _ = try Envelope.sealOpenPGP(input: plain, output: sealed, signer: f.secretKey(keys.us), recipients: [f.certificate(keys.partner)])
        let out = s.path("rnp.out")
        let rnp = Shell.run("\(f.rnp) --decrypt --output '\(out)' '\(sealed)'")
        #expect(rnp.status == 0, "\(rnp.stderr)")
        #expect(rnp.stderr.contains("Good signature"), "\(rnp.stderr)")
        #expect(rnp.stderr.lowercased().contains(String(try f.fingerprint(keys.us).suffix(16)).lowercased()), "\(rnp.stderr)")
        #expect(try s.read(out) == s.read(plain))
    }

    @Test("we open what the rnp CLI signs and encrypts", .enabled(if: PGPPeer.rnp.available, "needs the rnp CLI: run scripts/setup.sh"),
          arguments: variants)
    func weOpenRNP(v: Variant) throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 800_000)
        let sealed = s.path("rnp.pgp")
        let rnp = Shell.run(
            "\(f.rnp) --encrypt --sign -r \(try f.fingerprint(v.keys.us)) -u \(try f.fingerprint(v.keys.partner))"
                + " \(v.zlib ? "--zlib -z 6" : "-z 0") \(v.armor ? "--armor" : "") --output '\(sealed)' '\(plain)'"
        )
        try #require(rnp.status == 0, "\(rnp.stderr)")
        let opened = try Envelope.openOpenPGP(input: sealed, output: s.output, key: f.secretKey(v.keys.us), trust: f.trust(v.keys.partner))
        #expect(try s.read(s.output) == s.read(plain))
        #expect(opened.signerFingerprint == (try f.fingerprint(v.keys.partner)))
    }

    // MARK: - Sequoia sq

    @Test("sq decrypts and verifies what we seal", .enabled(if: PGPPeer.sq.available, "needs sq (Sequoia 0.27): run scripts/setup.sh"),
          arguments: PGPKeys.allCases)
    func sqOpensOurs(keys: PGPKeys) throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 800_000)
        let sealed = s.path("sealed.pgp")
        _ = try Envelope.sealOpenPGP(input: plain, output: sealed, signer: f.secretKey(keys.us), recipients: [f.certificate(keys.partner)])
        let out = s.path("sq.out")
        let sq = Shell.run(
            "sq decrypt --recipient-key '\(f.path(keys.partner + ".sec"))' --signer-cert '\(f.path(keys.us + ".pub"))' -o '\(out)' '\(sealed)'"
        )
        #expect(sq.status == 0, "\(sq.stderr)")
        #expect(sq.stderr.contains("Good signature"), "\(sq.stderr)")
        #expect(try s.read(out) == s.read(plain))
    }

    @Test("we open what sq signs and encrypts (none and zlib binary; pad, sq's default, armoured)", .enabled(if: PGPPeer.sq.available, "needs sq (Sequoia 0.27): run scripts/setup.sh"),
          arguments: PGPKeys.allCases, ["none", "zlib", "pad"])
    func weOpenSQ(keys: PGPKeys, compression: String) throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 800_000)
        let sealed = s.path("sq.pgp")
        let sq = Shell.run(
            // sq's defaults (armour, padding) for "pad"; binary for the others.
            "sq encrypt \(compression == "pad" ? "" : "--binary") --recipient-cert '\(f.path(keys.us + ".pub"))' --signer-key '\(f.path(keys.partner + ".sec"))'"
                + " --compression \(compression) -o '\(sealed)' '\(plain)'"
        )
        try #require(sq.status == 0, "\(sq.stderr)")
        let opened = try Envelope.openOpenPGP(input: sealed, output: s.output, key: f.secretKey(keys.us), trust: f.trust(keys.partner))
        #expect(try s.read(s.output) == s.read(plain))
        #expect(opened.signerFingerprint == (try f.fingerprint(keys.partner)))
    }
}
