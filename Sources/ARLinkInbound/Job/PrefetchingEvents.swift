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
    /// An event, its line, the key of its id, and the slot of its account (``AccountSlots``,
    /// -1 when not looked up there); hashed and looked up here, off the reconciling thread.
    /// A struct, not a tuple: tuples are copied and destroyed through the runtime's generic
    /// value witnesses, which cost a tenth of the reconciling thread.
    struct Item {
        let event: FeedbackEvent
        let line: Int
        let key: EventKey
        /// Filled in for a whole batch at once, just before it is handed over.
        var slot: Int32
    }

    private let reader: FeedbackReader
    private let slots: AccountSlots?
    private let pipe = BatchPipe<Item>()
    /// The consumer's side (only `next()` touches them).
    private var current: [Item] = []
    private var position = 0
    private var ended = false
    /// The key of every event read, in file order: appended by the reading thread, taken by
    /// ``takeKeys()`` once every event was handed over (the reconciling thread did this
    /// before, one append per event on the busiest thread).
    private var keys: [EventKey] = []

    /// - Parameter slots: the accounts to look each event's account up in, if any.
    init(_ reader: FeedbackReader, slots: AccountSlots? = nil) {
        self.reader = reader
        self.slots = slots
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
        guard try advance() else { return nil }
        position = 1
        return current[0]
    }

    /// The next batch of events in file order; nil after the trailer was read and matched.
    /// (Either this or ``next()``, not both.)
    /// - Throws: what the reader threw, once every event before it was returned.
    func nextBatch() throws -> [Item]? {
        guard try advance() else { return nil }
        position = current.count
        return current
    }

    /// Takes the next batch into `current`; false at the end.
    private func advance() throws -> Bool {
        guard !ended else { return false }
        do {
            if try pipe.receive(&current) { return true }
        } catch {
            ended = true
            throw error
        }
        ended = true
        return false
    }

    /// Stops the reading thread and waits until it has let go of the reader.
    /// The keys of all events read, in file order; only after ``nextBatch()`` returned nil
    /// (the reading thread has finished: the hand-over's lock orders its appends before this).
    func takeKeys() -> [EventKey] {
        precondition(ended, "the keys are complete only once every event was handed over")
        var out: [EventKey] = []
        swap(&out, &keys)
        return out
    }

    /// Whether the reading thread filled its queue and waits for room; for tests.
    var isWaitingForRoom: Bool { pipe.isProducerWaiting }

    func stop() {
        pipe.stopConsuming()
        pipe.waitUntilProduced()
    }

    private func produce() {
        var batch = pipe.fresh()
        var failed: (any Error)?
        var done = false
        while !done {
            do {
                if let event = try reader.next() {
                    let key = EventKey(event.eventID)
                    keys.append(key)
                    batch.append(Item(event: event, line: reader.lineNumber, key: key, slot: -1))
                } else {
                    done = true
                }
            } catch {
                failed = error
                done = true
            }
            guard batch.count == pipe.batchSize || done else { continue }
            if let slots {
                batch.withUnsafeMutableBufferPointer { items in
                    slots.slots(of: items.count, { items[$0].event.accountRef }, into: { items[$0].slot = $1 })
                }
            }
            if !pipe.send(&batch) { break }
        }
        pipe.finish(throwing: failed)
    }
}
