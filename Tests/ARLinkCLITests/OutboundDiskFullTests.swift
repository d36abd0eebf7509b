import ARLinkTestSupport
import Foundation
import Testing

/// A full work folder or state folder during an outbound run is ours: exit 75 naming the path,
/// no batch recorded or delivered, and the next run after space is freed delivers. On a real,
/// small tmpfs.
@Suite("Outbound on a full disk (the built executable, small tmpfs)", .serialized,
       .enabled(if: FileManager.default.isExecutableFile(atPath: RepositoryPaths.arlinkExecutable),
                "needs the arlink executable next to the test bundle (build the whole package)"),
       .enabled(if: SmallFileSystem.unavailableReason == nil, Comment(rawValue: SmallFileSystem.unavailableReason ?? "")), .timeLimit(.minutes(20)))
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

extension OutboundDiskFullTests {
    @Test("the state database's disk fills up during the run: 75 naming it, no batch recorded; delivered once space is freed")
    func fullStateFolder() throws {
        let dir = try TemporaryDirectory("outbound-state-full")
        defer { dir.remove() }
        let demo = try OperatorMistakeTests.run(["demo", "--workdir", dir.file("d"), "--customers", "200", "--open-items", "2000"])
        try #require(demo.status == 0, "\(demo.stderr)")
        // The demo's state database moved onto a small disk of its own.
        let state = dir.file("state-disk")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let disk = try SmallFileSystem(mountingAt: state, size: "16m")
        defer { disk.unmount() }
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: dir.file("d/state/arlink.sqlite" + suffix)) {
            try FileManager.default.copyItem(atPath: dir.file("d/state/arlink.sqlite" + suffix), toPath: state + "/arlink.sqlite" + suffix)
        }
        let config = dir.file("d/arlink.yaml")
        let yaml = try String(contentsOfFile: config, encoding: .utf8)
        try yaml.replacingOccurrences(of: "database: state/arlink.sqlite", with: "database: \(state)/arlink.sqlite").write(toFile: config, atomically: true, encoding: .utf8)
        func sql(_ query: String) throws -> String {
            try ProcessRunner.run("sqlite3", [state + "/arlink.sqlite", query]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try disk.fill(leaving: 64 * 1024)
        let date = OperatorMistakeTests.day(15)
        let failed = try OperatorMistakeTests.run(["outbound", "run", "--config", config, "--as-of", date])
        #expect(failed.status == 75, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stderr.contains("state database \(state)/arlink.sqlite"), "\(failed.stderr)")
        #expect(failed.stderr.contains("temporary failure: free space, the next run finishes"), "\(failed.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("d/partner/inbox")).filter { $0.contains("_portfolio_") }.count == 1)
        disk.free()
        #expect(try sql("SELECT COUNT(*) FROM outbound_batch WHERE as_of = '\(date)'") == "0", "nothing recorded")
        let finished = try OperatorMistakeTests.run(["outbound", "run", "--config", config, "--as-of", date])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try sql("SELECT state FROM outbound_batch WHERE as_of = '\(date)'") == "delivered")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("d/partner/inbox")).filter { $0.contains("_portfolio_") }.count == 2)
    }
}

/// A read that fails with EIO (a failing disk) is ours too: 75, not "missing input" (66).
/// `/proc/self/mem` read from offset 0 fails with EIO in any process, so it stands in for an
/// extract on a failing disk.
@Suite("Outbound on a failing disk (the built executable)",
       .enabled(if: FileManager.default.isExecutableFile(atPath: RepositoryPaths.arlinkExecutable),
                "needs the arlink executable next to the test bundle (build the whole package)"),
       .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/mem"), "needs /proc/self/mem to produce EIO"), .timeLimit(.minutes(20)))
struct OutboundFailingDiskTests {
    @Test("an extract that cannot be read (EIO) stops the run with 75 naming it; nothing is built")
    func unreadableExtract() throws {
        let dir = try TemporaryDirectory("outbound-eio")
        defer { dir.remove() }
        let demo = try OperatorMistakeTests.run(["demo", "--workdir", dir.file("d"), "--customers", "50", "--open-items", "300"])
        try #require(demo.status == 0, "\(demo.stderr)")
        let config = dir.file("d/arlink.yaml")
        let yaml = try String(contentsOfFile: config, encoding: .utf8)
        try yaml.replacingOccurrences(of: "open_items: erp/open_items.csv", with: "open_items: /proc/self/mem").write(toFile: config, atomically: true, encoding: .utf8)
        let failed = try OperatorMistakeTests.run(["outbound", "run", "--config", config, "--as-of", "2099-01-01"])
        #expect(failed.status == 75, "\(failed.stderr)")
        #expect(failed.stderr.contains("/proc/self/mem cannot be read (input/output error (EIO)"), "\(failed.stderr)")
        #expect(try OperatorMistakeTests.sql(dir, "SELECT COUNT(*) FROM outbound_batch") == "1")
    }
}
