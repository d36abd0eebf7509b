import COpenSSL

/// A SHA-256 context that is reused across many small digests (Merkle leaves and nodes),
/// avoiding a context allocation and an algorithm fetch per digest.
///
/// Wraps `EVP_MD_fetch("SHA256")` once and `EVP_DigestInit_ex`/`Update`/`Final_ex` per digest.
/// Not `Sendable`: one instance per task.
public final class ReusableSHA256 {
    private let md: OpaquePointer
    private let ctx: OpaquePointer

    /// - Throws: ``Ed25519Error`` `.digestFailed` when OpenSSL has no SHA-256.
    public init() throws {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else {
            throw Ed25519Error.openSSL(.digestFailed, "OpenSSL provides no SHA-256")
        }
        guard let ctx = EVP_MD_CTX_new() else {
            EVP_MD_free(md)
            throw Ed25519Error.openSSL(.digestFailed, "cannot allocate a digest context")
        }
        self.md = md
        self.ctx = ctx
    }

    deinit {
        EVP_MD_CTX_free(ctx)
        EVP_MD_free(md)
    }

    /// Writes SHA-256(`prefix` || `first` || `second`) into the 32 bytes at `output`.
    ///
    /// - Parameters:
    ///   - prefix: an optional domain-separation byte (RFC 9162 uses 0x00 for leaves, 0x01 for nodes).
    ///   - first: the first part of the input.
    ///   - second: an optional second part.
    ///   - output: at least 32 writable bytes.
    public func digest(prefix: UInt8?, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer? = nil, into output: UnsafeMutableRawPointer) {
        // These calls fail only on allocation failure inside OpenSSL; the result is then
        // all zeros, which can never match a real digest, so verification fails closed.
        var ok = EVP_DigestInit_ex(ctx, md, nil) == 1
        if var byte = prefix {
            ok = ok && EVP_DigestUpdate(ctx, &byte, 1) == 1
        }
        if first.count > 0 { ok = ok && EVP_DigestUpdate(ctx, first.baseAddress, first.count) == 1 }
        if let second, second.count > 0 { ok = ok && EVP_DigestUpdate(ctx, second.baseAddress, second.count) == 1 }
        var length: UInt32 = 32
        ok = ok && EVP_DigestFinal_ex(ctx, output.assumingMemoryBound(to: UInt8.self), &length) == 1
        if !ok {
            output.initializeMemory(as: UInt8.self, repeating: 0, count: 32)
            ERR_clear_error()
        }
    }

    /// SHA-256 of `bytes` as a new array.
    public func digest(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBytes { digest(prefix: nil, input, nil, into: $0.baseAddress!) }
        }
        return out
    }
}
