/// The contents of an OCTET STRING (or an implicitly tagged one) as a stream of bytes,
/// whether primitive (DER, one run) or constructed (BER, a series of chunks, possibly nested,
/// possibly of indefinite length as `openssl cms -stream` writes).
final class OctetStringSource: ByteSource {
    private let reader: BERStreamReader
    private let name: String
    /// Open constructed levels: absolute end, or nil when indefinite.
    private var stack: [Int64?] = []
    private var remaining: Int64 = 0
    /// Total content bytes delivered or skipped so far.
    private(set) var produced: Int64 = 0
    /// Deepest chunk nesting accepted.
    static let maximumNesting = 8

    /// Starts after `header` has been read from `reader`.
    init(reader: BERStreamReader, header: BERHeader, name: String) {
        self.reader = reader
        self.name = name
        if header.constructed {
            stack.append(header.length.map { reader.offset + $0 })
        } else {
            remaining = header.length ?? 0
        }
    }

    /// Advances to the next primitive chunk; false at the end of the string.
    private func nextChunk() throws -> Bool {
        while remaining == 0 {
            guard let top = stack.last else { return false }
            if let end = top {
                if reader.offset == end {
                    stack.removeLast()
                    continue
                }
                if reader.offset > end { throw EnvelopeError(.malformed, "a chunk of \(name) overruns its container") }
            }
            let at = reader.offset
            let header = try reader.readHeader(context: "a chunk of \(name)")
            if header.isEndOfContents {
                guard top == nil else { throw EnvelopeError(.malformed, "end-of-contents inside definite-length \(name) at byte \(at)") }
                stack.removeLast()
                continue
            }
            guard header.tagClass == 0, header.tagNumber == BERHeader.Universal.octetString else {
                throw EnvelopeError(.malformed, "expected an OCTET STRING chunk of \(name) at byte \(at), found \(BERStreamReader.describe(header))")
            }
            let chunkEnd = header.length.map { reader.offset + $0 }
            if let chunkEnd, let end = top, chunkEnd > end {
                throw EnvelopeError(.malformed, "a chunk of \(name) at byte \(at) overruns its container")
            }
            if header.constructed {
                guard stack.count < Self.maximumNesting else {
                    throw EnvelopeError(.malformed, "\(name) nests chunks deeper than \(Self.maximumNesting) levels")
                }
                stack.append(chunkEnd)
            } else {
                remaining = header.length ?? 0
            }
        }
        return true
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0, try nextChunk() else { return 0 }
        let want = Int(min(Int64(buffer.count), remaining))
        let n = try reader.readRaw(into: buffer, maximum: want)
        if n == 0 { throw EnvelopeError(.truncated, "the envelope ends at byte \(reader.offset) inside \(name)") }
        remaining -= Int64(n)
        produced += Int64(n)
        return n
    }

    func skip(_ count: Int64) throws -> Int64 {
        var done: Int64 = 0
        while done < count, try nextChunk() {
            let step = min(remaining, count - done)
            try reader.skip(step, context: name)
            remaining -= step
            done += step
            produced += step
        }
        return done
    }

    /// Skips to the end of the string.
    func skipAll() throws { _ = try skip(Int64.max) }
}
