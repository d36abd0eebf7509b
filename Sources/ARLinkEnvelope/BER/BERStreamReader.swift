/// Pulls BER headers and contents from a ``ByteSource`` through a large buffer, tracking the
/// absolute offset. Contents are either copied out (small elements, with a cap) or streamed.
final class BERStreamReader {
    private let source: any ByteSource
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var sourceEnded = false
    /// Offset of the next unread byte, counted from where the reader started.
    private(set) var offset: Int64

    /// - Parameters:
    ///   - source: where bytes come from.
    ///   - bufferSize: read size; large reads are what make streaming fast.
    ///   - offset: the absolute offset of the source's first byte (for messages and bounds).
    init(source: any ByteSource, bufferSize: Int = 1 << 20, offset: Int64 = 0) {
        self.source = source
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bufferSize, 64), alignment: 16)
        self.offset = offset
    }

    deinit { buffer.deallocate() }

    private var available: Int { end - start }

    /// How much a header read fetches beyond what it needs.
    static let readAhead = 64 << 10

    /// Ensures at least `count` bytes are buffered, unless the source ends first.
    private func fill(atLeast count: Int) throws {
        if available >= count || sourceEnded { return }
        if start > 0 {
            if available > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: available)
            }
            end = available
            start = 0
        }
        // Read ahead a moderate amount only: large contents then go straight from the source
        // into the caller's buffer (``readRaw``) instead of through this one (one copy less).
        let limit = min(buffer.count, max(count, Self.readAhead))
        while end < count && !sourceEnded {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end..<max(limit, end + 1)]))
            if n == 0 { sourceEnded = true } else { end += n }
        }
    }

    /// True when no byte is left.
    func atEnd() throws -> Bool {
        try fill(atLeast: 1)
        return available == 0
    }

    /// Reads the next header.
    /// - Throws: `.truncated` at the end, `.malformed` for an invalid header.
    func readHeader(context: @autoclosure () -> String) throws -> BERHeader {
        try fill(atLeast: BERHeader.maximumLength)
        if available == 0 {
            throw EnvelopeError(.truncated, "the envelope ends at byte \(offset), where \(context()) should start")
        }
        let result = BERHeader.parse(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
        switch result {
        case .header(let header):
            start += header.headerLength
            offset += Int64(header.headerLength)
            return header
        case .needMore:
            throw EnvelopeError(.truncated, "the envelope ends inside the header of \(context()) at byte \(offset)")
        case .invalid(let why):
            throw EnvelopeError(.malformed, "invalid BER at byte \(offset) (\(context())): \(why)")
        }
    }

    /// True when the next two bytes are an end-of-contents marker (without consuming them).
    func peekEndOfContents() throws -> Bool {
        try fill(atLeast: 2)
        guard available >= 2 else { return false }
        return buffer[start] == 0 && buffer[start + 1] == 0
    }

    /// Copies exactly `count` bytes out.
    func readBytes(_ count: Int64, cap: Int, context: @autoclosure () -> String) throws -> [UInt8] {
        guard count <= Int64(cap) else {
            throw EnvelopeError(.malformed, "\(context()) at byte \(offset) claims \(count) bytes (at most \(cap) accepted)")
        }
        var out: [UInt8] = []
        out.reserveCapacity(Int(count))
        var remaining = Int(count)
        while remaining > 0 {
            try fill(atLeast: min(remaining, buffer.count))
            if available == 0 {
                throw EnvelopeError(.truncated, "the envelope ends at byte \(offset) inside \(context())")
            }
            let n = min(remaining, available)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start..<start + n]))
            start += n
            offset += Int64(n)
            remaining -= n
        }
        return out
    }

    /// Reads up to `maximum` bytes into `destination`; returns 0 only at the end of the source.
    func readRaw(into destination: UnsafeMutableRawBufferPointer, maximum: Int) throws -> Int {
        let want = min(maximum, destination.count)
        guard want > 0 else { return 0 }
        if available == 0 {
            if sourceEnded { return 0 }
            if want >= buffer.count / 2 {
                let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: destination[0..<want]))
                if n == 0 { sourceEnded = true }
                offset += Int64(n)
                return n
            }
            try fill(atLeast: 1)
            if available == 0 { return 0 }
        }
        let n = min(want, available)
        destination.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: n)
        start += n
        offset += Int64(n)
        return n
    }

    /// Skips exactly `count` bytes.
    func skip(_ count: Int64, context: @autoclosure () -> String) throws {
        var remaining = count
        let fromBuffer = Int(min(Int64(available), remaining))
        start += fromBuffer
        offset += Int64(fromBuffer)
        remaining -= Int64(fromBuffer)
        if remaining > 0 {
            let skipped = try source.skip(remaining)
            offset += skipped
            if skipped < remaining {
                throw EnvelopeError(.truncated, "the envelope ends at byte \(offset) inside \(context())")
            }
        }
    }

    /// Reads one whole element (header included), following indefinite lengths, as raw bytes.
    ///
    /// For the small parts of a structure only: the total is capped and nesting is limited.
    func readElement(cap: Int, context: @autoclosure () -> String) throws -> (BERHeader, [UInt8]) {
        let header = try readHeader(context: context())
        var out: [UInt8] = []
        try appendElement(header, into: &out, cap: cap, depth: 0, context: context())
        return (header, out)
    }

    private func appendElement(
        _ header: BERHeader, into out: inout [UInt8], cap: Int, depth: Int, context: @autoclosure () -> String
    ) throws {
        guard depth < BERNode.maximumDepth else {
            throw EnvelopeError(.malformed, "BER nesting deeper than \(BERNode.maximumDepth) levels in \(context())")
        }
        out.append(contentsOf: header.identifier)
        if let length = header.length {
            out.append(contentsOf: DER.length(Int(min(length, Int64(Int32.max)))))
            guard Int64(out.count) + length <= Int64(cap) else {
                throw EnvelopeError(.malformed, "\(context()) is larger than \(cap) bytes")
            }
            out.append(contentsOf: try readBytes(length, cap: cap, context: context()))
            return
        }
        out.append(0x80)
        while true {
            let child = try readHeader(context: context())
            if child.isEndOfContents {
                out.append(contentsOf: [0, 0])
                return
            }
            try appendElement(child, into: &out, cap: cap, depth: depth + 1, context: context())
            if out.count > cap { throw EnvelopeError(.malformed, "\(context()) is larger than \(cap) bytes") }
        }
    }
}
