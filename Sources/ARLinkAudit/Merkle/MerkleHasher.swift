import ARLinkEnvelope

/// RFC 9162 section 2.1.1 hashing with SHA-256: leaf hash SHA-256(0x00 || entry),
/// node hash SHA-256(0x01 || left || right), empty tree SHA-256("").
///
/// Reuses one OpenSSL digest context; not `Sendable`, one per task.
public final class MerkleHasher {
    private let sha: ReusableSHA256

    /// - Throws: ``AuditError`` `.storage` when OpenSSL has no SHA-256 (never on a normal system).
    public init() throws {
        do { sha = try ReusableSHA256() } catch {
            throw AuditError(.storage, "cannot set up SHA-256: \(error)", underlying: error)
        }
    }

    /// The root of the empty tree: SHA-256 of no bytes.
    public func emptyRoot() -> MerkleHash {
        unsafe digest(prefix: nil, [UInt8]().span.bytes)
    }

    /// SHA-256(0x00 || bytes).
    public func leafHash(_ bytes: Span<UInt8>) -> MerkleHash {
        unsafe digest(prefix: 0, bytes.bytes)
    }

    /// SHA-256(0x00 || bytes).
    public func leafHash(_ bytes: [UInt8]) -> MerkleHash {
        unsafe digest(prefix: 0, bytes.span.bytes)
    }

    /// SHA-256(0x01 || left || right).
    public func nodeHash(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        let words: InlineArray<8, UInt64> = [
            left.storage.0, left.storage.1, left.storage.2, left.storage.3, right.storage.0, right.storage.1, right.storage.2, right.storage.3,
        ]
        return unsafe digest(prefix: 1, words.span.bytes)
    }

    /// SHA-256(prefix || bytes) through OpenSSL's one reused context, written straight into
    /// the value's words (the only pointer code of the Merkle tree).
    private func digest(prefix: UInt8?, _ bytes: RawSpan) -> MerkleHash {
        var out = MerkleHash.zero
        unsafe withUnsafeMutableBytes(of: &out.storage) { target in
            unsafe bytes.withUnsafeBytes { input in
                unsafe sha.digest(prefix: prefix, input, nil, into: target.baseAddress!)
            }
        }
        return out
    }

    /// Plain SHA-256 of `bytes` (for key ids and file digests).
    public func sha256(_ bytes: [UInt8]) -> [UInt8] { sha.digest(bytes) }
}
