/// What the first pass over an envelope learns without decrypting: the small skeleton
/// (valid BER, with the encrypted content cut out) and where the encrypted content lies.
struct OuterLayout {
    /// `authEnvelopedData` or `envelopedData` (or anything else, refused later).
    let contentType: String
    /// The skeleton ContentInfo in BER with definite outer lengths and no encrypted content.
    let skeleton: [UInt8]
    /// The raw `recipientInfos` SET.
    let recipientInfos: [UInt8]
    /// The raw `contentEncryptionAlgorithm` AlgorithmIdentifier.
    let contentEncryptionAlgorithm: [UInt8]
    /// The `contentType` inside `EncryptedContentInfo`.
    let encryptedContentType: String
    /// Offset of the encrypted content element's header (after its identifier and length octets
    /// the ciphertext or its chunks begin).
    let encryptedContentOffset: Int64
    /// Number of ciphertext bytes (sum of all chunks).
    let encryptedContentLength: Int64
    /// Length of the AuthEnvelopedData `mac`, or nil for EnvelopedData.
    let macLength: Int?

    /// Largest skeleton accepted (recipient infos, attributes, mac): 1 MiB.
    static let skeletonCap = 1 << 20
}
