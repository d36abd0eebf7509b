/// Second pass, over the decrypted stream: walks the inner ContentInfo → SignedData, writes
/// the signed content octets to `contentSink` as they arrive, keeps everything else
/// (digest algorithms, certificates, signer infos) and rebuilds a detached SignedData
/// skeleton that `CMS_verify` can check against the content file.
enum InnerSplitter {
    struct Layout {
        /// The detached SignedData ContentInfo (DER outer lengths, no eContent).
        let skeleton: [UInt8]
        /// Number of content bytes written to the sink.
        let contentLength: Int64
    }

    /// Largest non-content part of the SignedData accepted (certificates, signer infos): 1 MiB.
    static let skeletonCap = 1 << 20

    /// - Parameters:
    ///   - plaintext: the decrypted stream.
    ///   - chunk: a large scratch buffer.
    ///   - contentSink: receives the signed content in order.
    static func split(
        _ plaintext: any ByteSource, chunk: UnsafeMutableRawBufferPointer, bufferSize: Int = 1 << 20,
        contentSink: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Layout {
        let reader = BERStreamReader(source: plaintext, bufferSize: bufferSize)
        let cap = skeletonCap
        let notSigned = "the decrypted content is not a CMS SignedData structure: the sender did not sign it"
        let first: BERHeader
        let typeBytes: [UInt8]
        let type: String
        var contentInfoEnd: Int64? = nil
        do {
            first = try reader.readHeader(context: "the decrypted content")
            guard first.isUniversal(BERHeader.Universal.sequence, constructed: true) else {
                throw EnvelopeError(.unsigned, notSigned)
            }
            let end = first.length.map { reader.offset + $0 }
            contentInfoEnd = end
            (_, typeBytes) = try reader.readElement(cap: 256, context: "the inner content type")
            if let end, reader.offset > end { throw EnvelopeError(.unsigned, notSigned) }
            guard let oid = try BERNode.parse(typeBytes).oid else { throw EnvelopeError(.unsigned, notSigned) }
            type = oid
        } catch let error as EnvelopeError where error.code == .malformed || error.code == .truncated {
            throw EnvelopeError(.unsigned, notSigned)
        }
        let contentInfo = BERContainer(header: first, end: contentInfoEnd, name: "the inner ContentInfo")
        guard type == OID.signedData else {
            throw EnvelopeError(.unsigned, "the decrypted content is a CMS \(OID.name(type)), not signedData: the sender did not sign it")
        }
        let explicit = try reader.enter("the inner content [0]", within: contentInfo) { $0.isContext(0) && $0.constructed }
        let signedData = try reader.enter("SignedData", within: explicit) {
            $0.isUniversal(BERHeader.Universal.sequence, constructed: true)
        }
        let (_, version) = try reader.readChild(of: signedData, cap: 16, name: "SignedData.version")
        let (_, digestAlgorithms) = try reader.readChild(of: signedData, cap: 4096, name: "SignedData.digestAlgorithms")
        let encap = try reader.enter("encapContentInfo", within: signedData) {
            $0.isUniversal(BERHeader.Universal.sequence, constructed: true)
        }
        let (_, eContentTypeBytes) = try reader.readChild(of: encap, cap: 256, name: "eContentType")
        guard let eContentType = try BERNode.parse(eContentTypeBytes).oid else {
            throw EnvelopeError(.malformed, "eContentType is not an OBJECT IDENTIFIER")
        }
        guard eContentType == OID.data else {
            throw EnvelopeError(
                .nestedSignature,
                "the signed content is a CMS \(OID.name(eContentType)), not plain data: nested signatures and envelopes are refused"
            )
        }
        guard try reader.hasMore(encap) else {
            throw EnvelopeError(.unsigned, "the signature is detached: the signed structure carries no content")
        }
        let eContent = try reader.enter("eContent [0]", within: encap) { $0.isContext(0) && $0.constructed }
        let octetAt = reader.offset
        let octetHeader = try reader.readHeader(context: "the signed content")
        guard octetHeader.tagClass == 0, octetHeader.tagNumber == BERHeader.Universal.octetString else {
            throw EnvelopeError(.malformed, "expected the signed content OCTET STRING at byte \(octetAt) of the decrypted content")
        }
        try reader.checkFits(octetHeader.length.map { reader.offset + $0 }, in: eContent, name: "the signed content")
        let content = OctetStringSource(reader: reader, header: octetHeader, name: "the signed content")
        while true {
            let n = try content.read(into: chunk)
            if n == 0 { break }
            try contentSink(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
        }
        try reader.leave(eContent)
        try reader.leave(encap)
        var rest: [UInt8] = []
        while try reader.hasMore(signedData) {
            let (_, element) = try reader.readChild(of: signedData, cap: cap - rest.count, name: "an element of SignedData")
            rest += element
        }
        try reader.leave(signedData)
        try reader.leave(explicit)
        try reader.leave(contentInfo)
        if !(try reader.atEnd()) {
            throw EnvelopeError(.malformed, "unexpected bytes follow the signed structure inside the encryption")
        }
        let encapDER = DER.element(identifier: encap.header.identifier, contents: eContentTypeBytes)
        let signedDER = DER.element(identifier: signedData.header.identifier, contents: version + digestAlgorithms + encapDER + rest)
        let explicitDER = DER.element(identifier: explicit.header.identifier, contents: signedDER)
        let skeleton = DER.element(identifier: contentInfo.header.identifier, contents: typeBytes + explicitDER)
        return Layout(skeleton: skeleton, contentLength: content.produced)
    }
}
