@testable import ARLinkEnvelope
import ARLinkCore
import Foundation
import Testing

/// Every refusal of the OpenPGP open, each with its error code and proof that nothing (no
/// plaintext, no staging file) is left in the output folder. The bad messages come from real
/// tools (GnuPG, rnp) wherever a tool can write them.
@Suite("OpenPGP refusals", .enabled(if: PGPPeer.gpg.available, "needs gpg (GnuPG 2.2) to write the messages: run scripts/setup.sh"), .timeLimit(.minutes(10)))
struct OpenPGPRefusalTests {
    /// gpg signs `plain` as `signer` (or not) and encrypts it to `to`, with extra options.
    static func gpgMessage(_ s: Scratch, signers: [String] = ["partner-ed"], to: String = "us-ed", options: String = "",
                           count: Int = 200_000, sign: Bool = true) throws -> String {
        let f = try PGPFixture.get()
        let plain = try s.makePlaintext(count: count)
        let sealed = s.path("msg.pgp")
        let users = try signers.map { "-u \(try f.fingerprint($0))" }.joined(separator: " ")
        let gpg = Shell.run(
            "\(f.gpg) \(sign ? users : "") -r \(try f.fingerprint(to)) --compress-algo none \(options)"
                + " \(sign ? "--sign" : "") --encrypt -o '\(sealed)' '\(plain)'"
        )
        try #require(gpg.status == 0, "\(gpg.stderr)")
        return sealed
    }

    @Test("an unsigned message: envelope.unsigned")
    func unsigned() throws {
        let s = try Scratch()
        try expectPGPRefusal(.unsigned, s, sealed: Self.gpgMessage(s, sign: false))
    }

    @Test("a signature by a key that is not pinned: envelope.untrusted_signer")
    func unpinnedSigner() throws {
        let s = try Scratch()
        let error = try expectPGPRefusal(.untrustedSigner, s, sealed: Self.gpgMessage(s, signers: ["other-ed"]))
        #expect(error?.exitStatus == .noPermission)
    }

    @Test("a signature by our own key is not the partner's: envelope.untrusted_signer")
    func ourOwnSignature() throws {
        let s = try Scratch()
        try expectPGPRefusal(.untrustedSigner, s, sealed: Self.gpgMessage(s, signers: ["us-rsa"]))
    }

    @Test("two signers, both pinned: envelope.multiple_signers")
    func twoSigners() throws {
        let s = try Scratch()
        try expectPGPRefusal(.multipleSigners, s, sealed: Self.gpgMessage(s, signers: ["partner-ed", "partner-rsa"]))
    }

    @Test("encrypted without MDC (gpg --rfc2440, tag 9): envelope.unauthenticated_encryption")
    func noMDC() throws {
        let s = try Scratch()
        try expectPGPRefusal(.unauthenticatedEncryption, s, sealed: Self.gpgMessage(s, options: "--rfc2440"))
    }

    @Test("encrypted to somebody else: envelope.not_for_us")
    func notForUs() throws {
        let s = try Scratch()
        try expectPGPRefusal(.notForUs, s, sealed: Self.gpgMessage(s, to: "other-ed"))
    }

