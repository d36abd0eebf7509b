@testable import ARLinkAudit
import ARLinkEnvelope
import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

@Suite("Inclusion proofs for one transfer", .timeLimit(.minutes(10)))
struct ProofTests {
    func makeLog(_ name: String) throws -> (AuditTestFixture, AuditLog) {
        let fixture = try AuditTestFixture(name)
        let store = try fixture.store()
        let log = try fixture.log(store)
        try store.write { db in try log.append(AuditTestFixture.sampleEvents(40), in: db) }
        try log.checkpoint()
        return (fixture, log)
    }

    func encode(_ proof: AuditInclusionProof) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(proof))
    }

    @Test("a proof for a transfer verifies with only the checkpoint file and the public key")
    func roundTrip() throws {
        let (fixture, _) = try makeLog("proof-ok")
        defer { fixture.directory.remove() }
        let proof = try AuditProver.prove(store: try fixture.store(), fileID: "F-1005")
        #expect(proof.entries.map(\.leafIndex) == [15, 16, 17])
        #expect(proof.treeSize == 40)
        let checkpoints = try String(contentsOfFile: fixture.checkpointPath, encoding: .utf8)
        let result = try AuditProofChecker.check(proofJSON: try encode(proof), checkpointText: checkpoints, publicKey: try Ed25519PublicKey(pemFile: fixture.publicKeyPath), origin: AuditTestFixture.origin)
        #expect(result.fileID == "F-1005")
        #expect(result.entries.map(\.event.action) == ["batch.built", "batch.sealed", "file.quarantined"])
        #expect(result.keyName == AuditTestFixture.origin)
        // The audit path of one entry at 40 leaves is 6 hashes.
        #expect(proof.entries[0].inclusionPath.count == 6)
    }

    @Test("a proof against an older checkpoint verifies with a copy of that checkpoint alone")
    func olderCheckpoint() throws {
        let (fixture, log) = try makeLog("proof-older")
        defer { fixture.directory.remove() }
        let older = try #require(try log.latestCheckpoint())
        try log.store.write { db in try log.append(AuditTestFixture.sampleEvents(9), in: db) }
        try log.checkpoint()
        let proof = try AuditProver.prove(store: log.store, fileID: "F-1001", treeSize: older.treeSize)
        #expect(proof.treeSize == 40)
        #expect(proof.entries.map(\.leafIndex) == [3, 4, 5], "entries of F-1001 appended after size 40 are not part of this proof")
        #expect(try AuditProver.prove(store: log.store, fileID: "F-1001").entries.map(\.leafIndex) == [3, 4, 5, 43, 44, 45])
        let result = try AuditProofChecker.check(proofJSON: try encode(proof), checkpointText: older.noteText, publicKey: try Ed25519PublicKey(pemFile: fixture.publicKeyPath), origin: AuditTestFixture.origin)
        #expect(result.treeSize == 40)
        #expect(throws: AuditError(.notFound, "")) { _ = try AuditProver.prove(store: log.store, fileID: "F-1004", treeSize: 41) }
    }

    @Test("a proof for an entry that is not in the log is refused")
    func entryNotInLog() throws {
        let (fixture, _) = try makeLog("proof-forged")
        defer { fixture.directory.remove() }
        var proof = try AuditProver.prove(store: try fixture.store(), fileID: "F-1002")
        proof.entries[0].entry = proof.entries[0].entry.replacingOccurrences(of: "\"record_count\":16", with: "\"record_count\":99")
        let checkpoints = try String(contentsOfFile: fixture.checkpointPath, encoding: .utf8)
        let key = try Ed25519PublicKey(pemFile: fixture.publicKeyPath)
        let error = try #require(throws: AuditError.self) { _ = try AuditProofChecker.check(proofJSON: try encode(proof), checkpointText: checkpoints, publicKey: key, origin: AuditTestFixture.origin) }
        #expect(error.code == .proofInvalid)
        #expect(error.message.hasPrefix("proof entry for leaf 6 is not in the log"), "\(error.message)")

        // An entry that is in the log but about another file is refused too.
        var other = try AuditProver.prove(store: try fixture.store(), fileID: "F-1002")
        let foreign = try AuditProver.prove(store: try fixture.store(), fileID: "F-1003")
        other.entries = foreign.entries
        let mismatch = try #require(throws: AuditError.self) { _ = try AuditProofChecker.check(proofJSON: try encode(other), checkpointText: checkpoints, publicKey: key, origin: AuditTestFixture.origin) }
        #expect(mismatch.message.contains("is about another file"))
    }

    @Test("a checkpoint not signed by the given key is refused")
    func wrongKey() throws {
        let (fixture, _) = try makeLog("proof-key")
        defer { fixture.directory.remove() }
        let proof = try AuditProver.prove(store: try fixture.store(), fileID: "F-1001")
        let otherKey = fixture.directory.file("other.key"), otherPub = fixture.directory.file("other.pub")
        try AuditTestFixture.generateKey(private: otherKey, public: otherPub)
        let checkpoints = try String(contentsOfFile: fixture.checkpointPath, encoding: .utf8)
        let error = try #require(throws: AuditError.self) {
            _ = try AuditProofChecker.check(proofJSON: try encode(proof), checkpointText: checkpoints, publicKey: try Ed25519PublicKey(pemFile: otherPub), origin: AuditTestFixture.origin)
        }
        #expect(error.code == .tampered)
        #expect(error.message.contains("is signed by another key"), "\(error.message)")
    }

    @Test("unknown file ids and entries newer than the checkpoint are reported, not proven")
    func notFound() throws {
        let (fixture, log) = try makeLog("proof-missing")
        defer { fixture.directory.remove() }
        #expect(throws: AuditError(.notFound, "")) { _ = try AuditProver.prove(store: log.store, fileID: "F-none") }
        try log.store.write { db in try log.append([AuditEvent(action: "file.fetched", outcome: "ok", fileID: "F-late")], in: db) }
        let error = try #require(throws: AuditError.self) { _ = try AuditProver.prove(store: log.store, fileID: "F-late") }
        #expect(error.message.contains("newer than the checkpoint"))
        #expect(throws: AuditError(.malformed, "")) {
            _ = try AuditProofChecker.check(proofJSON: Array("{}".utf8), checkpointText: "", publicKey: try Ed25519PublicKey(pemFile: fixture.publicKeyPath), origin: AuditTestFixture.origin)
        }
    }
}
