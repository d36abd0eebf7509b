import Foundation

/// Repeated measurements of one side of a comparison, summarised by min and median.
struct Runs {
    let name: String
    var measurements: [Child.Measurement] = []

    init(_ name: String) { self.name = name }

    static func median(_ values: [Double]) -> Double {
        let t = values.sorted()
        guard !t.isEmpty else { return 0 }
        return t.count % 2 == 1 ? t[t.count / 2] : (t[t.count / 2 - 1] + t[t.count / 2]) / 2
    }

    var minSeconds: Double { measurements.map(\.seconds).min() ?? 0 }
    var medianSeconds: Double { Self.median(measurements.map(\.seconds)) }
    var medianCPUSeconds: Double { Self.median(measurements.map(\.cpuSeconds)) }
    var peakMB: Int { (measurements.map(\.maxRSSKB).max() ?? 0) / 1024 }

    /// One line: min and median wall time with throughput for `bytes`, median CPU, peak RSS.
    func row(bytes: Double, width: Int = 44) -> String {
        name.padding(toLength: width, withPad: " ", startingAt: 0)
            + String(format: "min %6.3f s (%5.0f MB/s)  median %6.3f s (%5.0f MB/s)  CPU median %6.3f s  peak RSS %4d MB",
                     minSeconds, bytes / 1e6 / minSeconds, medianSeconds, bytes / 1e6 / medianSeconds, medianCPUSeconds, peakMB)
    }
}

extension Child {
    /// Runs each side once per round, in order (A B C A B C ...), `rounds` times, so that a change
    /// in the machine's load falls on every side alike.
    static func alternate(rounds: Int, _ sides: [(name: String, run: () throws -> Measurement)]) throws -> [Runs] {
        var results = sides.map { Runs($0.name) }
        for _ in 0..<max(rounds, 1) {
            for (i, side) in sides.enumerated() { results[i].measurements.append(try side.run()) }
        }
        return results
    }
}