    @Test("encrypted to a password only: envelope.not_for_us")
    func passwordOnly() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 10_000)
        let sealed = s.path("sym.pgp")
        let gpg = Shell.run("\(f.gpg) --passphrase secret --symmetric -o '\(sealed)' '\(plain)'")
        try #require(gpg.status == 0, "\(gpg.stderr)")
        try expectPGPRefusal(.notForUs, s, sealed: sealed)
    }

    @Test("signed but not encrypted: envelope.not_encrypted")
    func notEncrypted() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 10_000)
        let sealed = s.path("signed.pgp")
        let gpg = Shell.run("\(f.gpg) -u \(try f.fingerprint("partner-ed")) --sign -o '\(sealed)' '\(plain)'")
        try #require(gpg.status == 0, "\(gpg.stderr)")
        try expectPGPRefusal(.notEncrypted, s, sealed: sealed)
    }

    @Test("a weak cipher: envelope.disallowed_algorithm", arguments: ["CAST5", "IDEA", "3DES", "BLOWFISH"])
    func weakCipher(cipher: String) throws {
        let s = try Scratch()
        let error = try expectPGPRefusal(.disallowedAlgorithm, s, sealed: Self.gpgMessage(s, options: "--cipher-algo \(cipher)"))
        #expect(error?.message.contains(cipher == "3DES" ? "TRIPLEDES" : cipher) == true, "\(String(describing: error))")
    }

    @Test("a weak signature hash: envelope.disallowed_algorithm", arguments: ["SHA1", "MD5"])
    func weakHash(hash: String) throws {
        let s = try Scratch()
        let sealed = try Self.gpgMessage(s, signers: ["partner-rsa"], options: "--digest-algo \(hash) --allow-weak-digest-algos")
        let error = try expectPGPRefusal(.disallowedAlgorithm, s, sealed: sealed)
        #expect(error?.message.contains(hash) == true, "\(String(describing: error))")
    }

    @Test("AEAD (OCB) encrypted data from rnp: envelope.disallowed_algorithm",
          .enabled(if: PGPPeer.rnp.available, "needs the rnp CLI: run scripts/setup.sh"))
    func aead() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 10_000)
        let sealed = s.path("aead.pgp")
        let rnp = Shell.run(
            "\(f.rnp) --encrypt --sign --aead=OCB -r \(try f.fingerprint("us-ed")) -u \(try f.fingerprint("partner-ed")) --output '\(sealed)' '\(plain)'"
        )
        try #require(rnp.status == 0, "\(rnp.stderr)")
        try expectPGPRefusal(.disallowedAlgorithm, s, sealed: sealed)
    }

    /// rnp encrypts `packets` as they are (`--no-wrap`: no literal data packet around them) to us.
    static func rnpWrap(_ s: Scratch, _ packets: String) throws -> String {
        let f = try PGPFixture.get()
        let sealed = s.path("wrapped.pgp")
        let rnp = Shell.run("\(f.rnp) --encrypt --no-wrap -z 0 -r \(try f.fingerprint("us-ed")) --output '\(sealed)' '\(packets)'")
        try #require(rnp.status == 0, "\(rnp.stderr)")
        return sealed
    }

    @Test("a signature that does not cover the data (signed data altered, then encrypted): envelope.signature_invalid",
          .enabled(if: PGPPeer.rnp.available, "needs the rnp CLI: run scripts/setup.sh"))
    func signatureInvalid() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 20_000)
        let signed = s.path("signed.gpg")
        let gpg = Shell.run("\(f.gpg) -u \(try f.fingerprint("partner-ed")) --compress-algo none --sign -o '\(signed)' '\(plain)'")
        try #require(gpg.status == 0, "\(gpg.stderr)")
        var bytes = try s.read(signed)
        bytes[bytes.count / 2] ^= 0x01  // inside the literal data
        try expectPGPRefusal(.signatureInvalid, s, sealed: Self.rnpWrap(s, try s.write(bytes, "altered.gpg")))
    }

    @Test("an encrypted detached signature without its data: envelope.tag_mismatch (no MDC-checked signed data)",
          .enabled(if: PGPPeer.rnp.available, "needs the rnp CLI: run scripts/setup.sh"))
    func detachedSignatureOnly() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 20_000)
        let signature = s.path("data.sig")
        let gpg = Shell.run("\(f.gpg) -u \(try f.fingerprint("partner-ed")) --detach-sign -o '\(signature)' '\(plain)'")
        try #require(gpg.status == 0, "\(gpg.stderr)")
        try expectPGPRefusal(.tagMismatch, s, sealed: Self.rnpWrap(s, signature))
    }

    @Test("an RSA-2048 signer, even pinned: envelope.weak_key")
    func weakSigner() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        try expectPGPRefusal(.weakKey, s, sealed: Self.gpgMessage(s, signers: ["weak-rsa"]), trust: f.trust("weak-rsa"))
    }

    @Test("an expired signer, even pinned: envelope.expired_signer")
    func expiredSigner() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        try expectPGPRefusal(.expiredSigner, s, sealed: f.path("expired-signed.gpg"), trust: f.trust("expired"))
    }

    @Test("a revoked signer, even pinned: envelope.revoked_signer")
    func revokedSigner() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        try expectPGPRefusal(.revokedSigner, s, sealed: f.path("revoked-signed.gpg"), trust: f.trust("revoked"))
    }

    @Test("truncated anywhere: envelope.truncated", arguments: [0.5, 0.999])
    func truncated(fraction: Double) throws {
        let s = try Scratch()
        let sealed = try Self.gpgMessage(s)
        let bytes = try s.read(sealed)
        let cut = try s.write(Array(bytes.prefix(Int(Double(bytes.count) * fraction))), "cut.pgp")
        try expectPGPRefusal(.truncated, s, sealed: cut)
    }

    @Test("bytes after the message: envelope.trailing_data")
    func trailingGarbage() throws {
        let s = try Scratch()
        let sealed = try Self.gpgMessage(s)
        let cut = try s.write(try s.read(sealed) + Array("garbage\n".utf8), "trailing.pgp")
        try expectPGPRefusal(.trailingData, s, sealed: cut)
    }

    @Test("a flipped bit in the ciphertext: envelope.tag_mismatch (MDC)")
    func tampered() throws {
        let s = try Scratch()
        let sealed = try Self.gpgMessage(s)
        var bytes = try s.read(sealed)
        bytes[bytes.count / 2] ^= 0x01
        let error = try expectPGPRefusal(.tagMismatch, s, sealed: try s.write(bytes, "tampered.pgp"))
        #expect(error?.message.contains("MDC") == true)
    }

    @Test("a compression bomb: envelope.compression_ratio")
    func compressionBomb() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let zeros = s.path("zeros.bin")
        try Data(count: 40_000_000).write(to: URL(fileURLWithPath: zeros))
        let sealed = s.path("bomb.pgp")
        let gpg = Shell.run(
            "\(f.gpg) -u \(try f.fingerprint("partner-ed")) -r \(try f.fingerprint("us-ed")) --compress-algo zlib -z 9 --sign --encrypt -o '\(sealed)' '\(zeros)'"
        )
        try #require(gpg.status == 0, "\(gpg.stderr)")
        try expectPGPRefusal(.compressionRatio, s, sealed: sealed)
    }

    @Test("an empty file: envelope.empty; garbage: envelope.malformed")
    func emptyAndGarbage() throws {
        let s = try Scratch()
        try expectPGPRefusal(.empty, s, sealed: try s.write([], "empty.pgp"))
        try expectPGPRefusal(.malformed, s, sealed: try s.write(Array("just some text\n".utf8), "text.pgp"))
        try expectPGPRefusal(.malformed, s, sealed: try s.write(Array("-----BEGIN PGP MESSAGE-----\n\n!!!!\n-----END PGP MESSAGE-----\n".utf8), "bad.asc"))
    }

    @Test("a public key where a message belongs: envelope.malformed")
    func keyInsteadOfMessage() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        try expectPGPRefusal(.malformed, s, sealed: f.path("partner-ed.pub"))
    }

    // MARK: - Keys

    @Test("a secret key file readable by others: envelope.key_permissions")
    func loosePermissions() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let copy = s.path("loose.sec")
        try FileManager.default.copyItem(atPath: f.path("us-ed.sec"), toPath: copy)
        chmod(copy, 0o644)
        #expect(throws: EnvelopeError(.keyPermissions, "")) { try OpenPGPSecretKey(path: copy) }
    }

    @Test("a protected key without or with the wrong passphrase: envelope.passphrase")
    func passphrase() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        #expect(throws: EnvelopeError(.passphrase, "")) { try OpenPGPSecretKey(path: f.path("us-prot.sec")) }
        let wrong = s.path("wrong.pass")
        _ = FileManager.default.createFile(atPath: wrong, contents: Data("not it\n".utf8), attributes: [.posixPermissions: 0o600])
        #expect(throws: EnvelopeError(.passphrase, "")) { try OpenPGPSecretKey(path: f.path("us-prot.sec"), passphrase: .file(wrong)) }
    }

    @Test("a certificate whose fingerprint is not the pinned one: envelope.bad_trust_configuration")
    func pinMismatch() throws {
        let f = try PGPFixture.get()
        let other = try f.fingerprint("other-ed")
        #expect(throws: EnvelopeError(.badTrustConfiguration, "")) {
            try OpenPGPCertificate(path: f.path("partner-ed.pub"), expectedFingerprint: other)
        }
        let right = try OpenPGPCertificate(path: f.path("partner-ed.pub"), expectedFingerprint: try f.fingerprint("partner-ed").lowercased())
        #expect(right.fingerprint == (try f.fingerprint("partner-ed")))
    }

    @Test("a secret key file given as a certificate is read as its public part; a message file is no certificate")
    func certificateFiles() throws {
        let f = try PGPFixture.get()
        #expect(throws: EnvelopeError(.badCertificate, "")) { try OpenPGPCertificate(path: f.path("expired-signed.gpg")) }
        #expect(throws: EnvelopeError(.missingFile, "")) { try OpenPGPCertificate(path: f.path("absent.pub")) }
    }

    @Test("sealing to an RSA-2048 recipient: envelope.weak_key; to an expired one: envelope.certificate_expired")
    func sealRefusals() throws {
        let f = try PGPFixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 1000)
        #expect(throws: EnvelopeError(.weakKey, "")) {
            try Envelope.sealOpenPGP(input: plain, output: s.output, signer: f.secretKey("us-ed"), recipients: [f.certificate("weak-rsa")])
        }
        #expect(throws: EnvelopeError(.certificateExpired, "")) {
            try Envelope.sealOpenPGP(input: plain, output: s.output, signer: f.secretKey("us-ed"), recipients: [f.certificate("expired")])
        }
        #expect(throws: EnvelopeError(.certificateUsage, "")) {
            try Envelope.sealOpenPGP(input: plain, output: s.output, signer: f.secretKey("nosign"), recipients: [f.certificate("partner-ed")])
        }
        #expect(s.outputFolderContents().isEmpty)
    }
}

