import Foundation

/// Runs blocking work (a job, an audit write, an alert delivery) on a thread of its own and
/// resumes the awaiting task when it is done, so the cooperative threads and the HTTP event
/// loop stay free while SQLite, OpenSSL and libcurl block.
enum Worker {
    static func run<T: Sendable>(_ name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: body())
            }
            thread.name = "arlink-\(name)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
