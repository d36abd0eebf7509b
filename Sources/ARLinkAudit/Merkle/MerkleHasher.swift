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
        var out = MerkleHash.zero
        unsafe withUnsafeMutableBytes(of: &out.storage) { target in
            unsafe sha.digest(prefix: nil, UnsafeRawBufferPointer(start: nil, count: 0), nil, into: target.baseAddress!)
        }
        return out
    }

    /// SHA-256(0x00 || bytes).
    public func leafHash(_ bytes: UnsafeRawBufferPointer) -> MerkleHash {
        var out = MerkleHash.zero
        unsafe withUnsafeMutableBytes(of: &out.storage) { target in
            unsafe sha.digest(prefix: 0, bytes, nil, into: target.baseAddress!)
        }
        return out
    }

    /// SHA-256(0x00 || bytes).
    public func leafHash(_ bytes: Span<UInt8>) -> MerkleHash {
        unsafe bytes.withUnsafeBytes { unsafe leafHash($0) }
    }

    /// SHA-256(0x00 || bytes).
    public func leafHash(_ bytes: [UInt8]) -> MerkleHash {
        unsafe bytes.withUnsafeBytes { unsafe leafHash($0) }
    }

    /// SHA-256(0x01 || left || right).
    public func nodeHash(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        var out = MerkleHash.zero
        unsafe withUnsafeBytes(of: left.storage) { l in
            unsafe withUnsafeBytes(of: right.storage) { r in
                unsafe withUnsafeMutableBytes(of: &out.storage) { target in
                    unsafe sha.digest(prefix: 1, l, r, into: target.baseAddress!)
                }
            }
        }
        return out
    }

    /// Plain SHA-256 of `bytes` (for key ids and file digests).
    public func sha256(_ bytes: [UInt8]) -> [UInt8] { sha.digest(bytes) }
}
