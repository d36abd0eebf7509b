import Foundation

/// Batches of items from one producing thread to one consuming thread, at most
/// `maxBatches` in flight; emptied batches go back to the producer to be filled again (a
/// batch of a thousand events or updates is a few hundred KB, and mapping fresh memory for
/// each one cost a tenth of an inbound run in page faults).
///
/// Either side can fail: the producer's error reaches the consumer after every batch sent
/// before it (``finish(throwing:)``, ``receive(_:)``); the consumer's error reaches the
/// producer at its next ``send(_:)`` or ``waitUntilConsumed()`` (``fail(_:)``).
final class BatchPipe<Item>: @unchecked Sendable {
    let batchSize: Int
    private let maxBatches: Int
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var full: [[Item]] = []
    private var empty: [[Item]] = []
    private var producing = true
    private var consuming = true
    private var producerFailure: (any Error)?
    private var consumerFailure: (any Error)?
    private var producerWaiting = false

    /// Sixteen batches in flight: with three threads on two cores, a shallow queue leaves a
    /// thread idle whenever another falls briefly behind.
    init(batchSize: Int = 1_024, maxBatches: Int = 16) {
        self.batchSize = batchSize
        self.maxBatches = maxBatches
    }

    /// An empty batch with room for `batchSize` items.
    func fresh() -> [Item] {
        var batch: [Item] = []
        batch.reserveCapacity(batchSize)
        return batch
    }

    // MARK: - Producer

    /// Hands `batch` over (waiting while `maxBatches` are in flight) and leaves an empty one in its place.
    /// - Returns: false when the consumer stopped or failed (nothing more is wanted).
    @discardableResult
    func send(_ batch: inout [Item]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while full.count >= maxBatches && consuming {
            producerWaiting = true
            condition.wait()
        }
        producerWaiting = false
        guard consuming else { return false }
        if !batch.isEmpty {
            var next = empty.popLast() ?? []
            swap(&next, &batch)
            full.append(next)
            condition.broadcast()
        }
        if batch.capacity < batchSize { batch.reserveCapacity(batchSize) }
        return true
    }

    /// No more batches; `error`, when given, reaches the consumer after the batches sent.
    func finish(throwing error: (any Error)? = nil) {
        condition.lock()
        producerFailure = error
        producing = false
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the consumer took and finished every batch.
    /// - Throws: the consumer's error, if it failed.
    func waitUntilConsumed() throws {
        condition.lock()
        defer { condition.unlock() }
        while consuming { condition.wait() }
        if let consumerFailure { throw consumerFailure }
    }

    /// The producer gives up: batches not yet taken are dropped; returns once the consumer ended.
    func abandon() {
        condition.lock()
        full.removeAll()
        producing = false
        condition.broadcast()
        while consuming { condition.wait() }
        condition.unlock()
    }

    /// Whether the producer is waiting for room (`maxBatches` in flight); for tests.
    var isProducerWaiting: Bool {
        condition.lock()
        defer { condition.unlock() }
        return producerWaiting
    }

    // MARK: - Consumer

    /// Gives back `batch` (emptied) and waits for the next one.
    /// - Returns: false when the producer finished and every batch was taken.
    /// - Throws: the producer's error, after every batch sent before it.
    func receive(_ batch: inout [Item]) throws -> Bool {
        batch.removeAll(keepingCapacity: true)
        condition.lock()
        defer { condition.unlock() }
        if batch.capacity >= batchSize && empty.count < maxBatches + 1 {
            var spare: [Item] = []
            swap(&spare, &batch)
            empty.append(spare)
        }
        while full.isEmpty && producing && consuming { condition.wait() }
        guard consuming, !full.isEmpty else {
            if let failure = producerFailure {
                producerFailure = nil
                throw failure
            }
            return false
        }
        batch = full.removeFirst()
        condition.broadcast()
        return true
    }

    /// The consumer is done (normally when `error` is nil); queued batches are dropped and the producer told.
    func stopConsuming(failure error: (any Error)? = nil) {
        condition.lock()
        if let error { consumerFailure = error }
        consuming = false
        full.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the producer has finished.
    func waitUntilProduced() {
        condition.lock()
        while producing { condition.wait() }
        condition.unlock()
    }
}
