import ARLinkCore
import ARLinkEnvelope
import ARLinkInbound
import ARLinkJobs
import ARLinkStore
import ARLinkSystem
import ARLinkTestSupport
import Foundation

/// Plays the demo's partner for the service tests: writes feedback files for the accounts the
/// demo placed (``FeedbackSimulator``), seals them with the `openssl` CLI and the partner's
/// example keys, and drops them into the partner's outbox, chained to the last applied file.
enum DemoFeedback {
    /// Drops `count` files; without `eventsPerFile` each has one event of every kind.
    /// - Returns: the file names, in sequence order.
    @discardableResult
    static func drop(demo: String, count: Int, eventsPerFile: Int? = nil, seed: UInt64 = 11) throws -> [String] {
        let store = try StateStore(path: demo + "/state/arlink.sqlite")
        let keys = demo + "/keys"
        let ourKey = try DecryptionIdentity(certificatePath: keys + "/company/encryption.crt", keyPath: keys + "/company/encryption.key").sha256Fingerprint
        let first = try FeedbackSimulator.nextHeader(store: store, partner: "acme-collect", company: "acme-corp", ourKeySHA256: ourKey,
                                                     createdAt: Timestamp.iso8601(Date().addingTimeInterval(-60)))
        let today = LocalDate(utcDayOf: Date())
        var previous = first.previousFileSHA256
        var names: [String] = []
        for sequence in first.sequence..<(first.sequence + count) {
            let header = FileHeader(schema: "feedback.v1", fileID: UUID().uuidString.lowercased(), kind: "feedback", direction: "inbound",
                                    batchID: "acme-collect-feedback-\(sequence)", sequence: sequence, sender: "acme-collect", recipient: "acme-corp",
                                    recipientKeySHA256: ourKey, createdAt: first.createdAt, previousFileSHA256: previous)
            let plain = demo + "/partner/feedback-\(sequence).jsonl"
            try FeedbackSimulator.write(to: plain, header: header, store: store, partner: "acme-collect", today: today,
                                        seed: seed &+ UInt64(sequence), eventCount: eventsPerFile)
            previous = try sha256(plain)
            let name = "acme-collect_acme-corp_feedback_\(today.compact)_" + String(format: "%06d", sequence) + ".jsonl.p7m"
            let out = demo + "/partner/outbox/" + name
            let script = "openssl cms -sign -binary -nodetach -md sha256 -in '\(plain)' -signer '\(keys)/partner/signing.crt'"
                + " -inkey '\(keys)/partner/signing.key' -keyopt rsa_padding_mode:pss -outform DER"
                + " | openssl cms -encrypt -binary -aes-256-gcm -recip '\(keys)/company/encryption.crt' -keyopt rsa_padding_mode:oaep"
                + " -keyopt rsa_oaep_md:sha256 -outform DER -out '\(demo)/partner/.\(name).part' && mv '\(demo)/partner/.\(name).part' '\(out)'"
            let sealed = try ProcessRunner.run("/bin/sh", ["-c", script], timeout: 120)
            guard sealed.status == 0 else { throw ServeError("openssl could not seal \(name): \(sealed.stderr)") }
            try? FileManager.default.removeItem(atPath: plain)
            names.append(name)
        }
        return names
    }

    static func sha256(_ path: String) throws -> String {
        String(try ProcessRunner.run("openssl", ["dgst", "-sha256", "-r", path]).stdout.prefix(64))
    }

    /// Every `update_id` in the demo's ERP import files (JSON Lines), duplicates kept.
    static func exportedUpdateIDs(demo: String) throws -> [String] {
        let folder = demo + "/erp/import"
        var ids: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".jsonl") && !name.hasPrefix(".") {
            for line in try String(contentsOfFile: folder + "/" + name, encoding: .utf8).split(separator: "\n") {
                if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let id = object["update_id"] as? String {
                    ids.append(id)
                }
            }
        }
        return ids
    }

    /// The audit entries' events (action, partner, detail...), oldest first (read with Python's sqlite3).
    static func auditEvents(demo: String) throws -> [[String: Any]] {
        let script = """
            import sqlite3, sys, json
            db = sqlite3.connect(sys.argv[1])
            for (entry,) in db.execute('SELECT entry FROM audit_entry ORDER BY leaf_index'):
                e = json.loads(entry)
                print(json.dumps(e.get('event', e)))
            """
        let result = try ProcessRunner.run("python3", ["-c", script, demo + "/state/arlink.sqlite"])
        return result.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}
