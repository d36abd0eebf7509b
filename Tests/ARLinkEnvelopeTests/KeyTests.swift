@testable import ARLinkEnvelope
import ARLinkCore
import Foundation
import Testing

@Suite("Keys and certificates", .timeLimit(.minutes(10)))
struct KeyTests {
    @Test("a group-readable private key is refused")
    func permissions() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let loose = s.path("loose.key")
        try FileManager.default.copyItem(atPath: f.path("company/signing.key"), toPath: loose)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: loose)
        #expect(throws: EnvelopeError(.keyPermissions, "")) {
            try SigningIdentity(certificatePath: f.path("company/signing.crt"), keyPath: loose)
        }
        do {
            _ = try SigningIdentity(certificatePath: f.path("company/signing.crt"), keyPath: loose)
        } catch {
            #expect(error.exitStatus == ARLinkCore.ExitStatus.noPermission)
            #expect(error.message.contains("chmod 600"))
        }
    }

    @Test("a key that does not belong to the certificate")
    func mismatch() throws {
        let f = try Fixture.get()
        #expect(throws: EnvelopeError(.keyMismatch, "")) {
            try SigningIdentity(certificatePath: f.path("company/signing.crt"), keyPath: f.path("company/archive.key"))
        }
    }

    @Test("a signing certificate without digitalSignature, and an RSA certificate as EC recipient")
    func usage() throws {
        let f = try Fixture.get()
        #expect(throws: EnvelopeError(.certificateUsage, "")) {
            try SigningIdentity(certificatePath: f.path("company/archive.crt"), keyPath: f.path("company/archive.key"))
        }
        #expect(throws: EnvelopeError(.certificateUsage, "")) { try RecipientCertificate(path: f.path("company/signing.crt")) }
        #expect(throws: EnvelopeError(.certificateExpired, "")) {
            try RecipientCertificate(path: f.path("partner/encryption.crt"), now: try f.validity("partner/encryption.crt").notAfter.addingTimeInterval(60))
        }
    }

    @Test("encrypted keys with the passphrase from a file or the environment")
    func passphrases() throws {
        let f = try Fixture.get()
        let cert = f.path("company/encryption.crt")
        let key = f.path("enc/encryption.key")
        #expect(throws: EnvelopeError(.passphrase, "")) { try DecryptionIdentity(certificatePath: cert, keyPath: key) }
        let fromFile = try DecryptionIdentity(certificatePath: cert, keyPath: key, passphrase: .file(f.path("enc/passphrase")))
        #expect(fromFile.sha256Fingerprint.count == 64)
        setenv("ARLINK_TEST_KEY_PASS", "correct horse battery staple", 1)
        _ = try DecryptionIdentity(certificatePath: cert, keyPath: key, passphrase: .environment("ARLINK_TEST_KEY_PASS"))
        setenv("ARLINK_TEST_KEY_WRONG", "wrong", 1)
        do {
            _ = try DecryptionIdentity(certificatePath: cert, keyPath: key, passphrase: .environment("ARLINK_TEST_KEY_WRONG"))
            Issue.record("a wrong passphrase was accepted")
        } catch {
            #expect(error.code == .passphrase)
            #expect(!error.description.contains("wrong"), "the passphrase must not appear in errors")
        }
        #expect(throws: EnvelopeError(.passphrase, "")) {
            try DecryptionIdentity(certificatePath: cert, keyPath: key, passphrase: .environment("ARLINK_TEST_UNSET_VARIABLE"))
        }
    }

    @Test("DER certificates and keys load; fingerprints match the CLI")
    func derAndFingerprints() throws {
        let f = try Fixture.get()
        let identity = try SigningIdentity(certificatePath: f.path("der/signing.crt"), keyPath: f.path("der/signing.key"))
        let cli = Shell.run("openssl x509 -in '\(f.path("company/signing.crt"))' -noout -fingerprint -sha256")
        let expected = cli.stdout.split(separator: "=").last.map { $0.replacingOccurrences(of: ":", with: "").lowercased().trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(identity.certificate.sha256Fingerprint == expected)
        let recipient = try RecipientCertificate(path: f.path("partner/encryption.crt"))
        #expect(recipient.subject == "CN=Acme Collect encryption,O=Acme Collect")
        #expect(recipient.certificate.keyAlgorithm == "EC P-256")
        #expect(recipient.certificate.keyUsage == ["keyAgreement"])
    }

    @Test("missing files exit 66; a certificate that is not one exits 78")
    func missing() throws {
        let s = try Scratch()
        do {
            _ = try RecipientCertificate(path: s.path("nope.crt"))
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.code == .missingFile)
            #expect(error.exitStatus == ARLinkCore.ExitStatus.noInput)
        }
        let junk = try s.write(Array("not a certificate".utf8), "junk.crt")
        #expect(throws: EnvelopeError(.badCertificate, "")) { try RecipientCertificate(path: junk) }
    }

    @Test("keys check rows")
    func keyCheck() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let loose = s.path("loose.key")
        try FileManager.default.copyItem(atPath: f.path("company/archive.key"), toPath: loose)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: loose)
        let inside = try f.insideValidity("company/signing.crt")
        let rows = KeyCheck.run([
            .init(role: "signing", certificatePath: f.path("company/signing.crt"), keyPath: f.path("company/signing.key"), requiredUsage: .digitalSignature),
            .init(role: "decryption", certificatePath: f.path("company/encryption.crt"), keyPath: f.path("enc/encryption.key"), passphrase: .file(f.path("enc/passphrase")), requiredUsage: .encryption),
            .init(role: "archive", certificatePath: f.path("company/archive.crt"), keyPath: loose, requiredUsage: .encryption),
            .init(role: "partner-signing", certificatePath: f.path("partner/signing.crt"), keyPath: nil, requiredUsage: .digitalSignature),
            .init(role: "wrong-pair", certificatePath: f.path("company/signing.crt"), keyPath: f.path("company/archive.key")),
            .init(role: "audit", certificatePath: nil, keyPath: f.path("company/audit.key")),
        ], now: inside)
        #expect(rows.count == 6)
        #expect(rows[0].ok && rows[0].pairMatches == true && rows[0].permissions == "600")
        #expect(rows[0].usage == ["digitalSignature"])
        #expect((rows[0].daysLeft ?? 0) > 3000)
        #expect(rows[1].ok && rows[1].keyAlgorithm == "RSA-3072")
        #expect(!rows[2].ok && rows[2].permissions == "644")
        #expect(rows[3].ok && rows[3].pairMatches == nil)
        #expect(!rows[4].ok && rows[4].pairMatches == false)
        #expect(rows[5].ok && rows[5].keyAlgorithm == "Ed25519")
        let soon = KeyCheck.run(
            [.init(role: "signing", certificatePath: f.path("company/signing.crt"), keyPath: nil)],
            now: try f.validity("company/signing.crt").notAfter.addingTimeInterval(-10 * 86_400)
        )
        #expect(soon[0].ok && soon[0].warnings.count == 1)
        let notYet = KeyCheck.run(
            [.init(role: "signing", certificatePath: f.path("company/signing.crt"), keyPath: nil)],
            now: try f.validity("company/signing.crt").notAfter.addingTimeInterval(-40 * 86_400)
        )
        #expect(notYet[0].ok && notYet[0].warnings.isEmpty)
    }
}

