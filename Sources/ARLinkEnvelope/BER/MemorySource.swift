/// Bytes in memory as a ``ByteSource`` (fuzzing, tests, small inputs).
final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { raw in
            buffer.baseAddress!.copyMemory(from: raw.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }

    func skip(_ count: Int64) throws -> Int64 {
        let n = Int(min(count, Int64(bytes.count - position)))
        position += n
        return Int64(n)
    }
}
