import ARLinkAudit
import ARLinkCore
import ARLinkEnvelope
import ARLinkTestSupport
import Foundation
import Testing

/// Ed25519 through OpenSSL's EVP API, checked against the `openssl` CLI as an independent peer.
@Suite("Ed25519 keys and signatures against the openssl CLI", .timeLimit(.minutes(10)))
struct Ed25519InteropTests {
    @Test("a signature we make verifies with openssl pkeyutl, and one openssl makes verifies with us")
    func interop() throws {
        let fixture = try AuditTestFixture("ed25519")
        defer { fixture.directory.remove() }
        let message = Array("origin\n42\nAAAA\n".utf8)
        let messagePath = fixture.directory.file("message.txt")
        try Data(message).write(to: URL(fileURLWithPath: messagePath))

        let key = try Ed25519PrivateKey(pemFile: fixture.keyPath)
        let signature = try key.sign(message)
        #expect(signature.count == 64)
        let signaturePath = fixture.directory.file("ours.sig")
        try Data(signature).write(to: URL(fileURLWithPath: signaturePath))
        let verify = try AuditTestTool.run("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", fixture.publicKeyPath, "-rawin", "-in", messagePath, "-sigfile", signaturePath])
        #expect(verify.status == 0, "openssl refused our signature: \(verify.stdout) \(verify.stderr)")

        let theirsPath = fixture.directory.file("theirs.sig")
        let sign = try AuditTestTool.run("openssl", ["pkeyutl", "-sign", "-inkey", fixture.keyPath, "-rawin", "-in", messagePath, "-out", theirsPath])
        try #require(sign.status == 0, "openssl pkeyutl -sign failed: \(sign.stderr)")
        let theirs = try [UInt8](Data(contentsOf: URL(fileURLWithPath: theirsPath)))
        let publicKey = try Ed25519PublicKey(pemFile: fixture.publicKeyPath)
        #expect(publicKey.isValidSignature(theirs, for: message))
        #expect(publicKey.rawBytes == key.publicKey.rawBytes)
        var tampered = message
        tampered[0] ^= 1
        #expect(!publicKey.isValidSignature(theirs, for: tampered))
    }

    @Test("a private key readable by group or others is refused, naming the fix")
    func permissions() throws {
        let fixture = try AuditTestFixture("ed25519-perm")
        defer { fixture.directory.remove() }
        for mode in [0o640, 0o604, 0o644] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: fixture.keyPath)
            let error = try #require(throws: Ed25519Error.self) { _ = try Ed25519PrivateKey(pemFile: fixture.keyPath) }
            #expect(error.code == .keyPermissions)
            #expect(error.message.contains("chmod 600"))
            #expect(error.exitStatus == .noPermission)
        }
        let auditError = try #require(throws: AuditError.self) { _ = try AuditSigner(privateKeyPath: fixture.keyPath, keyName: "x") }
        #expect(auditError.code == .key)
    }

    @Test("keys of another algorithm, missing files and garbage are refused")
    func wrongKeys() throws {
        let fixture = try AuditTestFixture("ed25519-wrong")
        defer { fixture.directory.remove() }
        let ecKey = fixture.directory.file("ec.key")
        let gen = try AuditTestTool.run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ecKey])
        try #require(gen.status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: ecKey)
        #expect(throws: Ed25519Error(.keyFormat, "")) { _ = try Ed25519PrivateKey(pemFile: ecKey) }
        #expect(throws: Ed25519Error(.keyFileMissing, "")) { _ = try Ed25519PrivateKey(pemFile: fixture.directory.file("absent.key")) }
        let garbage = try fixture.directory.write("garbage.key", "not a key\n", mode: 0o600)
        #expect(throws: Ed25519Error(.keyFormat, "")) { _ = try Ed25519PrivateKey(pemFile: garbage) }
        #expect(throws: Ed25519Error(.keyFormat, "")) { _ = try Ed25519PublicKey(pemFile: fixture.keyPath) }
        #expect(throws: Ed25519Error(.keyFormat, "")) { _ = try Ed25519PublicKey(rawBytes: [1, 2, 3]) }
    }

    @Test("an encrypted private key opens with its passphrase and is refused without it")
    func encrypted() throws {
        let fixture = try AuditTestFixture("ed25519-enc")
        defer { fixture.directory.remove() }
        let encrypted = fixture.directory.file("enc.key")
        let result = try AuditTestTool.run("openssl", ["pkcs8", "-topk8", "-in", fixture.keyPath, "-out", encrypted, "-v2", "aes-256-cbc", "-passout", "pass:s3cret"])
        try #require(result.status == 0, "\(result.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: encrypted)
        let key = try Ed25519PrivateKey(pemFile: encrypted, passphrase: Array("s3cret".utf8))
        #expect(key.publicKey.rawBytes == (try Ed25519PublicKey(pemFile: fixture.publicKeyPath)).rawBytes)
        let error = try #require(throws: Ed25519Error.self) { _ = try Ed25519PrivateKey(pemFile: encrypted) }
        #expect(error.code == .keyFormat)
        #expect(!error.message.contains("s3cret"))
        #expect(throws: Ed25519Error.self) { _ = try Ed25519PrivateKey(pemFile: encrypted, passphrase: Array("wrong".utf8)) }
    }
}