/// Armoured messages: the armour must be whole and stand alone.
@Suite("OpenPGP armour refusals", .timeLimit(.minutes(10)))
struct OpenPGPArmorTests {
    static func armored(_ s: Scratch) throws -> String {
        let f = try PGPFixture.get()
        let plain = try s.makePlaintext(count: 150_000)
        let sealed = s.path("msg.asc")
        _ = try Envelope.sealOpenPGP(
            input: plain, output: sealed, signer: f.secretKey("partner-ed"), recipients: [f.certificate("us-ed")],
            options: OpenPGPSealOptions(armor: true)
        )
        return sealed
    }

    @Test("an armoured message cut short: envelope.truncated")
    func truncated() throws {
        let s = try Scratch()
        let bytes = try s.read(Self.armored(s))
        try expectPGPRefusal(.truncated, s, sealed: try s.write(Array(bytes.prefix(bytes.count / 2)), "cut.asc"))
    }

    @Test("text, or a second message, after the END line: envelope.trailing_data")
    func trailing() throws {
        let s = try Scratch()
        let bytes = try s.read(Self.armored(s))
        try expectPGPRefusal(.trailingData, s, sealed: try s.write(bytes + Array("\nanother line\n".utf8), "text.asc"))
        try expectPGPRefusal(.trailingData, s, sealed: try s.write(bytes + bytes, "two.asc"))
        // Blank space after the END line is fine.
        let f = try PGPFixture.get()
        let spaced = try s.write(bytes + Array("\r\n\n  \n".utf8), "spaced.asc")
        _ = try Envelope.openOpenPGP(input: spaced, output: s.output, key: f.secretKey("us-ed"), trust: f.trust("partner-ed"))
        #expect(s.outputFolderContents() == ["plain.out"])
    }
}
