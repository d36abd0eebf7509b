@testable import ARLinkAudit
import ARLinkEnvelope
import ARLinkStore
import ARLinkTestSupport
import Foundation
import Testing

/// Checkpoint text parsed exactly as C2SP tlog-checkpoint and signed-note specify, and a
/// checker that identifies the key by what the caller knows, not by the name in the note.
@Suite("Checkpoint parsing and key identity", .timeLimit(.minutes(10)))
struct CheckpointParsingTests {
    static let root = MerkleHash.zero.base64

    @Test("tree sizes with a sign, leading zeros or other characters are refused", arguments: ["020", "+20", "-1", " 20", "20 ", "0x14", "", "99999999999999999999999"])
    func badSizes(size: String) {
        let error = #expect(throws: AuditError.self) {
            _ = try SignedCheckpoint.parseBody("log.example/a\n\(size)\n\(Self.root)\n", source: "note")
        }
        #expect(error?.code == .malformed)
    }

    @Test("a size of 0 and plain decimal sizes are accepted", arguments: ["0", "7", "20", "18446744073709551615"])
    func goodSizes(size: String) throws {
        let parsed = try SignedCheckpoint.parseBody("log.example/a\n\(size)\n\(Self.root)\n", source: "note")
        #expect(String(parsed.size) == size)
    }

    @Test("control characters, a bad root and empty extension lines are refused", arguments: [
        "log.example/a\u{7}\n20\n\(CheckpointParsingTests.root)\n",
        "log.example/a\n20\n\(CheckpointParsingTests.root)\r\n",
        "log.example/a\n20\nnot-base64\n",
        "log.example/a\n20\n\(CheckpointParsingTests.root)\n\nextension\n",
        "\n20\n\(CheckpointParsingTests.root)\n",
    ])
    func badText(text: String) {
        #expect(throws: AuditError.self) { _ = try SignedCheckpoint.parseBody(text, source: "note") }
    }

    @Test("a note signed as one log and relabelled with another name is refused by check-proof")
    func relabelledNote() throws {
        let fixture = try AuditTestFixture("relabel")
        defer { fixture.directory.remove() }
        let log = try fixture.log(try fixture.store())
        try log.store.write { db in try log.append(AuditTestFixture.sampleEvents(6), in: db) }
        let checkpoint = try log.checkpoint()
        let proof = try AuditProver.prove(store: try fixture.store(), fileID: "F-1001")
        let proofJSON = Array(try JSONEncoder().encode(proof))
        let publicKey = try Ed25519PublicKey(pemFile: fixture.publicKeyPath)
        // The genuine note passes.
        _ = try AuditProofChecker.check(proofJSON: proofJSON, checkpointText: checkpoint.noteText, publicKey: publicKey, origin: AuditTestFixture.origin)
        // Relabelled: another name, with the key id recomputed for it; the signature over the
        // body still verifies with the same key.
        let other = "other.example/audit"
        let parsed = try SignedNote(parsing: checkpoint.noteText, source: "note")
        let signature = try #require(parsed.signatures.first)
        let otherKey = try AuditVerifierKey(publicKey: publicKey, keyName: other)
        let relabelled = parsed.text + "\n\u{2014} \(other) " + Data(otherKey.keyID + signature.signature).base64EncodedString() + "\n"
        let error = #expect(throws: AuditError.self) {
            _ = try AuditProofChecker.check(proofJSON: proofJSON, checkpointText: relabelled, publicKey: publicKey, origin: AuditTestFixture.origin)
        }
        #expect(error?.code == .tampered, "\(String(describing: error))")
        // Nor does claiming the other name as the origin help: the note's origin line says otherwise.
        #expect(throws: AuditError.self) {
            _ = try AuditProofChecker.check(proofJSON: proofJSON, checkpointText: relabelled, publicKey: publicKey, origin: other)
        }
    }
}
