import Foundation
import Synchronization

/// Step timings for profiling a run: with `ARLINK_TRACE_STEPS=1` in the environment, each
/// mark prints the seconds since the first mark and the peak memory so far to stderr
/// (`arlink-trace +1.234 s applied: peak 117 MB`). Off by default; the names are fixed
/// strings, never data.
public enum StepTrace {
    private static let enabled = ProcessInfo.processInfo.environment["ARLINK_TRACE_STEPS"] != nil
    private static let start = Mutex<Date?>(nil)

    /// Prints one mark when tracing is on.
    public static func mark(_ step: StaticString) {
        guard enabled else { return }
        let now = Date()
        let first = start.withLock { start in
            if start == nil { start = now }
            return start ?? now
        }
        let line = String(format: "arlink-trace +%.3f s %@: peak %d MB\n", now.timeIntervalSince(first), "\(step)", ProcessMemory.peakMB() ?? 0)
        FileHandle.standardError.write(Data(line.utf8))
    }
}
