/// A constructed element being walked in a ``BERStreamReader``: where it ends, if definite.
struct BERContainer {
    let header: BERHeader
    /// Absolute end offset, or nil for the indefinite form.
    let end: Int64?
    let name: String
}

extension BERStreamReader {
    /// Reads a header that must be the constructed element `name` matching `matches`.
    func enter(
        _ name: String, within parent: BERContainer?, matches: (BERHeader) -> Bool
    ) throws -> BERContainer {
        let at = offset
        let header = try readHeader(context: name)
        guard header.constructed, matches(header) else {
            throw EnvelopeError(.malformed, "expected \(name) at byte \(at), found tag \(Self.describe(header))")
        }
        let end = header.length.map { offset + $0 }
        try checkFits(end, in: parent, name: name)
        return BERContainer(header: header, end: end, name: name)
    }

    /// Whether `container` has another child.
    func hasMore(_ container: BERContainer) throws -> Bool {
        if let end = container.end {
            if offset > end { throw EnvelopeError(.malformed, "an element overruns the end of \(container.name)") }
            return offset < end
        }
        if try atEnd() {
            throw EnvelopeError(.truncated, "the envelope ends at byte \(offset) inside \(container.name)")
        }
        return !(try peekEndOfContents())
    }

    /// Consumes the end of `container`: checks the definite end or reads the end marker.
    func leave(_ container: BERContainer) throws {
        if let end = container.end {
            guard offset == end else {
                throw EnvelopeError(.malformed, "\(container.name) should end at byte \(end), not \(offset)")
            }
            return
        }
        let at = offset
        let header = try readHeader(context: "the end of \(container.name)")
        guard header.isEndOfContents else {
            throw EnvelopeError(.malformed, "expected the end of \(container.name) at byte \(at), found tag \(Self.describe(header))")
        }
    }

    /// Reads one child element of `parent` whole (small elements only).
    func readChild(of parent: BERContainer, cap: Int, name: String) throws -> (BERHeader, [UInt8]) {
        let result = try readElement(cap: cap, context: name)
        if let end = parent.end, offset > end {
            throw EnvelopeError(.malformed, "\(name) overruns the end of \(parent.name)")
        }
        return result
    }

    /// Throws when a child ending at `end` would overrun its parent.
    func checkFits(_ end: Int64?, in parent: BERContainer?, name: String) throws {
        guard let parentEnd = parent?.end else { return }
        guard let end else {
            // An indefinite child in a definite parent is legal BER; its end is checked on leaving.
            return
        }
        if end > parentEnd {
            throw EnvelopeError(.malformed, "\(name) claims to end at byte \(end), beyond its parent \(parent?.name ?? "") ending at \(parentEnd)")
        }
    }

    static func describe(_ header: BERHeader) -> String {
        let cls = ["universal", "application", "context", "private"][Int(header.tagClass & 3)]
        return "\(cls) \(header.tagNumber)\(header.constructed ? " constructed" : "")"
    }
}
