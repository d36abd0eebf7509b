@testable import ARLinkAudit
import ARLinkEnvelope
import Foundation
import Testing

/// The signed-note example of Go's golang.org/x/mod/sumdb/note (package documentation and
/// note_test.go): the key "PeterNeumann" with its published verifier key and signature.
/// Ed25519 is deterministic, so signing the same text with the same seed through OpenSSL
/// must reproduce the published signature byte for byte.
@Suite("C2SP signed notes against the Go sumdb/note example", .timeLimit(.minutes(10)))
struct SignedNoteTests {
    static let verifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let signerKeyBase64 = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let signature = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="

    @Test("OpenSSL reproduces the published signature and key id")
    func reproducesGoExample() throws {
        let seedBlob = try #require(Data(base64Encoded: Self.signerKeyBase64))
        #expect(seedBlob.first == 0x01)
        let key = try Ed25519PrivateKey(seed: Array(seedBlob.dropFirst()))
        let verifier = try AuditVerifierKey(publicKey: key.publicKey, keyName: "PeterNeumann")
        #expect(verifier.verifierKeyText == Self.verifierKey)
        #expect(hexString(verifier.keyID) == "c74f20a3")
        let signature = try key.sign(Array(Self.text.utf8))
        #expect(Data(verifier.keyID + signature).base64EncodedString() == Self.signature)
    }

    @Test("the published note parses and its signature verifies; an altered text does not")
    func parsesAndVerifiesGoNote() throws {
        let note = Self.text + "\n\u{2014} PeterNeumann " + Self.signature + "\n"
        let parsed = try SignedNote(parsing: note, source: "go note")
        #expect(parsed.text == Self.text)
        let signature = try #require(parsed.signatures.first)
        #expect(signature.keyName == "PeterNeumann")
        let publicBlob = try #require(Data(base64Encoded: String(Self.verifierKey.split(separator: "+", maxSplits: 2)[2])))
        let publicKey = try Ed25519PublicKey(rawBytes: Array(publicBlob.dropFirst()))
        #expect(publicKey.isValidSignature(signature.signature, for: Array(parsed.text.utf8)))
        let altered = Self.text.replacingOccurrences(of: "cryptography", with: "cryptographY")
        #expect(!publicKey.isValidSignature(signature.signature, for: Array(altered.utf8)))
    }

    @Test("malformed notes are refused with a reason", arguments: [
        "no newline at end",
        "text only\n",
        "text\n\n— name\n",
        "text\n\n-- name AAAA\n",
        "text\n\n\n",
    ])
    func malformed(note: String) {
        #expect(throws: AuditError.self) { _ = try SignedNote(parsing: note, source: "test note") }
    }

    @Test("a checkpoint file of several notes splits back into the same notes")
    func splitting() throws {
        let key = try Ed25519PrivateKey(seed: Array(repeating: 7, count: 32))
        let signer = try AuditSigner(key: key, keyName: "arlink.test/audit")
        let hasher = try MerkleHasher()
        let notes = try (1...3).map { try signer.signCheckpoint(origin: "arlink.test/audit", treeSize: UInt64($0), rootHash: hasher.leafHash([UInt8($0)])).noteText }
        #expect(SignedNote.splitNotes(notes.map { $0 + "\n" }.joined()) == notes)
        let verifier = try AuditVerifierKey(publicKey: key.publicKey, keyName: "arlink.test/audit")
        let opened = try verifier.open(notes[1], source: "note 2", origin: "arlink.test/audit")
        #expect(opened.treeSize == 2)
        #expect(opened.rootHash == hasher.leafHash([2]))
        #expect(notes[0].hasPrefix("arlink.test/audit\n1\n"))
        #expect(notes[0].contains("\n\n\u{2014} arlink.test/audit "))
    }
}
