/// First pass over an envelope file: walks ContentInfo → (Auth)EnvelopedData, keeps every
/// small element, skips over the encrypted content (seeking, not reading), and rebuilds a
/// skeleton with the content cut out. Works for indefinite-length BER (`-stream`) and DER.
enum OuterSplitter {
    /// Splits the structure read from `source`.
    /// - Parameters:
    ///   - source: the envelope bytes.
    ///   - size: total size, for messages.
    /// - Throws: ``EnvelopeError`` `.empty`, `.truncated` or `.malformed`.
    static func split(_ source: any ByteSource, size: Int64) throws -> OuterLayout {
        if size == 0 { throw EnvelopeError(.empty, "the envelope is empty (0 bytes)") }
        let reader = BERStreamReader(source: source, bufferSize: 64 << 10)
        let cap = OuterLayout.skeletonCap
        let contentInfo = try reader.enter("ContentInfo", within: nil) {
            $0.isUniversal(BERHeader.Universal.sequence, constructed: true)
        }
        if let end = contentInfo.end, end != size {
            throw EnvelopeError(
                end > size ? .truncated : .malformed,
                end > size
                    ? "the envelope claims \(end) bytes but the file has \(size): it is cut short"
                    : "the envelope ends at byte \(end) but the file has \(size) bytes"
            )
        }
        let (_, typeBytes) = try reader.readChild(of: contentInfo, cap: 256, name: "ContentInfo.contentType")
        let typeNode = try BERNode.parse(typeBytes)
        guard let contentType = typeNode.oid else {
            throw EnvelopeError(.malformed, "ContentInfo.contentType is not an OBJECT IDENTIFIER")
        }
        guard contentType == OID.authEnvelopedData || contentType == OID.envelopedData else {
            throw EnvelopeError(
                contentType == OID.signedData ? .notEncrypted : .malformed,
                contentType == OID.signedData
                    ? "the file is a signed but unencrypted CMS structure (signedData); an encrypted envelope (authEnvelopedData) is required"
                    : "the file is a CMS \(OID.name(contentType)), not an encrypted envelope (authEnvelopedData)"
            )
        }
        let explicit = try reader.enter("ContentInfo.content [0]", within: contentInfo) {
            $0.isContext(0) && $0.constructed
        }
        let body = try reader.enter(OID.name(contentType), within: explicit) {
            $0.isUniversal(BERHeader.Universal.sequence, constructed: true)
        }
        var before: [UInt8] = []
        var recipientInfos: [UInt8]? = nil
        var encryptedContentInfoHeader: BERContainer? = nil
        while try reader.hasMore(body) {
            // Peek by reading the header: EncryptedContentInfo is the first SEQUENCE child.
            let at = reader.offset
            let header = try reader.readHeader(context: "an element of \(body.name)")
            if header.isUniversal(BERHeader.Universal.sequence, constructed: true) {
                let end = header.length.map { reader.offset + $0 }
                try reader.checkFits(end, in: body, name: "EncryptedContentInfo")
                encryptedContentInfoHeader = BERContainer(header: header, end: end, name: "EncryptedContentInfo")
                break
            }
            var element: [UInt8] = []
            try reader.appendRest(of: header, into: &element, cap: cap - before.count, context: "an element of \(body.name) at byte \(at)")
            if let end = body.end, reader.offset > end { throw EnvelopeError(.malformed, "an element overruns \(body.name)") }
            if header.isUniversal(BERHeader.Universal.set, constructed: true) { recipientInfos = element }
            before += element
        }
        guard let eci = encryptedContentInfoHeader else {
            throw EnvelopeError(.malformed, "\(body.name) has no EncryptedContentInfo")
        }
        guard let recipientInfos else { throw EnvelopeError(.malformed, "\(body.name) has no recipientInfos") }
        let (_, innerTypeBytes) = try reader.readChild(of: eci, cap: 256, name: "EncryptedContentInfo.contentType")
        guard let innerType = try BERNode.parse(innerTypeBytes).oid else {
            throw EnvelopeError(.malformed, "EncryptedContentInfo.contentType is not an OBJECT IDENTIFIER")
        }
        let (_, algorithm) = try reader.readChild(of: eci, cap: 4096, name: "contentEncryptionAlgorithm")
        guard try reader.hasMore(eci) else {
            throw EnvelopeError(.malformed, "the envelope carries no encrypted content (detached content is not accepted)")
        }
        let contentAt = reader.offset
        let contentHeader = try reader.readHeader(context: "encryptedContent")
        guard contentHeader.isContext(0) else {
            throw EnvelopeError(.malformed, "expected encryptedContent [0] at byte \(contentAt), found \(BERStreamReader.describe(contentHeader))")
        }
        try reader.checkFits(contentHeader.length.map { reader.offset + $0 }, in: eci, name: "encryptedContent")
        let content = OctetStringSource(reader: reader, header: contentHeader, name: "the encrypted content")
        try content.skipAll()
        let contentLength = content.produced
        try reader.leave(eci)
        var after: [UInt8] = []
        var macLength: Int? = nil
        while try reader.hasMore(body) {
            let (header, element) = try reader.readChild(of: body, cap: cap - before.count - after.count, name: "an element after the encrypted content")
            if header.isUniversal(BERHeader.Universal.octetString, constructed: false) {
                macLength = Int(header.length ?? 0)
            }
            after += element
        }
        try reader.leave(body)
        try reader.leave(explicit)
        try reader.leave(contentInfo)
        if !(try reader.atEnd()) {
            throw EnvelopeError(.malformed, "\(size - reader.offset) unexpected bytes follow the envelope at byte \(reader.offset)")
        }
        if contentType == OID.authEnvelopedData && macLength == nil {
            throw EnvelopeError(.truncated, "the authEnvelopedData has no authentication tag (mac)")
        }
        let eciDER = DER.element(identifier: eci.header.identifier, contents: innerTypeBytes + algorithm)
        let bodyDER = DER.element(identifier: body.header.identifier, contents: before + eciDER + after)
        let explicitDER = DER.element(identifier: explicit.header.identifier, contents: bodyDER)
        let skeleton = DER.element(identifier: contentInfo.header.identifier, contents: typeBytes + explicitDER)
        return OuterLayout(
            contentType: contentType, skeleton: skeleton, recipientInfos: recipientInfos,
            contentEncryptionAlgorithm: algorithm, encryptedContentType: innerType,
            encryptedContentOffset: contentAt, encryptedContentLength: contentLength,
            macLength: contentType == OID.authEnvelopedData ? macLength : nil
        )
    }
}

extension BERStreamReader {
    /// Appends a whole element whose header was already read.
    func appendRest(of header: BERHeader, into out: inout [UInt8], cap: Int, context: String) throws {
        var body: [UInt8] = []
        if let length = header.length {
            body = try readBytes(length, cap: max(cap, 0), context: context)
            out += header.identifier + DER.length(body.count) + body
            return
        }
        out += header.identifier + [0x80]
        while true {
            let (child, bytes) = try readElement(cap: max(cap - out.count, 0), context: context)
            out += bytes
            if child.isEndOfContents { return }
            if out.count > cap { throw EnvelopeError(.malformed, "\(context) is larger than \(cap) bytes") }
        }
    }
}
