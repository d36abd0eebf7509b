import ARLinkJobs
import ARLinkTestSupport
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The progress line of long work on a terminal: its text, its throttling, its silence off a terminal.
@Suite("Progress on a terminal")
struct ProgressMeterTests {
    @Test("the line shows the bar, percent, amounts, rate and time left for given counts and times")
    func rendering() {
        let line = ProgressMeter.line(step: "sealing x.p7m", done: 90_000_000, total: 200_000_000, elapsed: 3)
        #expect(line == "sealing x.p7m [#########...........]  45%  90.0 MB of 200.0 MB  30.0 MB/s  ETA 0:04")
        let done = ProgressMeter.line(step: "uploading y", done: 5_000, total: 5_000, elapsed: 0.5)
        #expect(done == "uploading y [####################] 100%  5.0 kB of 5.0 kB  10.0 kB/s  done in 0:01")
        let long = ProgressMeter.line(step: "opening z", done: 1_000_000, total: 4_000_000_000, elapsed: 10)
        #expect(long.hasSuffix("  0%  1.0 MB of 4.0 GB  100.0 kB/s  ETA 11:06:30"), "\(long)")
        let records = ProgressMeter.line(step: "applying f", done: 1_310_720, total: nil, elapsed: 2)
        #expect(records == "applying f  1,310,720 records  655,360/s")
        #expect(ProgressMeter.line(step: "s", done: 0, total: 10, elapsed: 0) == "s [....................]   0%  0 B of 10 B")
    }

    @Test("redrawn at most every 200 ms; nothing at all for work that ends sooner; the last line ends with a newline")
    func throttling() throws {
        var quick = ProgressMeter(step: "s", total: 100, now: 10)
        #expect(quick.update(done: 50, now: 10.1) == nil)
        #expect(quick.update(done: 100, now: 10.15) == nil, "work done within 200 ms draws nothing")

        var meter = ProgressMeter(step: "s", total: 1000, now: 0)
        #expect(meter.update(done: 10, now: 0.1) == nil)
        let drawn = meter.update(done: 200, now: 0.25)
        let first = try #require(drawn)
        #expect(first.hasPrefix("\rs [####") && first.contains(" 20% ") && !first.hasSuffix("\n"))
        #expect(meter.update(done: 300, now: 0.3) == nil, "50 ms after the last redraw")
        #expect(meter.update(done: 400, now: 0.46) != nil)
        #expect(meter.isShowing)
        let ended = meter.update(done: 1000, now: 0.5)
        let last = try #require(ended)
        #expect(last.hasSuffix("\n") && last.contains("100%") && last.contains("done in 0:01"))
        #expect(!meter.isShowing)
    }

    @Test("a terminal reporter writes nothing when its output is a pipe, not a terminal")
    func silentOffTerminal() throws {
        let pipe = Pipe()
        let time = Mutex(0.0)
        let progress = TerminalProgress(fd: pipe.fileHandleForWriting.fileDescriptor, clock: { time.withLock { $0 } })
        #expect(!progress.isEnabled)
        for step in 1...50 {
            time.withLock { $0 = Double(step) }
            progress.progress(step: "reading a.csv", done: Int64(step) * 1000, total: 50_000)
        }
        progress.interrupt()
        try pipe.fileHandleForWriting.close()
        #expect(pipe.fileHandleForReading.readDataToEndOfFile().isEmpty)
    }
}
