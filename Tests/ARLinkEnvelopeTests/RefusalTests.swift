@testable import ARLinkEnvelope
import ARLinkCore
import Foundation
import Testing

/// Every refusal has its own code, and no plaintext is left anywhere.
@Suite("Refusals", .timeLimit(.minutes(10)))
struct RefusalTests {
    @Test("a flipped bit in the ciphertext fails the GCM tag")
    func flippedCiphertext() throws {
        let s = try Scratch()
        let sealed = try sealDefault(s, plain: try s.makePlaintext(count: 2_000_000))
        var bytes = try s.read(sealed)
        bytes[bytes.count / 2] ^= 0x01
        let tampered = try s.write(bytes, "tampered.der")
        try expectRefusal(.tagMismatch, exit: ARLinkCore.ExitStatus.noPermission, s, sealed: tampered)
    }

    @Test("a flipped bit early in the ciphertext (inside the inner structure) still reports the tag")
    func flippedEarlyCiphertext() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 100_000)
        let sealed = s.path("cli.der")
        // CLI DER output: the ciphertext starts after the recipient infos; the first ciphertext
        // bytes are the inner SignedData header.
        let cli = Shell.run(
            "openssl cms -sign -binary -nodetach -in '\(plain)' \(Signer.companyEC.cliOptions(f)) -outform DER"
                + " | openssl cms -encrypt -binary -aes-256-gcm \(Recipient.partnerEC.cliOptions(f)) -outform DER -out '\(sealed)'"
        )
        try #require(cli.status == 0)
        var bytes = try s.read(sealed)
        let cipherStart = bytes.count - 16 - 2 - 100_000 - 1000  // well inside the ciphertext, near its start
        bytes[cipherStart] ^= 0x80
        try expectRefusal(.tagMismatch, s, sealed: try s.write(bytes, "t.der"))
    }

    @Test("a flipped bit in the tag")
    func flippedTag() throws {
        let s = try Scratch()
        let sealed = try sealDefault(s, plain: try s.makePlaintext())
        var bytes = try s.read(sealed)
        // Our BER ends with the 16-byte mac OCTET STRING and three end-of-contents markers.
        let tagStart = bytes.count - 6 - 16
        try #require(bytes[tagStart - 2] == 0x04 && bytes[tagStart - 1] == 0x10)
        bytes[tagStart + 5] ^= 0x10
        try expectRefusal(.tagMismatch, s, sealed: try s.write(bytes, "t.der"))
    }

    /// Builds an envelope with the CLI around an inner signed structure we altered first, so
    /// that the tag is valid and only the signature can catch it.
    func cliEnvelope(_ s: Scratch, alter: (inout [UInt8]) throws -> Void) throws -> String {
        let f = try Fixture.get()
        let plain = try s.makePlaintext(count: 50_000)
        let inner = s.path("inner.der")
        let signed = Shell.run("openssl cms -sign -binary -nodetach -in '\(plain)' \(Signer.companyEC.cliOptions(f)) -outform DER -out '\(inner)'")
        try #require(signed.status == 0)
        var bytes = try s.read(inner)
        try alter(&bytes)
        let altered = try s.write(bytes, "inner-altered.der")
        let sealed = s.path("altered.der")
        let cli = Shell.run(
            "openssl cms -encrypt -binary -aes-256-gcm -in '\(altered)' \(Recipient.partnerEC.cliOptions(f)) -outform DER -out '\(sealed)'"
        )
        try #require(cli.status == 0)
        return sealed
    }

    @Test("a flipped bit in the signature")
    func flippedSignature() throws {
        let s = try Scratch()
        // The ECDSA signature value is the last element of the DER SignedData.
        let sealed = try cliEnvelope(s) { $0[$0.count - 3] ^= 0x01 }
        try expectRefusal(.signatureInvalid, exit: ARLinkCore.ExitStatus.noPermission, s, sealed: sealed)
    }

    @Test("altered signed content")
    func alteredContent() throws {
        let s = try Scratch()
        let sealed = try cliEnvelope(s) { bytes in
            let marker = Array("ACCOUNT-MARKER-0001".utf8)
            let at = try #require((0..<(bytes.count - marker.count)).first { Array(bytes[$0..<$0 + marker.count]) == marker })
            bytes[at] = UInt8(ascii: "X")
        }
        try expectRefusal(.signatureInvalid, s, sealed: sealed)
    }

    @Test("truncation at several offsets", arguments: [1, 2, 10, 100, 600, 50_000, 250_000, -30, -7, -1])
    func truncated(at offset: Int) throws {
        let s = try Scratch()
        let sealed = try sealDefault(s, plain: try s.makePlaintext())
        let bytes = try s.read(sealed)
        let keep = offset > 0 ? offset : bytes.count + offset
        try expectRefusal(.truncated, exit: ARLinkCore.ExitStatus.dataError, s, sealed: try s.write(Array(bytes[0..<keep]), "cut.der"))
    }

    @Test("truncation of a DER envelope from the CLI", arguments: [5, 1000, -1, -17])
    func truncatedDER(at offset: Int) throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 20_000)
        let sealed = s.path("cli.der")
        let cli = Shell.run(
            "openssl cms -sign -binary -nodetach -in '\(plain)' \(Signer.companyEC.cliOptions(f)) -outform DER"
                + " | openssl cms -encrypt -binary -aes-256-gcm \(Recipient.partnerEC.cliOptions(f)) -outform DER -out '\(sealed)'"
        )
        try #require(cli.status == 0)
        let bytes = try s.read(sealed)
        let keep = offset > 0 ? offset : bytes.count + offset
        try expectRefusal(.truncated, s, sealed: try s.write(Array(bytes[0..<keep]), "cut.der"))
    }

    @Test("encrypted to someone else")
    func notForUs() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let sealed = s.path("x.der")
        _ = try Envelope.seal(input: try s.makePlaintext(), output: sealed, signer: Signer.companyEC.identity(f), recipients: [Recipient.companyRSA.recipient(f)])
        let error = try expectRefusal(.notForUs, exit: ARLinkCore.ExitStatus.noPermission, s, sealed: sealed, recipient: .partnerEC)
        #expect(error?.message.contains("not encrypted to our certificate") == true)
    }

    @Test("signed by an unpinned key")
    func unpinned() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext()
        let sealed = s.path("other.der")
        let cli = Shell.run(
            "openssl cms -sign -binary -nodetach -in '\(plain)' -signer '\(f.path("other/signing.crt"))' -inkey '\(f.path("other/signing.key"))' -outform DER"
                + " | openssl cms -encrypt -binary -aes-256-gcm \(Recipient.partnerEC.cliOptions(f)) -outform DER -out '\(sealed)'"
        )
        try #require(cli.status == 0)
        let error = try expectRefusal(.untrustedSigner, exit: ARLinkCore.ExitStatus.noPermission, s, sealed: sealed)
        let message = try #require(error?.message)
        #expect(message.contains("signer CN=Other Agency (sha256 "))
        #expect(message.contains("pinned for partner \"acme-collect\""))
        // Not issued by the partner CA either.
        let byCA = TrustPolicy(pinned: [], caPath: f.path("ca/partner-ca.crt"), mode: .ca, partnerName: "acme-collect")
        try expectRefusal(.untrustedSigner, s, sealed: sealed, trust: byCA)
    }

    @Test("expired and not-yet-valid signer at verification time")
    func validity() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let sealed = try sealDefault(s, plain: try s.makePlaintext())
        // Instants from the certificate itself, never from today's date.
        let validity = try f.validity(Signer.companyEC.cert)
        let later = validity.notAfter.addingTimeInterval(60)
        try expectRefusal(.expiredSigner, exit: ARLinkCore.ExitStatus.noPermission, s, sealed: sealed, trust: Signer.companyEC.trust(f, now: later))
        let earlier = validity.notBefore.addingTimeInterval(-60)
        try expectRefusal(.signerNotYetValid, s, sealed: sealed, trust: Signer.companyEC.trust(f, now: earlier))
    }

    @Test("signer without digitalSignature usage")
    func keyUsage() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext()
        let sealed = s.path("nods.der")
        let cli = Shell.run(
            "openssl cms -sign -binary -nodetach -in '\(plain)' -signer '\(f.path("nods/signing.crt"))' -inkey '\(f.path("nods/signing.key"))' -outform DER"
                + " | openssl cms -encrypt -binary -aes-256-gcm \(Recipient.partnerEC.cliOptions(f)) -outform DER -out '\(sealed)'"
        )
        try #require(cli.status == 0, "\(cli.stderr)")
        let pinned = TrustPolicy(pinned: [f.path("nods/signing.crt")], partnerName: "acme-collect")
        try expectRefusal(.signerKeyUsage, exit: ARLinkCore.ExitStatus.noPermission, s, sealed: sealed, trust: pinned)
    }

    @Test("revoked signer (CRL)")
    func revoked() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let sealed = s.path("rev.der")
        _ = try Envelope.seal(input: try s.makePlaintext(), output: sealed, signer: Signer.partnerRSA.identity(f), recipients: [Recipient.companyRSA.recipient(f)])
        var pinned = Signer.partnerRSA.trust(f)
        pinned.crlPath = f.path("crl/partner.crl")
        try expectRefusal(.revokedSigner, exit: ARLinkCore.ExitStatus.noPermission, s, sealed: sealed, recipient: .companyRSA, trust: pinned)
        let byCA = TrustPolicy(pinned: [], caPath: f.path("ca/partner-ca.crt"), crlPath: f.path("crl/partner.crl"), mode: .ca, partnerName: "acme-collect")
        try expectRefusal(.revokedSigner, s, sealed: sealed, recipient: .companyRSA, trust: byCA)
    }

    func cliSigned(_ s: Scratch, encrypt: String, sign: String? = nil) throws -> String {
        let f = try Fixture.get()
        let plain = try s.makePlaintext(count: 40_000)
        let sealed = s.path("cli.der")
        let signStep = sign ?? "openssl cms -sign -binary -nodetach -in '\(plain)' \(Signer.companyEC.cliOptions(f)) -outform DER"
        let cli = Shell.run("\(signStep) | openssl cms -encrypt -binary \(encrypt) -outform DER -out '\(sealed)'")
        try #require(cli.status == 0, "\(cli.stderr)")
        return sealed
    }

    @Test("CBC EnvelopedData made by the CLI is refused, and opens only with the partner exception")
    func cbc() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let sealed = try cliSigned(s, encrypt: "-aes-256-cbc \(Recipient.partnerEC.cliOptions(f))")
        try expectRefusal(.unauthenticatedEncryption, exit: ARLinkCore.ExitStatus.noPermission, s, sealed: sealed)
        let result = try Envelope.open(
            input: sealed, output: s.output, identity: Recipient.partnerEC.identity(f), trust: Signer.companyEC.trust(f), allowCBC: true
        )
        #expect(result.warnings.count == 1)
        #expect(result.warnings.first?.contains("aes-256-cbc") == true)
        // 3DES stays refused even with the exception.
        let s2 = try Scratch()
        let des = try cliSigned(s2, encrypt: "-des3 \(Recipient.partnerEC.cliOptions(f))")
        try expectRefusal(.disallowedAlgorithm, s2, sealed: des, allowCBC: true)
    }

    @Test("CBC with the exception: altered signed content is still caught by the signature")
    func cbcTampered() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 40_000)
        let inner = s.path("inner.der")
        try #require(Shell.run("openssl cms -sign -binary -nodetach -in '\(plain)' \(Signer.companyEC.cliOptions(f)) -outform DER -out '\(inner)'").status == 0)
        var bytes = try s.read(inner)
        bytes[20_000] ^= 0x01
        let altered = try s.write(bytes, "altered-inner.der")
        let sealed = s.path("cbc.der")
        try #require(Shell.run("openssl cms -encrypt -binary -aes-256-cbc -in '\(altered)' \(Recipient.partnerEC.cliOptions(f)) -outform DER -out '\(sealed)'").status == 0)
        try expectRefusal(.signatureInvalid, s, sealed: sealed, allowCBC: true)
    }

    @Test("weak key transport and KDF parameters are refused")
    func weakRecipientParameters() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        // CLI defaults: ECDH with a SHA-1 KDF.
        let sha1KDF = try cliSigned(s, encrypt: "-aes-256-gcm -recip '\(f.path(Recipient.partnerEC.cert))'")
        try expectRefusal(.disallowedAlgorithm, s, sealed: sha1KDF)
        // RSA-OAEP with SHA-1, and PKCS#1 v1.5.
        let s2 = try Scratch()
        let oaepSHA1 = try cliSigned(s2, encrypt: "-aes-256-gcm -recip '\(f.path(Recipient.companyRSA.cert))' -keyopt rsa_padding_mode:oaep")
        try expectRefusal(.disallowedAlgorithm, s2, sealed: oaepSHA1, recipient: .companyRSA)
        let s3 = try Scratch()
        let v15 = try cliSigned(s3, encrypt: "-aes-256-gcm -recip '\(f.path(Recipient.companyRSA.cert))'")
        try expectRefusal(.disallowedAlgorithm, s3, sealed: v15, recipient: .companyRSA)
        // AES-128-GCM is not the profile.
        let s4 = try Scratch()
        let aes128 = try cliSigned(s4, encrypt: "-aes-128-gcm \(Recipient.partnerEC.cliOptions(f))")
        try expectRefusal(.disallowedAlgorithm, s4, sealed: aes128)
    }

    @Test("each legacy key transport opens only when listed, reports which, and warns", arguments: [
        ("-recip RECIP_EC", Recipient.partnerEC, LegacyKeyTransport.ecdhSHA1KDF),
        ("-recip RECIP_RSA -keyopt rsa_padding_mode:oaep", Recipient.companyRSA, LegacyKeyTransport.rsaOAEPSHA1),
        ("-recip RECIP_RSA", Recipient.companyRSA, LegacyKeyTransport.rsaPKCS1v15),
    ])
    func legacyKeyTransportOptIn(options: String, recipient: Recipient, form: LegacyKeyTransport) throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let encrypt = "-aes-256-gcm " + options
            .replacingOccurrences(of: "RECIP_EC", with: "'\(f.path(Recipient.partnerEC.cert))'")
            .replacingOccurrences(of: "RECIP_RSA", with: "'\(f.path(Recipient.companyRSA.cert))'")
        let sealed = try cliSigned(s, encrypt: encrypt)
        let identity = try recipient.identity(f)
        let others = Set(LegacyKeyTransport.allCases).subtracting([form])
        // The other two forms do not open it.
        #expect(throws: EnvelopeError.self) {
            try Envelope.open(input: sealed, output: s.output, identity: identity, trust: Signer.companyEC.trust(f), legacyKeyTransport: others)
        }
        #expect(s.outputFolderContents().isEmpty)
        let result = try Envelope.open(input: sealed, output: s.output, identity: identity, trust: Signer.companyEC.trust(f),
                                       legacyKeyTransport: [form])
        #expect(result.legacyKeyTransport == form)
        #expect(result.warnings.contains { $0.contains(form.rawValue) })
        #expect(try s.read(s.output).count == 40_000)
        // Our own envelope uses no legacy form even when all are allowed.
        let s2 = try Scratch()
        let plain = try s2.makePlaintext(count: 1000)
        let ours = try sealDefault(s2, plain: plain)
        let clean = try Envelope.open(input: ours, output: s2.output, identity: Recipient.partnerEC.identity(f), trust: Signer.companyEC.trust(f),
                                      legacyKeyTransport: Set(LegacyKeyTransport.allCases))
        #expect(clean.legacyKeyTransport == nil)
        #expect(clean.warnings.isEmpty)
    }

    @Test("a SHA-1 signature is refused")
    func sha1Signature() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 1000)
        let sealed = try cliSigned(
            s, encrypt: "-aes-256-gcm \(Recipient.partnerEC.cliOptions(f))",
            sign: "openssl cms -sign -binary -nodetach -md sha1 -in '\(plain)' \(Signer.companyEC.cliOptions(f)) -outform DER"
        )
        try expectRefusal(.disallowedAlgorithm, s, sealed: sealed)
    }

    @Test("unsigned content")
    func unsigned() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 40_000)
        let sealed = try cliSigned(s, encrypt: "-aes-256-gcm \(Recipient.partnerEC.cliOptions(f))", sign: "cat '\(plain)'")
        try expectRefusal(.unsigned, exit: ARLinkCore.ExitStatus.noPermission, s, sealed: sealed)
    }

    @Test("two signers")
    func twoSigners() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 40_000)
        let sign = "openssl cms -sign -binary -nodetach -in '\(plain)' \(Signer.companyEC.cliOptions(f)) -signer '\(f.path("other/signing.crt"))' -inkey '\(f.path("other/signing.key"))' -outform DER"
        let sealed = try cliSigned(s, encrypt: "-aes-256-gcm \(Recipient.partnerEC.cliOptions(f))", sign: sign)
        try expectRefusal(.multipleSigners, exit: ARLinkCore.ExitStatus.noPermission, s, sealed: sealed)
    }

    @Test("a nested signature")
    func nested() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 4000)
        let sign = "openssl cms -sign -binary -nodetach -econtent_type pkcs7-signedData -in '\(plain)' \(Signer.companyEC.cliOptions(f)) -outform DER"
        let sealed = try cliSigned(s, encrypt: "-aes-256-gcm \(Recipient.partnerEC.cliOptions(f))", sign: sign)
        try expectRefusal(.nestedSignature, s, sealed: sealed)
    }

    @Test("garbage and an empty file")
    func garbage() throws {
        let s = try Scratch()
        try expectRefusal(.malformed, exit: ARLinkCore.ExitStatus.dataError, s, sealed: try s.write(Array("this is not a CMS envelope at all\n".utf8), "g.der"))
        try expectRefusal(.empty, exit: ARLinkCore.ExitStatus.dataError, s, sealed: try s.write([], "empty.der"))
        try expectRefusal(.missingFile, exit: ARLinkCore.ExitStatus.noInput, s, sealed: s.path("does-not-exist.der"))
        var random = [UInt8](repeating: 0, count: 5000)
        for i in random.indices { random[i] = UInt8(truncatingIfNeeded: i &* 7919 &+ 13) }
        let error = try expectRefusal(.malformed, s, sealed: try s.write(random, "r.der"))
        #expect(error != nil)
    }

    @Test("BER with absurd lengths", arguments: [
        [0x30, 0x88, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
        [0x30, 0x89, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
        [0x30, 0x80, 0x06, 0x84, 0x7F, 0xFF, 0xFF, 0xFF, 0x2A],
    ] as [[UInt8]])
    func absurdLengths(bytes: [UInt8]) throws {
        let s = try Scratch()
        let sealed = try s.write(bytes + [UInt8](repeating: 0, count: 64), "absurd.der")
        let f = try Fixture.get()
        let identity = try Recipient.partnerEC.identity(f)
        do {
            _ = try Envelope.open(input: sealed, output: s.output, identity: identity, trust: Signer.companyEC.trust(f))
            Issue.record("opened absurd input")
        } catch {
            #expect(error.code == .malformed || error.code == .truncated, "\(error)")
            #expect(error.exitStatus == ARLinkCore.ExitStatus.dataError)
        }
        #expect(s.outputFolderContents().isEmpty)
    }

    @Test("BER nested deeply")
    func deepNesting() throws {
        let s = try Scratch()
        // ContentInfo, OID authEnvelopedData, [0], SEQUENCE, then 10,000 nested indefinite SETs.
        var bytes: [UInt8] = [0x30, 0x80, 0x06, 0x0B, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x01, 0x17, 0xA0, 0x80, 0x30, 0x80]
        for _ in 0..<10_000 { bytes += [0x31, 0x80] }
        try expectRefusal(.malformed, s, sealed: try s.write(bytes, "deep.der"))
        // Deeply nested chunks inside the encrypted content.
        let s2 = try Scratch()
        let sealed = try sealDefault(s2, plain: try s2.makePlaintext(count: 1000))
        var layoutBytes = try s2.read(sealed)
        let report = try Envelope.inspect(input: sealed)
        #expect(report.encryptedBytes != nil)
        // Replace the file with one whose encrypted content is 20 nested constructed chunks.
        layoutBytes = try Self.nestChunks(layoutBytes, depth: 20)
        try expectRefusal(.malformed, s2, sealed: try s2.write(layoutBytes, "nested.der"))
    }

    /// Rewrites our BER envelope so the encrypted content's first chunk sits `depth` constructed
    /// OCTET STRINGs deep.
    static func nestChunks(_ bytes: [UInt8], depth: Int) throws -> [UInt8] {
        // Our envelope's encrypted content is `A0 80` followed by `04 ...` chunks.
        let pattern: [UInt8] = [0xA0, 0x80, 0x04]
        let at = try #require((0..<(bytes.count - 3)).first { Array(bytes[$0..<$0 + 3]) == pattern })
        var out = Array(bytes[0..<(at + 2)])
        out += [UInt8](repeating: 0, count: 0)
        for _ in 0..<depth { out += [0x24, 0x80] }
        out += Array(bytes[(at + 2)...])
        return out
    }
}
