import Dispatch
import Synchronization

/// A background worker that runs submitted batches one at a time, in order, while the caller
/// prepares the next: the one hand-off between a producer and a second thread (a file's writes
/// behind its rendering, say).
///
/// At most `depth` batches are queued or running; ``submit(_:)`` waits for a free slot. The
/// first batch that throws stops the pipe: later batches are skipped and the error is reported
/// by the next ``submit(_:)`` or by ``finish()``.
public final class BackgroundPipe: Sendable {
    private let queue: DispatchQueue
    private let slots: DispatchSemaphore
    private let depth: Int
    private let failure = Mutex<(any Error)?>(nil)

    /// - Parameters:
    ///   - label: names the thread in debuggers and crash reports.
    ///   - depth: how many batches may wait or run at once (1: one in flight while the caller
    ///     fills the next).
    public init(label: String, depth: Int = 1) {
        precondition(depth >= 1)
        queue = DispatchQueue(label: label)
        slots = DispatchSemaphore(value: depth)
        self.depth = depth
    }

    /// Queues `batch` once a slot is free.
    /// - Throws: the error of an earlier batch, if one failed (then `batch` is not queued).
    public func submit(_ batch: @escaping @Sendable () throws -> Void) throws {
        slots.wait()
        if let error = failure.withLock({ $0 }) {
            slots.signal()
            throw error
        }
        queue.async { [self] in
            defer { slots.signal() }
            guard failure.withLock({ $0 == nil }) else { return }
            do { try batch() } catch { failure.withLock { $0 = error } }
        }
    }

    /// Waits until every queued batch has run.
    /// - Throws: the first error a batch threw.
    public func finish() throws {
        drain()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Waits until every queued batch has run, ignoring failures (the work is being discarded).
    public func drain() {
        for _ in 0..<depth { slots.wait() }
        for _ in 0..<depth { slots.signal() }
    }
}
