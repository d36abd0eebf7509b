import ARLinkCore
import ARLinkFormats
import ARLinkStore
import Foundation

/// Parses a feedback file's events on a second thread, a batch at a time, while the caller
/// reconciles and applies the batch before (the machine has two cores; parsing is a fifth of
/// an inbound run).
///
/// Events come out in file order with their line numbers. An error of the reader comes out
/// exactly where the reader met it, after every event before it. The reader must not be
/// used by anyone else until ``next()`` returned nil or threw, or ``stop()`` returned.
final class PrefetchingEvents: @unchecked Sendable {
    /// An event, its line, and the key of its id (hashed here, off the reconciling thread).
    typealias Item = (event: FeedbackEvent, line: Int, key: EventKey)

    private let reader: FeedbackReader
    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var batches: [[Item]] = []
    private var failure: (any Error)?
    private var producing = true
    private var stopping = false
    /// The consumer's side (only `next()` touches them: no run-time exclusivity checks).
    @exclusivity(unchecked) private var current: [Item] = []
    @exclusivity(unchecked) private var position = 0

    static let batchSize = 1_024
    static let maxBatches = 4

    init(_ reader: FeedbackReader) {
        self.reader = reader
        let thread = Thread { [self] in produce() }
        thread.name = "arlink-feedback-reader"
        thread.start()
    }

    deinit { stop() }

    /// The next event and its line; nil after the trailer was read and matched.
    /// - Throws: what the reader threw, once every event before it was returned.
    func next() throws -> Item? {
        if position < current.count {
            position += 1
            return current[position - 1]
        }
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && producing { condition.wait() }
        if batches.isEmpty {
            if let failure {
                self.failure = nil
                throw failure
            }
            return nil
        }
        current = batches.removeFirst()
        position = 1
        condition.broadcast()
        return current[0]
    }

    /// Stops the reading thread and waits until it has let go of the reader.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while producing { condition.wait() }
        condition.unlock()
    }

    private func produce() {
        var batch: [Item] = []
        batch.reserveCapacity(Self.batchSize)
        var failed: (any Error)?
        var done = false
        while !done {
            do {
                if let event = try reader.next() {
                    batch.append((event, reader.lineNumber, EventKey(event.eventID)))
                } else {
                    done = true
                }
            } catch {
                failed = error
                done = true
            }
            guard batch.count == Self.batchSize || done else { continue }
            condition.lock()
            while batches.count >= Self.maxBatches && !stopping { condition.wait() }
            if stopping { done = true }
            if !batch.isEmpty { batches.append(batch) }
            if done {
                failure = failed
                producing = false
            }
            condition.broadcast()
            condition.unlock()
            batch = []
            batch.reserveCapacity(Self.batchSize)
        }
    }
}
