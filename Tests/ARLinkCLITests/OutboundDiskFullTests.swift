import ARLinkTestSupport
import Foundation
import Testing

/// A full work folder or state folder during an outbound run is ours: exit 75 naming the path,
/// no batch recorded or delivered, and the next run after space is freed delivers. On a real,
/// small tmpfs.
@Suite("Outbound on a full disk (the built executable, small tmpfs)", .serialized,
       .enabled(if: FileManager.default.isExecutableFile(atPath: RepositoryPaths.arlinkExecutable),
                "needs the arlink executable next to the test bundle (build the whole package)"),
       .enabled(if: SmallFileSystem.unavailableReason == nil, Comment(rawValue: SmallFileSystem.unavailableReason ?? "")))
struct OutboundDiskFullTests {
    @Test("a full work folder: 75 with the path, nothing built or delivered; delivered once space is freed")
    func fullWorkFolder() throws {
        let dir = try TemporaryDirectory("outbound-full")
        defer { dir.remove() }
        let demo = try OperatorMistakeTests.run(["demo", "--workdir", dir.file("d"), "--customers", "200", "--open-items", "2000"])
        try #require(demo.status == 0, "\(demo.stderr)")
        let config = dir.file("d/arlink.yaml")
        let work = dir.file("d/state/work")
        let disk = try SmallFileSystem(mountingAt: work, size: "1m")
        defer { disk.unmount() }
        try disk.fill()
        let date = OperatorMistakeTests.day(15)
        let failed = try OperatorMistakeTests.run(["outbound", "run", "--config", config, "--as-of", date])
        #expect(failed.status == 75, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stderr.contains("temporary failure: free space, the next run finishes"), "\(failed.stderr)")
        #expect(failed.stderr.contains(work), "\(failed.stderr)")
        #expect(try OperatorMistakeTests.sql(dir, "SELECT COUNT(*) FROM outbound_batch WHERE as_of = '\(date)'") == "0")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("d/partner/inbox")).filter { $0.contains("_portfolio_") }.count == 1)
        disk.free()
        let finished = try OperatorMistakeTests.run(["outbound", "run", "--config", config, "--as-of", date])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try OperatorMistakeTests.sql(dir, "SELECT state FROM outbound_batch WHERE as_of = '\(date)'") == "delivered")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("d/partner/inbox")).filter { $0.contains("_portfolio_") }.count == 2)
    }
}
