import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Draws ``ProgressMeter`` lines on a terminal: only when `fd` is a terminal (`isatty`),
/// silent otherwise (a pipe, a file, the journal). One step at a time; a new step, or a log
/// line (``interrupt()``), ends the line left on the screen.
public final class TerminalProgress: Sendable {
    let fd: Int32
    /// Whether anything is ever written: asked for, and `fd` is a terminal.
    public let isEnabled: Bool
    let clock: @Sendable () -> Double
    private let meter = Mutex<ProgressMeter?>(nil)

    /// - Parameters:
    ///   - fd: where the lines go (default 2, stderr).
    ///   - enabled: false for output meant for machines (`--log-format json`).
    ///   - clock: seconds on a monotonic clock (tests inject their own).
    public init(fd: Int32 = 2, enabled: Bool = true, clock: @escaping @Sendable () -> Double = TerminalProgress.monotonicSeconds) {
        self.fd = fd
        self.isEnabled = enabled && isatty(fd) == 1
        self.clock = clock
    }

    /// Seconds since the first call, on the monotonic clock (a shifted wall clock does not move it).
    public static func monotonicSeconds() -> Double {
        let elapsed = ContinuousClock.now - origin
        let (seconds, attoseconds) = elapsed.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
    private static let origin = ContinuousClock.now

    /// Reports `done` of `total` for `step` (see ``RunReporter/progress(step:done:total:)``).
    public func progress(step: String, done: Int64, total: Int64?) {
        guard isEnabled else { return }
        let now = clock()
        let text: String = meter.withLock { meter in
            var text = ""
            if meter == nil || meter?.step != step || meter?.total != total {
                text += meter?.interrupt() ?? ""
                meter = ProgressMeter(step: step, total: total, now: now)
            }
            text += meter?.update(done: done, now: now) ?? ""
            if let total, done >= total { meter = nil }
            return text
        }
        write(text)
    }

    /// Ends a line left on the screen, before something else is written to the terminal.
    public func interrupt() {
        guard isEnabled else { return }
        write(meter.withLock { $0?.interrupt() } ?? "")
    }

    private func write(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle(fileDescriptor: fd, closeOnDealloc: false).write(Data(text.utf8))
    }
}
