import Dispatch
public import Foundation

/// Waiting for a condition with a deadline, instead of sleeping a fixed time and hoping the
/// other side was quicker.
public enum Wait {
    /// Checks `condition` until it holds or `timeout` has passed, looking again every `interval`.
    /// - Returns: whether the condition held before the deadline.
    @discardableResult
    public static func until(
        timeout: Duration, interval: Duration = .milliseconds(5), _ condition: () throws -> Bool
    ) rethrows -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let pause = DispatchSemaphore(value: 0)
        while true {
            if try condition() { return true }
            if clock.now >= deadline { return false }
            // Nobody signals this semaphore: it paces the next look without busy waiting.
            _ = pause.wait(timeout: .now() + .nanoseconds(nanoseconds(interval)))
        }
    }

    /// Waits until `process` has exited or `timeout` has passed, whichever is first.
    /// - Returns: whether the process had exited before the deadline.
    @discardableResult
    public static func forExit(_ process: Process, timeout: Duration) -> Bool {
        until(timeout: timeout, interval: .milliseconds(1)) { !process.isRunning }
    }

    static func nanoseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(max(0, min(seconds, 1_000_000_000) * 1_000_000_000 + attoseconds / 1_000_000_000))
    }
}

/// A flag one thread raises and another waits for, with a deadline.
public final class Signal: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    public init() {}

    /// Raises the flag: wakes one waiter.
    public func raise() { semaphore.signal() }

    /// Waits until the flag is raised or `timeout` has passed.
    /// - Returns: whether the flag was raised before the deadline.
    public func wait(timeout: Duration) -> Bool {
        semaphore.wait(timeout: .now() + .nanoseconds(Wait.nanoseconds(timeout))) == .success
    }
}

/// A file that grows on a thread of its own, a byte every few milliseconds, until ``stop()``:
/// whatever two looks a reader takes while it runs see two sizes, however fast the machine is.
public final class GrowingFile: Sendable {
    private let stopped = Signal()
    private let finished = Signal()
    private let path: String

    /// Starts appending `content` (one byte at a time, at most its length) to the file at `path`,
    /// or `+` bytes without end when `content` is nil.
    public init(path: String, content: Data? = nil, every interval: Duration = .milliseconds(10)) {
        self.path = path
        let stopped = stopped, finished = finished
        Thread {
            var written = 0
            repeat {
                if let content, written >= content.count { continue }
                guard let handle = FileHandle(forWritingAtPath: path) else { break }
                handle.seekToEndOfFile()
                handle.write(content.map { Data([$0[$0.startIndex + written]]) } ?? Data("+".utf8))
                try? handle.close()
                written += 1
            } while !stopped.wait(timeout: interval)
            finished.raise()
        }.start()
    }

    /// Stops the growth and waits for the writer to finish.
    /// - Returns: the file's size then, or nil when the writer did not stop within 10 s.
    public func stop() -> Int? {
        stopped.raise()
        guard finished.wait(timeout: .seconds(10)) else { return nil }
        return (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
    }
}