@Suite("Header binding", .timeLimit(.minutes(10)))
struct HeaderBindingTests {
    let ours = "aa11bb22cc33dd44ee55ff6600112233445566778899aabbccddeeff00112233"
    let signer = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

    func check(sender: String = "acme-collect", recipient: String = "example-co", key: String? = nil, signerFP: String? = nil) -> HeaderBinding.Outcome {
        HeaderBinding.check(
            headerSender: sender, headerRecipient: recipient, headerRecipientKeyFingerprint: key ?? ours,
            ourID: "example-co", ourEncryptionFingerprint: ours, partnerID: "acme-collect",
            signerFingerprint: signerFP ?? signer, partnerSignerFingerprints: [signer]
        )
    }

    @Test func matches() {
        #expect(check() == .ok)
        #expect(check(key: "SHA256:" + ours.uppercased()) == .ok)
    }

    @Test func mismatches() {
        #expect(check(recipient: "someone-else") != .ok)
        #expect(check(key: String(ours.reversed())) != .ok)
        #expect(check(sender: "other-agency") != .ok)
        #expect(check(signerFP: String(signer.reversed())) != .ok)
        #expect(check(recipient: "someone-else").error?.code == .headerMismatch)
        #expect(check(recipient: "someone-else").error?.exitStatus == ARLinkCore.ExitStatus.noPermission)
    }
}
