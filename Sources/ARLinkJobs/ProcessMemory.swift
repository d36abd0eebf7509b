import Foundation

/// The process's peak resident memory, for the run log (Linux `VmHWM`; nil elsewhere).
public enum ProcessMemory {
    /// Peak resident set size so far, in MB.
    public static func peakMB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.split(separator: " ").compactMap { Int($0) }
            return digits.first.map { $0 / 1024 }
        }
        return nil
    }

    /// ", peak memory N MB" or an empty string.
    public static var peakNote: String { peakMB().map { ", peak memory \($0) MB" } ?? "" }
}
