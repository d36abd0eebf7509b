internal import COpenSSL

/// Writes the inner ContentInfo(SignedData) in indefinite-length BER around streamed content.
///
/// Why not `BIO_new_CMS` on a streaming `SignedData`: with RSA-PSS (`CMS_KEY_PARAM`),
/// OpenSSL 3.0 fails to encode the streaming prefix ("illegal zero content"; the `openssl cms
/// -sign -stream -keyopt rsa_padding_mode:pss` command fails the same way). So the signature
/// is made detached: the content goes through the digest BIOs of `CMS_dataInit` and
/// `CMS_dataFinal` signs; this writer frames the content itself (the prefix below, content
/// as 1 MiB OCTET STRING chunks) and appends the certificates and SignerInfo taken from the
/// finished detached structure. The digest covers the content octets only, so the framing
/// does not change what is signed.
struct InnerSignedDataWriter {
    /// ContentInfo, [0], SignedData (all indefinite), version 1, digestAlgorithms {sha256},
    /// encapContentInfo (indefinite) with eContentType data, [0] (indefinite), constructed
    /// OCTET STRING (indefinite).
    static let versionAndDigests: [UInt8] = [
        0x02, 0x01, 0x01,
        0x31, 0x0D, 0x30, 0x0B, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
    ]
    static var prefix: [UInt8] {
        [0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02, 0xA0, 0x80, 0x30, 0x80]
            + versionAndDigests
            + [0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01, 0xA0, 0x80, 0x24, 0x80]
    }

    /// Header of one content chunk: OCTET STRING with a definite length.
    static func chunkHeader(_ length: Int) -> [UInt8] { [0x04] + DER.length(length) }

    /// Ends the OCTET STRING, [0] and encapContentInfo.
    static let endOfContent: [UInt8] = [0x00, 0x00, 0x00, 0x00, 0x00, 0x00]

    /// Ends SignedData, [0] and ContentInfo.
    static let endOfStructure: [UInt8] = [0x00, 0x00, 0x00, 0x00, 0x00, 0x00]

    /// From the finished detached SignedData: the elements after encapContentInfo (certificates,
    /// CRLs, signerInfos), after checking that version and digestAlgorithms match our prefix.
    static func tail(ofDetached cms: CMSHandle) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        let n = i2d_CMS_ContentInfo(cms.pointer, &out)
        guard n > 0, let out else { throw EnvelopeError.fromOpenSSL(.openssl, "cannot encode the signature") }
        defer { COpenSSL_OPENSSL_free(out) }
        let der = Array(UnsafeBufferPointer(start: out, count: Int(n)))
        let root = try BERNode.parse(der)
        guard root.children.count == 2, let explicit = root.children.last, let signedData = explicit.children.first,
            signedData.children.count >= 4
        else {
            throw EnvelopeError(.openssl, "the detached signature has an unexpected shape")
        }
        let head = Array(signedData.children[0].encoding) + Array(signedData.children[1].encoding)
        guard head == versionAndDigests else {
            throw EnvelopeError(.openssl, "the detached signature's version or digest algorithms differ from the streamed prefix")
        }
        var tail: [UInt8] = []
        for child in signedData.children.dropFirst(3) { tail += Array(child.encoding) }
        return tail
    }
}
