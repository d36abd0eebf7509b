/// A progress line for long work on a terminal: a bar, the amount done, the rate and the time
/// left, redrawn in place (`\r`) at most every ``interval`` seconds.
///
/// Fed by the byte counts the long loops already keep (reading an extract, sealing or opening
/// an envelope, uploading), through ``RunReporter/progress(step:done:total:)``. The executable
/// draws it on stderr only when stderr is a terminal and the log format is for people; a step
/// that ends within ``interval`` draws nothing at all. Without a total the count is of records
/// (no bar, no time left).
public struct ProgressMeter: Sendable {
    /// The step shown before the bar (`reading open_items.csv`).
    public private(set) var step: String
    public private(set) var total: Int64?
    /// Seconds between redraws, and before the first one.
    public let interval: Double
    /// When the step started, in the clock's seconds.
    let started: Double
    /// When the line was last drawn (nil: not yet).
    var lastDrawn: Double?
    /// Whether a line is on the screen without its newline.
    public private(set) var isShowing = false

    /// Starts a step at `now` (a monotonic clock's seconds).
    public init(step: String, total: Int64?, now: Double, interval: Double = 0.2) {
        self.step = step
        self.total = total
        self.started = now
        self.interval = interval
    }

    /// The text to write for `done` at `now`, or nil when nothing is to be written (too soon
    /// after the last redraw, or a step that ends before the first one was due). The text
    /// starts with `\r` and clears the rest of the line; the last one ends with a newline.
    public mutating func update(done: Int64, now: Double) -> String? {
        let finished = total.map { done >= $0 } ?? false
        if finished {
            guard lastDrawn != nil else { return nil }  // quick work: no line at all
            isShowing = false
            return "\r" + Self.line(step: step, done: done, total: total, elapsed: now - started) + "\u{1B}[K\n"
        }
        guard now - (lastDrawn ?? started) >= interval else { return nil }
        lastDrawn = now
        isShowing = true
        return "\r" + Self.line(step: step, done: done, total: total, elapsed: now - started) + "\u{1B}[K"
    }

    /// What ends a line left on the screen (before a log line, or another step): a newline.
    public mutating func interrupt() -> String? {
        guard isShowing else { return nil }
        isShowing = false
        lastDrawn = nil
        return "\n"
    }

    /// The line for `done` of `total` after `elapsed` seconds:
    /// `sealing x.p7m [#########...........]  45%  90.0 MB of 200.0 MB  31.2 MB/s  ETA 0:04`,
    /// or without a total `reading x.csv  1,310,720 records  512,000/s`.
    public static func line(step: String, done: Int64, total: Int64?, elapsed: Double) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        guard let total, total > 0 else {
            return "\(step)  \(grouped(done)) records" + (rate > 0 ? "  \(grouped(Int64(rate)))/s" : "")
        }
        let fraction = min(1, Double(max(0, done)) / Double(total))
        let width = 20
        let filled = Int(fraction * Double(width))
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
        let percent = String(Int(fraction * 100)).leftPadded(to: 3) + "%"
        var text = "\(step) \(bar) \(percent)  \(bytes(done)) of \(bytes(total))"
        if rate > 0 {
            text += "  \(bytes(Int64(rate)))/s"
            text += done >= total ? "  done in \(clock(elapsed))" : "  ETA \(clock(Double(total - done) / rate))"
        }
        return text
    }

    /// `512 B`, `1.5 kB`, `90.0 MB`, `1.2 GB` (powers of 1000, as `ls --si`).
    static func bytes(_ n: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(n)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        if unit == 0 { return "\(n) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    /// `0:07`, `12:30`, `1:02:03`.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60)
        let mm = h > 0 ? String(m).leftPadded(to: 2, with: "0") : String(m)
        return (h > 0 ? "\(h):" : "") + mm + ":" + String(sec).leftPadded(to: 2, with: "0")
    }

    /// `1,310,720`.
    static func grouped(_ n: Int64) -> String {
        let digits = Array(String(n))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int, with pad: Character = " ") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

extension RunReporter {
    /// A callback for a loop that counts bytes of `total`, reporting them as `step`.
    public func byteProgress(_ step: String, total: Int64?) -> (Int64) -> Void {
        { done in self.progress(step: step, done: done, total: total) }
    }
}
