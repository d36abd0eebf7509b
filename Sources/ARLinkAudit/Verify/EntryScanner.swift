import ARLinkStore
import Foundation

/// Reads every entry in order and checks the linear chain: position, sequence number,
/// leaf hash against the stored one, the previous entry's hash, and the lookup columns.
/// Returns the leaf hashes recomputed from the entry bytes (never the stored ones).
///
/// Rows are read in chunks; each chunk is hashed and then checked in entry order, so the
/// first problem reported is always the earliest entry's. Everything runs on the caller's
/// thread: a hand-off to a shared queue that the caller then waits for can starve a small
/// thread pool.
enum EntryScanner {
    private static let prefix = Array("{\"v\":1,\"seq\":".utf8)
    private static let prevKey = Array(",\"prev\":\"".utf8)
    private static let chunkSize = 4096

    typealias Chunk = AuditEntryChunk

    /// What hashing a chunk found, per row.
    struct Hashed {
        /// The leaf hash from the bytes, or for a pruned entry the stored one (its content is gone).
        var leaves: [MerkleHash] = []
        /// Whether the entry was pruned past retention.
        var pruned: [Bool] = []
        var sequences: [UInt64?] = []
        var previous: [MerkleHash?] = []
        /// The first lookup column that differs from the entry ("format" when the entry
        /// does not even have the canonical shape), per row.
        var columnProblems: [String?] = []
    }

    static func scan(_ db: StoreTransaction, hasher: MerkleHasher, limit: UInt64? = nil) throws -> [MerkleHash] {
        var pruned: [Int64] = []
        return try scan(db, hasher: hasher, limit: limit, pruned: &pruned)
    }

    /// ``scan(_:hasher:limit:)`` that also lists the entries found pruned past retention.
    static func scan(_ db: StoreTransaction, hasher: MerkleHasher, limit: UInt64? = nil, pruned: inout [Int64]) throws -> [MerkleHash] {
        var leaves: [MerkleHash] = []
        let count = try AuditRecords.entryCount(db)
        leaves.reserveCapacity(Int(min(count, 100_000_000)))
        var previous = MerkleHash.zero
        try AuditRecords.scanEntries(db, below: limit, chunkSize: chunkSize) { chunk in
            let hashed = hash(chunk, hasher: hasher)
            try check(chunk, hashed, leaves: &leaves, previous: &previous)
            for row in 0..<chunk.count where hashed.pruned[row] { pruned.append(chunk.indexes[row]) }
        }
        return leaves
    }

    /// Leaf hashes and the `seq` and `prev` fields of every row of `chunk`.
    private static func hash(_ chunk: Chunk, hasher: MerkleHasher) -> Hashed {
        var result = Hashed()
        result.leaves.reserveCapacity(chunk.count)
        let all = chunk.bytes
        do {
            for row in 0..<chunk.count {
                let raw = all.span.extracting(chunk.range(row))
                let (sequence, prev) = parseHead(raw)
                result.sequences.append(sequence)
                result.previous.append(prev)
                let pruned = isPruned(raw, sequence: sequence)
                result.pruned.append(pruned)
                if pruned {
                    result.leaves.append(chunk.stored(row).flatMap { MerkleHash(bytes: $0) } ?? .zero)
                    result.columnProblems.append(nil)
                } else {
                    result.leaves.append(hasher.leafHash(raw))
                    result.columnProblems.append(columnProblem(chunk, row: row, raw: raw))
                }
            }
        }
        return result
    }

    /// Whether `raw` is exactly the head `{"v":1,"seq":N,"prev":"…"` of a pruned entry and
    /// the pruned marker, nothing else.
    private static func isPruned(_ raw: Span<UInt8>, sequence: UInt64?) -> Bool {
        guard let sequence else { return false }
        var digits = 1
        var rest = sequence / 10
        while rest > 0 { digits += 1; rest /= 10 }
        let headLength = prefix.count + digits + prevKey.count + 65
        guard raw.count == headLength + prunedSuffix.count else { return false }
        for (offset, byte) in prunedSuffix.enumerated() where raw[headLength + offset] != byte { return false }
        return true
    }
    private static let prunedSuffix = Array(AuditEntry.prunedSuffix.utf8)

