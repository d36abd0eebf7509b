/// A BER element parsed in memory, for the small parts of an envelope (recipient infos,
/// algorithm identifiers, signer infos). Large content is never parsed this way.
struct BERNode {
    let header: BERHeader
    /// The whole encoding of this element (header, contents and, if indefinite, the end marker).
    let encoding: ArraySlice<UInt8>
    /// The contents octets (for a primitive element) or the encoding of the children.
    let contents: ArraySlice<UInt8>
    /// Children of a constructed element.
    let children: [BERNode]

    /// Deepest nesting accepted.
    static let maximumDepth = 32

    /// Parses exactly one element filling `bytes`.
    static func parse(_ bytes: [UInt8]) throws(EnvelopeError) -> BERNode {
        let slice = bytes[...]
        let (node, end) = try parseOne(slice, at: slice.startIndex, limit: slice.endIndex, depth: 0)
        guard end == slice.endIndex else {
            throw EnvelopeError(.malformed, "\(slice.endIndex - end) unexpected bytes after a BER element")
        }
        return node
    }

    private static func parseOne(
        _ bytes: ArraySlice<UInt8>, at start: Int, limit: Int, depth: Int
    ) throws(EnvelopeError) -> (BERNode, Int) {
        guard depth < maximumDepth else {
            throw EnvelopeError(.malformed, "BER nesting deeper than \(maximumDepth) levels")
        }
        let result = bytes.withUnsafeBytes { raw in
            BERHeader.parse(UnsafeRawBufferPointer(rebasing: raw[(start - bytes.startIndex)..<(limit - bytes.startIndex)]))
        }
        let header: BERHeader
        switch result {
        case .header(let h): header = h
        case .needMore: throw EnvelopeError(.truncated, "a BER element header is cut off")
        case .invalid(let why): throw EnvelopeError(.malformed, "invalid BER header: \(why)")
        }
        let contentStart = start + header.headerLength
        if let length = header.length {
            guard length <= Int64(limit - contentStart) else {
                throw EnvelopeError(.truncated, "a BER element claims \(length) bytes but only \(limit - contentStart) remain")
            }
            let end = contentStart + Int(length)
            var children: [BERNode] = []
            if header.constructed {
                var cursor = contentStart
                while cursor < end {
                    let (child, next) = try parseOne(bytes, at: cursor, limit: end, depth: depth + 1)
                    if child.header.isEndOfContents {
                        throw EnvelopeError(.malformed, "end-of-contents inside a definite-length element")
                    }
                    children.append(child)
                    cursor = next
                }
            }
            return (
                BERNode(header: header, encoding: bytes[start..<end], contents: bytes[contentStart..<end], children: children),
                end
            )
        }
        var children: [BERNode] = []
        var cursor = contentStart
        while true {
            guard cursor < limit else { throw EnvelopeError(.truncated, "an indefinite-length element has no end marker") }
            let (child, next) = try parseOne(bytes, at: cursor, limit: limit, depth: depth + 1)
            if child.header.isEndOfContents {
                return (
                    BERNode(header: header, encoding: bytes[start..<next], contents: bytes[contentStart..<cursor], children: children),
                    next
                )
            }
            children.append(child)
            cursor = next
        }
    }

    /// The dotted OID when this is an OBJECT IDENTIFIER.
    var oid: String? {
        guard header.isUniversal(BERHeader.Universal.oid, constructed: false) else { return nil }
        return DER.oidString(contents)
    }

    /// For an AlgorithmIdentifier SEQUENCE: its OID.
    var algorithmOID: String? {
        guard header.isUniversal(BERHeader.Universal.sequence, constructed: true) else { return nil }
        return children.first?.oid
    }
}
