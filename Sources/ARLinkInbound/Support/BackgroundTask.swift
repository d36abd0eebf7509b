import Foundation

/// A piece of work run on its own thread while the caller does something else; ``wait()``
/// returns its result (or throws its error). Used where one core would otherwise sit idle:
/// sorting a file's event keys while its payments are written, hashing a fetched file while
/// it is opened.
final class BackgroundTask<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var result: Result<Value, any Error>?

    init(name: String, _ body: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            let outcome = Result { try body() }
            condition.lock()
            result = outcome
            condition.broadcast()
            condition.unlock()
        }
        thread.name = name
        thread.start()
    }

    /// Waits for the work to end.
    func wait() throws -> Value {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return try result!.get()
    }
}