    /// The first lookup column of `row` whose value differs from the entry's own.
    private static func columnProblem(_ chunk: Chunk, row: Int, raw: Span<UInt8>) -> String? {
        guard let fields = LookupFields.find(raw) else { return "format" }
        let all = chunk.columns
        func differs(_ column: Int, _ range: Range<Int>?) -> Bool {
            let slot = row * 3 + column
            let start = slot == 0 ? 0 : chunk.columnEnds[slot - 1]
            if chunk.columnNull[slot] { return !LookupFields.equal(raw, range, nil) }
            return !LookupFields.equal(raw, range, all.span.extracting(start..<chunk.columnEnds[slot]))
        }
        return differs(0, fields.time) ? "recorded_at" : differs(1, fields.action) ? "action" : differs(2, fields.fileID) ? "file_id" : nil
    }

    /// The checks of one chunk, in entry order.
    private static func check(_ chunk: Chunk, _ hashed: Hashed, leaves: inout [MerkleHash], previous: inout MerkleHash) throws {
        for row in 0..<chunk.count {
            let position = UInt64(leaves.count)
            let index = chunk.indexes[row]
            func describe() -> String {
                let bytes = Array(chunk.bytes[chunk.range(row)])
                guard let entry = try? AuditEntry(canonicalBytes: bytes, source: "entry") else { return "" }
                return " (\(entry.event.action) at \(entry.time))"
            }
            if index != Int64(position) {
                if index > Int64(position) {
                    let missing = index - Int64(position) == 1 ? "entry \(position) is missing" : "entries \(position) to \(index - 1) are missing"
                    throw AuditError(.tampered, "\(missing): the log jumps from entry \(Int64(position) - 1) to entry \(index) (deleted from the database)")
                }
                throw AuditError(.tampered, "entry \(position) has the invalid index \(index)")
            }
            guard let sequence = hashed.sequences[row], let prev = hashed.previous[row], hashed.columnProblems[row] != "format" else {
                throw AuditError(.tampered, "entry \(position) is not in the canonical entry format (it must start with {\"v\":1,\"seq\":N,\"prev\":\"…\"): it was edited")
            }
            if sequence != position {
                throw AuditError(.tampered, "entry at position \(position) carries sequence number \(sequence): entries were swapped or reordered")
            }
            let leaf = hashed.leaves[row]
            if hashed.pruned[row] {
                // Its content is gone past retention: the stored leaf hash stands for it, bound by
                // the next entry's prev and by every checkpoint that covers it.
                guard chunk.stored(row) != nil else {
                    throw AuditError(.tampered, "entry \(position) was pruned but has no valid stored leaf hash")
                }
            } else if chunk.stored(row).flatMap({ MerkleHash(bytes: $0) }) != leaf {
                throw AuditError(.tampered, "entry \(position)\(describe()): its bytes no longer match the leaf hash recorded when it was written: the entry was edited")
            }
            if prev != previous {
                throw AuditError(.tampered, "entry \(position)\(describe()): its previous-entry hash does not match entry \(Int64(position) - 1): entry \(Int64(position) - 1) was edited or replaced")
            }
            if let column = hashed.columnProblems[row] {
                throw AuditError(.tampered, "entry \(position)\(describe()): its \(column) column differs from the entry itself: the lookup column was edited (to hide the entry from reports or proofs, or to misattribute it)")
            }
            leaves.append(leaf)
            previous = leaf
        }
    }

    /// Reads `seq` and `prev` from the fixed head of the canonical form.
    private static func parseHead(_ bytes: Span<UInt8>) -> (UInt64?, MerkleHash?) {
        guard bytes.count > prefix.count + prevKey.count + 65 else { return (nil, nil) }
        for (offset, byte) in prefix.enumerated() where bytes[offset] != byte { return (nil, nil) }
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
        guard let prev = MerkleHash(hexDigits: bytes.extracting(position..<position + 64)) else { return (nil, nil) }
        return (sequence, prev)
    }
}
