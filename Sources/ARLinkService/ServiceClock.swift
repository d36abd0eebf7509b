public import Foundation

/// The scheduler's clock: the time now, and a sleep until a moment. The service uses the
/// system's; tests inject one whose sleep moves time forward at once.
public protocol ServiceClock: Sendable {
    func now() -> Date
    /// Returns at `deadline` (or at once when it has passed); throws when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// Wall-clock time, and a sleep of the calling task on a thread of its own (`nanosleep`), which
/// also works where the wall clock is shifted (libfaketime in the clock-shift test run).
public struct SystemServiceClock: ServiceClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        guard seconds > 0 else { return }
        await Worker.run("sleep") { Thread.sleep(forTimeInterval: seconds) }
        try Task.checkCancellation()
    }
}
