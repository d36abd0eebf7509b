internal import COpenSSL

/// Frames the AuthEnvelopedData around the streamed ciphertext in indefinite-length BER, as
/// `openssl cms -encrypt -stream` does, from the (detached) structure OpenSSL built: the prefix
/// after `CMS_dataInit` (recipient infos and algorithm are final then), the suffix after
/// `CMS_dataFinal` (the tag is known then).
enum OuterFraming {
    /// Encodes `cms` and returns (ContentInfo OID, AuthEnvelopedData children before the
    /// EncryptedContentInfo, the EncryptedContentInfo's children, children after it).
    static func parts(_ cms: CMSHandle) throws -> (oid: [UInt8], before: [UInt8], eci: [UInt8], after: [UInt8]) {
        var out: UnsafeMutablePointer<UInt8>? = nil
        let n = i2d_CMS_ContentInfo(cms.pointer, &out)
        guard n > 0, let out else { throw EnvelopeError.fromOpenSSL(.openssl, "cannot encode the envelope structure") }
        defer { COpenSSL_OPENSSL_free(out) }
        let root = try BERNode.parse(Array(UnsafeBufferPointer(start: out, count: Int(n))))
        guard root.children.count == 2, let body = root.children[1].children.first else {
            throw EnvelopeError(.openssl, "the envelope structure has an unexpected shape")
        }
        guard let eciIndex = body.children.firstIndex(where: { $0.header.isUniversal(BERHeader.Universal.sequence, constructed: true) }) else {
            throw EnvelopeError(.openssl, "the envelope structure has no EncryptedContentInfo")
        }
        let before = body.children[..<eciIndex].flatMap { Array($0.encoding) }
        let eci = body.children[eciIndex].children.prefix(2).flatMap { Array($0.encoding) }
        let after = body.children[(eciIndex + 1)...].flatMap { Array($0.encoding) }
        return (Array(root.children[0].encoding), before, eci, after)
    }

    /// ContentInfo, [0], AuthEnvelopedData (indefinite), the elements before the content,
    /// EncryptedContentInfo (indefinite) with its type and algorithm, and `[0]` (indefinite).
    static func prefix(oid: [UInt8], before: [UInt8], eci: [UInt8]) -> [UInt8] {
        [0x30, 0x80] + oid + [0xA0, 0x80, 0x30, 0x80] + before + [0x30, 0x80] + eci + [0xA0, 0x80]
    }

    /// Ends `[0]` and EncryptedContentInfo, adds the elements after it (the mac), ends the rest.
    static func suffix(after: [UInt8]) -> [UInt8] {
        [0x00, 0x00, 0x00, 0x00] + after + [0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
    }
}
