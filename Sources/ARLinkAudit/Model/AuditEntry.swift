import Foundation

/// One entry of the audit log as written: its position, the previous entry's leaf hash,
/// the UTC time, the actor and the event.
///
/// ``canonicalBytes`` are what the Merkle tree hashes (see `docs/audit-log.md`): a JSON
/// object with a fixed key order, no whitespace, absent fields omitted, map keys sorted.
public struct AuditEntry: Sendable, Hashable {
    /// The format version, 1.
    public var version: Int
    /// 0-based position in the log (the Merkle leaf index).
    public var sequence: UInt64
    /// Leaf hash of the previous entry (all zeros for the first).
    public var previous: MerkleHash
    /// UTC time, ISO 8601 with milliseconds (`2026-11-29T04:45:00.123Z`).
    public var time: String
    public var actor: AuditActor
    public var event: AuditEvent

    public init(version: Int = 1, sequence: UInt64, previous: MerkleHash, time: String, actor: AuditActor, event: AuditEvent) {
        self.version = version
        self.sequence = sequence
        self.previous = previous
        self.time = time
        self.actor = actor
        self.event = event
    }

    /// The canonical bytes (the Merkle leaf input).
    public var canonicalBytes: [UInt8] {
        var writer = CanonicalJSONWriter()
        writer.write(self)
        return writer.bytes
    }

    /// Parses canonical bytes back into an entry.
    /// - Throws: ``AuditError`` `.malformed` naming `source` when the bytes are not an entry,
    ///   or not in canonical form (re-encoding must give the same bytes).
    public init(canonicalBytes bytes: [UInt8], source: String) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw AuditError(.malformed, "\(source) is not valid JSON")
        }
        guard let dict = object as? [String: Any] else { throw AuditError(.malformed, "\(source) is not a JSON object") }
        func string(_ key: String) throws -> String? {
            guard let value = dict[key] else { return nil }
            guard let text = value as? String else { throw AuditError(.malformed, "\(source): \"\(key)\" is not a string") }
            return text
        }
        func required(_ key: String) throws -> String {
            guard let value = try string(key) else { throw AuditError(.malformed, "\(source): \"\(key)\" is missing") }
            return value
        }
        func integer(_ key: String) throws -> Int? {
            guard let value = dict[key] else { return nil }
            guard let number = value as? NSNumber, let int = Int(exactly: number.doubleValue) else {
                throw AuditError(.malformed, "\(source): \"\(key)\" is not an integer")
            }
            return int
        }
        func map(_ key: String) throws -> [String: String] {
            guard let value = dict[key] else { return [:] }
            guard let map = value as? [String: String] else { throw AuditError(.malformed, "\(source): \"\(key)\" is not a map of strings") }
            return map
        }
        guard let version = try integer("v"), version == 1 else { throw AuditError(.malformed, "\(source): unknown entry version") }
        guard let seq = try integer("seq"), seq >= 0 else { throw AuditError(.malformed, "\(source): \"seq\" is missing") }
        guard let previous = MerkleHash(hex: try required("prev")) else { throw AuditError(.malformed, "\(source): \"prev\" is not 64 hex digits") }
        guard let actor = dict["actor"] as? [String: String], let user = actor["user"], let host = actor["host"] else {
            throw AuditError(.malformed, "\(source): \"actor\" must hold \"user\" and \"host\"")
        }
        let event = AuditEvent(
            action: try required("action"), outcome: try required("outcome"), partner: try string("partner"),
            direction: try string("direction"), batchID: try string("batch_id"), fileID: try string("file_id"),
            fileName: try string("file_name"), plaintextSHA256: try string("plaintext_sha256"),
            sealedSHA256: try string("sealed_sha256"), recordCount: try integer("record_count"),
            totals: try map("totals"), errorCode: try string("error_code"), detail: try map("detail"))
        self.init(version: version, sequence: UInt64(seq), previous: previous, time: try required("time"), actor: AuditActor(user: user, host: host), event: event)
        guard canonicalBytes == bytes else {
            throw AuditError(.malformed, "\(source) is not in canonical form (key order, spacing or escaping differs)")
        }
    }
}
