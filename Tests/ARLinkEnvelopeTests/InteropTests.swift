@testable import ARLinkEnvelope
import Foundation
import Testing

/// Interoperability with the `openssl cms` command-line tool, the partner's tool, in both
/// directions for every signer and recipient type.
@Suite("Interop with openssl cms", .timeLimit(.minutes(10)))
struct InteropTests {
    static let pairs: [(Signer, Recipient)] = Signer.allCases.flatMap { s in Recipient.allCases.map { (s, $0) } }
    static let cases: [(Signer, Recipient, Bool)] = pairs.flatMap { p in [false, true].map { (p.0, p.1, $0) } }

    @Test("the CLI opens what we seal", arguments: pairs)
    func cliOpensOurs(signer: Signer, recipient: Recipient) throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 2_500_000)
        let sealed = s.path("sealed.der")
        let result = try Envelope.seal(
            input: plain, output: sealed, signer: signer.identity(f), recipients: [recipient.recipient(f)]
        )
        let cli = Shell.run(
            "openssl cms -decrypt -binary -inform DER -in '\(sealed)' -recip '\(f.path(recipient.cert))' -inkey '\(f.path(recipient.key))'"
                + " | openssl cms -verify -binary -inform DER -CAfile '\(f.path(signer == .companyEC ? "ca/company-ca.crt" : "ca/partner-ca.crt"))' -purpose any -out '\(s.path("cli.out"))'"
        )
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(try s.read(s.path("cli.out")) == s.read(plain))
        let sums = Shell.run("sha256sum '\(plain)' '\(sealed)' | cut -c1-64")
        #expect(sums.stdout.split(separator: "\n").map(String.init) == [result.plaintextSHA256, result.sealedSHA256])
        #expect(result.plaintextBytes == 2_500_000)
        // The signature uses the profile's algorithm.
        let printed = Shell.run(
            "openssl cms -decrypt -binary -inform DER -in '\(sealed)' -recip '\(f.path(recipient.cert))' -inkey '\(f.path(recipient.key))'"
                + " | openssl cms -cmsout -print -inform DER -noout | grep -A1 signatureAlgorithm"
        )
        #expect(printed.stdout.contains(signer == .companyEC ? "ecdsa-with-SHA256" : "rsassaPss"), "\(printed.stdout)")
        // Sealed files hold no plaintext in the clear and are private.
        let mode = try FileManager.default.attributesOfItem(atPath: sealed)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("we open what the CLI seals, with and without -stream", arguments: cases)
    func weOpenCLI(signer: Signer, recipient: Recipient, stream: Bool) throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 1_200_000)
        let sealed = s.path("cli.der")
        // OpenSSL 3.0's CLI cannot stream an RSA-PSS signature (its streaming prefix fails to
        // encode), so for that signer only the envelope layer streams.
        let signStream = stream && signer == .companyEC ? "-stream" : ""
        let cli = Shell.run(
            "openssl cms -sign -binary -nodetach \(signStream) -in '\(plain)' \(signer.cliOptions(f)) -outform DER"
                + " | openssl cms -encrypt -binary \(stream ? "-stream" : "") -aes-256-gcm \(recipient.cliOptions(f)) -outform DER -out '\(sealed)'"
        )
        try #require(cli.status == 0, "\(cli.stderr)")
        let result = try Envelope.open(
            input: sealed, output: s.output, identity: recipient.identity(f), trust: signer.trust(f)
        )
        #expect(try s.read(s.output) == s.read(plain))
        let fingerprint = Shell.run("openssl x509 -in '\(f.path(signer.cert))' -outform DER | sha256sum | cut -c1-64")
        #expect(result.signerFingerprint + "\n" == fingerprint.stdout)
        #expect(result.signerSubject.contains(signer == .companyEC ? "CN=Example Company AR signing" : "CN=Acme Collect signing"))
        let sums = Shell.run("sha256sum '\(plain)' '\(sealed)' | cut -c1-64")
        #expect(sums.stdout.split(separator: "\n").map(String.init) == [result.plaintextSHA256, result.sealedSHA256])
        #expect(result.warnings.isEmpty)
        let mode = try FileManager.default.attributesOfItem(atPath: s.output)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(s.outputFolderContents() == ["plain.out"])
    }

    @Test("two recipients: each can open, with our code and with the CLI")
    func twoRecipients() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 700_000)
        let sealed = s.path("two.der")
        _ = try Envelope.seal(
            input: plain, output: sealed, signer: Signer.companyEC.identity(f),
            recipients: [Recipient.partnerEC.recipient(f), Recipient.companyRSA.recipient(f)]
        )
        for recipient in Recipient.allCases {
            let out = s.path("out/\(recipient.description).out")
            _ = try Envelope.open(input: sealed, output: out, identity: recipient.identity(f), trust: Signer.companyEC.trust(f))
            #expect(try s.read(out) == s.read(plain), "\(recipient)")
            let cli = Shell.run(
                "openssl cms -decrypt -binary -inform DER -in '\(sealed)' -recip '\(f.path(recipient.cert))' -inkey '\(f.path(recipient.key))'"
                    + " | openssl cms -verify -binary -inform DER -CAfile '\(f.path("ca/company-ca.crt"))' -purpose any | cmp - '\(plain)'"
            )
            #expect(cli.status == 0, "\(recipient): \(cli.stderr)")
        }
        let report = try Envelope.inspect(input: sealed)
        #expect(report.recipients.count == 2)
        #expect(report.contentEncryption == "aes-256-gcm")
        #expect(report.recipients.map(\.algorithm).contains("rsaes-oaep (sha256, mgf1-sha256)"))
        #expect(report.recipients.map(\.algorithm).contains("ecdh-stdDH-sha256kdf with aes256-wrap"))
    }

    @Test("an empty file seals and opens")
    func emptyPlaintext() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.write([], "empty.bin")
        let sealed = s.path("e.der")
        let sealedResult = try Envelope.seal(input: plain, output: sealed, signer: Signer.partnerRSA.identity(f), recipients: [Recipient.companyRSA.recipient(f)])
        #expect(sealedResult.plaintextSHA256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let opened = try Envelope.open(input: sealed, output: s.output, identity: Recipient.companyRSA.identity(f), trust: Signer.partnerRSA.trust(f))
        #expect(opened.plaintextBytes == 0)
        #expect(try s.read(s.output).isEmpty)
    }

    @Test("a transient open (not fsynced) gives the same plaintext, private, and leaves no temporary file")
    func transientOpen() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext(count: 3_000_000)
        let sealed = s.path("t.der")
        let sealedResult = try Envelope.seal(input: plain, output: sealed, signer: Signer.partnerRSA.identity(f), recipients: [Recipient.companyRSA.recipient(f)])
        let out = s.path("out/transient.plain")
        try FileManager.default.createDirectory(atPath: s.path("out"), withIntermediateDirectories: true)
        let opened = try Envelope.open(input: sealed, output: out, identity: Recipient.companyRSA.identity(f), trust: Signer.partnerRSA.trust(f),
                                       durable: false)
        #expect(opened.plaintextSHA256 == sealedResult.plaintextSHA256)
        #expect(try s.read(out) == s.read(plain))
        #expect(try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.path("out")) == ["transient.plain"])
        // A refused envelope still leaves nothing behind.
        var bytes = try s.read(sealed)
        bytes[bytes.count - 40] ^= 1
        let tampered = try s.write(bytes, "tampered.der")
        #expect(throws: EnvelopeError.self) {
            try Envelope.open(input: tampered, output: s.path("out/bad.plain"), identity: Recipient.companyRSA.identity(f),
                              trust: Signer.partnerRSA.trust(f), durable: false)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.path("out")) == ["transient.plain"])
    }

    @Test("trust by the partner CA instead of a pin (trust: ca)")
    func trustByCA() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let plain = try s.makePlaintext()
        let sealed = s.path("ca.der")
        _ = try Envelope.seal(input: plain, output: sealed, signer: Signer.partnerRSA.identity(f), recipients: [Recipient.companyRSA.recipient(f)])
        let policy = TrustPolicy(pinned: [], caPath: f.path("ca/partner-ca.crt"), mode: .ca, partnerName: "acme-collect")
        let result = try Envelope.open(input: sealed, output: s.output, identity: Recipient.companyRSA.identity(f), trust: policy)
        #expect(result.signerSubject.contains("Acme Collect signing"))
        // An empty CRL from that CA changes nothing.
        var withCRL = policy
        withCRL.crlPath = f.path("crl/empty.crl")
        _ = try Envelope.open(input: sealed, output: s.path("out/2.out"), identity: Recipient.companyRSA.identity(f), trust: withCRL)
    }
}
