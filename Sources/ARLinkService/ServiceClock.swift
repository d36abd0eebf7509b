public import Foundation

/// The scheduler's clock: the time now, and a sleep until a moment. The service uses the
/// system's; tests inject one whose sleep moves time forward at once.
public protocol ServiceClock: Sendable {
    func now() -> Date
    /// Returns at `deadline` (or at once when it has passed); throws when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// Wall-clock time and `Task.sleep`.
public struct SystemServiceClock: ServiceClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        guard seconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
    }
}
