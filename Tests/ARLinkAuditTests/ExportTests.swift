@testable import ARLinkAudit
import ARLinkEnvelope
import ARLinkStore
import ARLinkTestSupport
import Foundation
import Testing

/// `audit export` and `audit check-export`, and an independent check of one export written
/// from the specs (Python's `cryptography` for Ed25519, hashlib for the tree).
@Suite("Verifiable audit exports", .timeLimit(.minutes(10)))
struct ExportTests {
    static var today: String { String(ISO8601DateFormatter().string(from: Date()).prefix(10)) }

    /// A log of 25 entries over three runs (checkpoints 0, 8, 10, 17, 20, 25), exported.
    func makeExport(_ name: String) throws -> (AuditTestFixture, String, AuditExport) {
        let fixture = try AuditTestFixture(name)
        for count in [8, 9, 8] {
            let log = try fixture.log(try fixture.store(), every: 10)
            try log.store.write { db in try log.append(AuditTestFixture.sampleEvents(count), in: db) }
            try log.checkpoint()
        }
        let out = fixture.directory.file("export")
        let export = try AuditExport.write(store: try fixture.store(), from: Self.today, to: Self.today, out: out)
        return (fixture, out, export)
    }

    func check(_ fixture: AuditTestFixture, _ out: String) throws -> AuditExportChecker.Result {
        try AuditExportChecker.check(folder: out, publicKey: try Ed25519PublicKey(pemFile: fixture.publicKeyPath), origin: AuditTestFixture.origin)
    }

    @Test("an export checks with the public key alone; every entry, checkpoint and consistency proof is in it")
    func roundTrip() throws {
        let (fixture, out, export) = try makeExport("export")
        defer { fixture.directory.remove() }
        #expect(export.entries.count == 25)
        #expect(export.treeSize == 25)
        let result = try check(fixture, out)
        #expect(result.entries == 25 && result.checkpoints == 6 && result.consistencyProofs == 5)
        #expect(FileManager.default.fileExists(atPath: out + "/README.md"))
        // Another day: nothing of it in the export.
        let empty = fixture.directory.file("empty")
        #expect(try AuditExport.write(store: try fixture.store(), from: "2001-01-01", to: "2001-01-31", out: empty).entries.isEmpty)
    }

    @Test("an edited entry, a dropped consistency proof or another key is refused")
    func tampered() throws {
        let (fixture, out, _) = try makeExport("export-tamper")
        defer { fixture.directory.remove() }
        let path = out + "/" + AuditExport.exportFile
        let original = try String(contentsOfFile: path, encoding: .utf8)
        try original.replacingOccurrences(of: #"\"record_count\":10"#, with: #"\"record_count\":11"#).write(toFile: path, atomically: true, encoding: .utf8)
        var error = #expect(throws: AuditError.self) { _ = try check(fixture, out) }
        #expect(error?.code == .proofInvalid, "\(String(describing: error))")

        var export = try JSONDecoder().decode(AuditExport.self, from: Data(original.utf8))
        export.consistency.removeFirst()
        try JSONEncoder().encode(export).write(to: URL(fileURLWithPath: path))
        error = #expect(throws: AuditError.self) { _ = try check(fixture, out) }
        #expect(error?.code == .tampered, "\(String(describing: error))")

        try original.write(toFile: path, atomically: true, encoding: .utf8)
        let otherKey = fixture.directory.file("other.key"), otherPub = fixture.directory.file("other.pub")
        try AuditTestFixture.generateKey(private: otherKey, public: otherPub)
        #expect(throws: AuditError.self) {
            _ = try AuditExportChecker.check(folder: out, publicKey: try Ed25519PublicKey(pemFile: otherPub), origin: AuditTestFixture.origin)
        }
    }

    @Test("Python's cryptography and hashlib verify the notes and recompute every audit path")
    func independentCheck() throws {
        let (fixture, out, export) = try makeExport("export-python")
        defer { fixture.directory.remove() }
        let script = #"""
            import base64, hashlib, json, sys
            from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key
            folder, pub, origin = sys.argv[1], sys.argv[2], sys.argv[3]
            key = load_pem_public_key(open(pub, "rb").read())
            raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
            key_id = hashlib.sha256(origin.encode() + b"\n\x01" + raw).digest()[:4]
            text = open(folder + "/checkpoints.log", encoding="utf-8").read()
            checkpoints = []
            # Notes: text, blank line, one signature line, blank line (RFC 9162 section 2.1.3.2 below).
            parts = text.split("\n\n")
            i = 0
            while i + 1 < len(parts):
                body, sig = parts[i] + "\n", parts[i + 1]
                if not sig.startswith("\u2014 "):
                    i += 1; continue
                name, blob = sig[2:].split(" ")
                blob = base64.b64decode(blob)
                assert name == origin and blob[:4] == key_id, "key name or id"
                key.verify(blob[4:], body.encode())
                lines = body.split("\n")
                checkpoints.append((int(lines[1]), base64.b64decode(lines[2])))
                i += 2
            size, root = checkpoints[-1]
            export = json.load(open(folder + "/export.json"))
            assert export["tree_size"] == size and base64.b64decode(export["root_hash"]) == root
            def node(l, r): return hashlib.sha256(b"\x01" + l + r).digest()
            for e in export["entries"]:
                fn, sn = e["leaf_index"], size - 1
                r = hashlib.sha256(b"\x00" + e["entry"].encode()).digest()
                for p in map(base64.b64decode, e["inclusion_path"]):
                    if sn == 0: raise SystemExit("path too long")
                    if fn % 2 == 1 or fn == sn:
                        r = node(p, r)
                        if fn % 2 == 0:
                            while fn % 2 == 0 and fn != 0:
                                fn >>= 1; sn >>= 1
                    else:
                        r = node(r, p)
                    fn >>= 1; sn >>= 1
                assert sn == 0 and r == root, "leaf %d" % e["leaf_index"]
            print("ok", len(checkpoints), len(export["entries"]))
            """#
        let result = try ProcessRunner.run("python3", ["-c", script, out, fixture.publicKeyPath, AuditTestFixture.origin])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("ok 6 \(export.entries.count)"), "\(result.stdout)")
    }
}
