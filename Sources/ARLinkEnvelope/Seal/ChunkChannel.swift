import Foundation

/// Passes filled 1 MiB plaintext buffers from the reading thread (which digests them for the
/// signature) to the encrypting thread (which encrypts, hashes and writes them), and the empty
/// buffers back. A small fixed pool keeps memory constant.
final class ChunkChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var free: [UnsafeMutableRawBufferPointer] = []
    private var full: [(UnsafeMutableRawBufferPointer, Int)] = []
    private var ended = false
    private var consumerFailed = false
    private let all: [UnsafeMutableRawBufferPointer]

    init(buffers: Int, size: Int) {
        all = (0..<buffers).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16) }
        free = all
    }

    deinit {
        for buffer in all {
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            buffer.deallocate()
        }
    }

    /// An empty buffer, or nil when the consumer has failed.
    func takeFree() -> UnsafeMutableRawBufferPointer? {
        condition.lock()
        defer { condition.unlock() }
        while free.isEmpty && !consumerFailed { condition.wait() }
        return consumerFailed ? nil : free.removeLast()
    }

    /// Hands `count` bytes of `buffer` to the consumer.
    func submit(_ buffer: UnsafeMutableRawBufferPointer, count: Int) {
        condition.lock()
        full.append((buffer, count))
        condition.broadcast()
        condition.unlock()
    }

    /// No more buffers will come.
    func end() {
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next filled buffer, or nil at the end.
    func takeFull() -> (UnsafeMutableRawBufferPointer, Int)? {
        condition.lock()
        defer { condition.unlock() }
        while full.isEmpty && !ended { condition.wait() }
        return full.isEmpty ? nil : full.removeFirst()
    }

    /// Returns a buffer to the pool.
    func recycle(_ buffer: UnsafeMutableRawBufferPointer) {
        condition.lock()
        free.append(buffer)
        condition.broadcast()
        condition.unlock()
    }

    /// The consumer stopped with an error: wake the producer.
    func consumerFailure() {
        condition.lock()
        consumerFailed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// A thread running one closure, joinable.
final class JoinableThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var done = false

    init(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            body()
            condition.lock()
            done = true
            condition.broadcast()
            condition.unlock()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    func join() {
        condition.lock()
        while !done { condition.wait() }
        condition.unlock()
    }
}
