import Dispatch

/// Hashes a stream on a second thread while the caller goes on decrypting and writing.
///
/// Each ``update(_:)`` copies the bytes into one of two private buffers and queues their
/// hashing; the caller waits only when both buffers are still being hashed. On the open path
/// this takes SHA-256 (about a third of the work) off the decrypting thread. The buffers hold
/// plaintext and are wiped before they are freed.
final class PipelinedDigest: @unchecked Sendable {
    private let digest: SHA256Stream
    private let queue = DispatchQueue(label: "arlink.envelope.digest")
    private let free = DispatchSemaphore(value: 2)
    private let buffers: [UnsafeMutableRawBufferPointer]
    private var next = 0

    /// - Parameter bufferSize: the largest chunk ``update(_:)`` takes without falling back to
    ///   hashing on the caller's thread.
    init(bufferSize: Int) throws {
        digest = try SHA256Stream()
        buffers = (0..<2).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16) }
    }

    deinit {
        queue.sync {}
        for buffer in buffers {
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            buffer.deallocate()
        }
    }

    /// Adds bytes; returns once they are copied (hashing continues in the background).
    func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        // The digest context is only used on `queue` until `finishBytes()` drains it.
        nonisolated(unsafe) let digest = self.digest
        free.wait()
        let buffer = buffers[next]
        guard bytes.count <= buffer.count, let base = bytes.baseAddress, let target = buffer.baseAddress else {
            // A chunk larger than the buffers: hash it here, after what is queued.
            free.signal()
            queue.sync { digest.update(bytes) }
            return
        }
        next ^= 1
        target.copyMemory(from: base, byteCount: bytes.count)
        // The buffer is not touched again until `free` is signalled.
        nonisolated(unsafe) let slice = UnsafeRawBufferPointer(rebasing: buffer[0..<bytes.count])
        let free = self.free
        queue.async {
            digest.update(slice)
            free.signal()
        }
    }

    /// Waits for the queued hashing and returns the digest of everything added.
    func finishBytes() -> [UInt8] {
        queue.sync {}
        return digest.finishBytes()
    }
}
