import Foundation

/// Where a CSV reader is in a file, in bytes, from the line it reached: the file's size and
/// the average line length of its first 256 KiB. For progress only (the reader counts lines,
/// not bytes); the estimate never passes the file's size.
public struct LineEstimate: Sendable {
    /// The file's size (nil when it cannot be read: no progress then).
    public let size: Int64?
    let bytesPerLine: Double

    public init(path: String) {
        size = RunContext.fileSize(path)
        var perLine = 100.0
        if let handle = FileHandle(forReadingAtPath: path) {
            let sample = (try? handle.read(upToCount: 256 << 10)) ?? Data()
            try? handle.close()
            let lines = sample.reduce(0) { $1 == 10 ? $0 + 1 : $0 }
            if lines > 0 { perLine = Double(sample.count) / Double(lines) }
        }
        bytesPerLine = perLine
    }

    /// The bytes read by the time `line` (1-based) was reached.
    public func bytes(throughLine line: Int) -> Int64 {
        min(Int64(Double(line) * bytesPerLine), max(0, (size ?? 1) - 1))
    }
}
