import GRDB
import Foundation

/// Reads every entry in order and checks the linear chain: position, sequence number,
/// leaf hash against the stored one, and the previous entry's hash. Returns the leaf hashes
/// recomputed from the entry bytes (never the stored ones).
enum EntryScanner {
    private static let prefix = Array("{\"v\":1,\"seq\":".utf8)
    private static let prevKey = Array(",\"prev\":\"".utf8)

    static func scan(_ db: Database, hasher: MerkleHasher, limit: UInt64? = nil) throws -> [MerkleHash] {
        var leaves: [MerkleHash] = []
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_entry") ?? 0
        leaves.reserveCapacity(count)
        var previous = MerkleHash.zero
        let sql = limit.map { "SELECT leaf_index, entry, leaf_hash, recorded_at, action, file_id FROM audit_entry WHERE leaf_index < \($0) ORDER BY leaf_index" }
            ?? "SELECT leaf_index, entry, leaf_hash, recorded_at, action, file_id FROM audit_entry ORDER BY leaf_index"
        let rows = try RawStatement(db, sql: sql)
        while try rows.next() {
            let position = UInt64(leaves.count)
            let index = rows.int64(0)
            if index != Int64(position) {
                if index > Int64(position) {
                    let missing = index - Int64(position) == 1 ? "entry \(position) is missing" : "entries \(position) to \(index - 1) are missing"
                    throw AuditError(.tampered, "\(missing): the log jumps from entry \(Int64(position) - 1) to entry \(index) (deleted from the database)")
                }
                throw AuditError(.tampered, "entry \(position) has the invalid index \(index)")
            }
            let stored = rows.bytes(2)
            let storedLeaf: MerkleHash? = stored.count == 32 ? MerkleHash(raw: stored) : nil
            let raw = rows.bytes(1)
            let (sequence, prev) = parseHead(raw)
            guard let sequence, let prev else {
                throw AuditError(.tampered, "entry \(position) is not in the canonical entry format (it must start with {\"v\":1,\"seq\":N,\"prev\":\"…\"): it was edited")
            }
            if sequence != position {
                throw AuditError(.tampered, "entry at position \(position) carries sequence number \(sequence): entries were swapped or reordered")
            }
            let leaf = hasher.leafHash(raw)
            if storedLeaf != leaf {
                throw AuditError(.tampered, "entry \(position)\(describe(raw)): its bytes no longer match the leaf hash recorded when it was written: the entry was edited")
            }
            if prev != previous {
                throw AuditError(.tampered, "entry \(position)\(describe(raw)): its previous-entry hash does not match entry \(Int64(position) - 1): entry \(Int64(position) - 1) was edited or replaced")
            }
            guard let fields = LookupFields.find(raw) else {
                throw AuditError(.tampered, "entry \(position) is not in the canonical entry format: it was edited")
            }
            func checkColumn(_ column: Int32, _ range: Range<Int>?, _ name: String) throws {
                let value = rows.isNull(column) ? nil : rows.bytes(column)
                if !LookupFields.equal(raw, range, value) {
                    throw AuditError(.tampered, "entry \(position)\(describe(raw)): its \(name) column differs from the entry itself: the lookup column was edited (to hide the entry from reports or proofs, or to misattribute it)")
                }
            }
            try checkColumn(3, fields.time, "recorded_at")
            try checkColumn(4, fields.action, "action")
            try checkColumn(5, fields.fileID, "file_id")
            leaves.append(leaf)
            previous = leaf
        }
        return leaves
    }

    /// ` (action, time)` of a row for messages, when its bytes still parse.
    private static func describe(_ raw: UnsafeRawBufferPointer) -> String {
        guard let entry = try? AuditEntry(canonicalBytes: Array(raw), source: "entry") else { return "" }
        return " (\(entry.event.action) at \(entry.time))"
    }

    /// Reads `seq` and `prev` from the fixed head of the canonical form.
    private static func parseHead(_ raw: UnsafeRawBufferPointer) -> (UInt64?, MerkleHash?) {
        let bytes = raw.bindMemory(to: UInt8.self)
        guard bytes.count > prefix.count + prevKey.count + 65, bytes.starts(with: prefix) else { return (nil, nil) }
        var position = prefix.count
        var sequence: UInt64 = 0
        var digits = 0
        while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57, digits < 19 {
            sequence = sequence * 10 + UInt64(bytes[position] - 48)
            position += 1
            digits += 1
        }
        guard digits > 0, position + prevKey.count + 65 <= bytes.count else { return (nil, nil) }
        for (offset, byte) in prevKey.enumerated() where bytes[position + offset] != byte { return (nil, nil) }
        position += prevKey.count
        guard bytes[position + 64] == UInt8(ascii: "\"") else { return (nil, nil) }
        guard let prev = MerkleHash(hexDigits: UnsafeBufferPointer(rebasing: bytes[position..<position + 64])) else { return (nil, nil) }
        return (sequence, prev)
    }
}
