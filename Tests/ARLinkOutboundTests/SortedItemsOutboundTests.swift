import ARLinkCore
import ARLinkFormats
import ARLinkJobs
@testable import ARLinkOutbound
import ARLinkTestSupport
import Foundation
import Testing

/// The outbound job groups the extract's open items by customer through sorted temporary
/// files when there are many (``OpenItemSpill``). The portfolio must not depend on that:
/// these runs force the files (and the two-thread read) on a small extract and compare the
/// delivered portfolio, line by line, with the one built in memory.
@Suite("Outbound through sorted temporary files", .timeLimit(.minutes(10)))
struct SortedItemsOutboundTests {
    /// Runs the base extract and then variant 1 (places, then updates and recalls) with the
    /// given settings; returns the plaintext of both delivered files without their headers.
    func portfolios(runLength: Int, parallelThreshold: Int64) throws -> [[String]] {
        let f = try OutboundFixture(customers: 150, items: 3000)
        defer { f.dir.remove() }
        var bodies: [[String]] = []
        for (variant, asOf) in [(0, f.asOf), (1, f.asOf.adding(days: 7))] {
            if variant > 0 { try f.writeExtract(customers: 150, items: 3000, variant: variant) }
            let job = OutboundJob(context: try f.context())
            job.sortRunLength = runLength
            job.parallelReadThreshold = parallelThreshold
            let report = try job.run(.init(asOf: asOf))
            let p = try #require(report.partners.first)
            #expect(p.outcome == .delivered)
            let lines = try f.openWithOpenSSL(try #require(p.fileName))
            bodies.append(Array(lines.dropFirst()))
            // The temporary files are gone once the run is over.
            let sort = (try? FileManager.default.contentsOfDirectory(atPath: f.dir.file("state/work/sort"))) ?? []
            #expect(sort.isEmpty, "left behind: \(sort)")
        }
        return bodies
    }

    @Test("the portfolio is the same whether the items are sorted in memory or through files, read by one thread or two")
    func sameBytes() throws {
        let inMemory = try portfolios(runLength: 1 << 20, parallelThreshold: .max)
        let throughFiles = try portfolios(runLength: 97, parallelThreshold: 64 << 10)
        #expect(inMemory.count == 2 && throughFiles.count == 2)
        // The second run has updates and recalls: the writer reads the sorted items twice.
        #expect(inMemory[1].contains { $0.hasPrefix("{\"record_type\":\"update\"") })
        #expect(inMemory[1].contains { $0.hasPrefix("{\"record_type\":\"recall\"") })
        #expect(inMemory[0].count > 50)
        for run in 0..<2 {
            #expect(inMemory[run] == throughFiles[run], "run \(run + 1) differs")
        }
    }
}
