import ARLinkTestSupport
import Foundation
import Testing

/// A mistyped `state.database` or `erp.updates.folder` stops every job with 78 naming the key,
/// and creates nothing: only `arlink init` (or `state.create: true`) creates a state.
@Suite("Path typos in the configuration (the built executable)", .serialized,
       .enabled(if: FileManager.default.isExecutableFile(atPath: RepositoryPaths.arlinkExecutable),
                "needs the arlink executable next to the test bundle (build the whole package)"), .timeLimit(.minutes(10)))
struct PathTypoTests {
    static func run(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run(RepositoryPaths.arlinkExecutable, arguments, currentDirectory: RepositoryPaths.root)
    }

    /// The demo configuration and the example keys in a new folder, with the partner's folders
    /// but no state and no ERP import folder.
    static func folder(_ edit: (String) -> String = { $0 }) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory("typo")
        try RepositoryPaths.copyExampleKeys(to: dir.path)
        try dir.write("arlink.yaml", edit(try String(contentsOfFile: RepositoryPaths.root + "/config/demo.yaml", encoding: .utf8)))
        for folder in ["partner/inbox", "partner/outbox", "partner/processed"] {
            try FileManager.default.createDirectory(atPath: dir.file(folder), withIntermediateDirectories: true)
        }
        return dir
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    @Test("a missing state database stops outbound, inbound (78, naming state.database) and creates nothing; arlink init creates it and the import folder")
    func missingState() throws {
        let dir = try Self.folder()
        defer { dir.remove() }
        let config = dir.file("arlink.yaml")
        for command in [["outbound", "run"], ["inbound", "run"], ["outbound", "run", "--dry-run"]] {
            let refused = try Self.run(command + ["--config", config])
            #expect(refused.status == 78, "\(command): \(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.contains("state.database: \(dir.file("state/arlink.sqlite")) does not exist"), "\(command): \(refused.stderr)")
            #expect(refused.stderr.contains("arlink init --config"), "\(command): \(refused.stderr)")
        }
        #expect(!Self.exists(dir.file("state")), "no state folder or database was created")
        #expect(!Self.exists(dir.file("erp/import")))
        let initialized = try Self.run(["init", "--config", config])
        #expect(initialized.status == 0, "\(initialized.stderr)")
        #expect(initialized.stdout.contains("created \(dir.file("state/arlink.sqlite"))"), "\(initialized.stdout)")
        #expect(initialized.stdout.contains("created \(dir.file("erp/import"))"), "\(initialized.stdout)")
        let again = try Self.run(["init", "--config", config])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("Nothing to create"), "\(again.stdout)")
        let inbound = try Self.run(["inbound", "run", "--config", config])
        #expect(inbound.status == 0, "\(inbound.stderr)")
        let verify = try Self.run(["audit", "verify", "--config", config])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test("state.create: true lets a job create the state database")
    func createByConfiguration() throws {
        let dir = try Self.folder { $0.replacingOccurrences(of: "  work_dir: state/work\n", with: "  work_dir: state/work\n  create: true\n") }
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.file("erp/import"), withIntermediateDirectories: true)
        let inbound = try Self.run(["inbound", "run", "--config", dir.file("arlink.yaml")])
        #expect(inbound.status == 0, "\(inbound.stderr)")
        #expect(Self.exists(dir.file("state/arlink.sqlite")))
    }

    @Test("a mistyped state.database after the demo: 78, no empty database, nothing delivered again")
    func typoAfterDemo() throws {
        let dir = try TemporaryDirectory("typo-demo")
        defer { dir.remove() }
        let demo = try Self.run(["demo", "--workdir", dir.file("d"), "--customers", "200", "--open-items", "2000"])
        try #require(demo.status == 0, "\(demo.stderr)")
        let config = dir.file("d/arlink.yaml")
        let yaml = try String(contentsOfFile: config, encoding: .utf8)
        try yaml.replacingOccurrences(of: "database: state/arlink.sqlite", with: "database: state/arlnk.sqlite").write(toFile: config, atomically: true, encoding: .utf8)
        let refused = try Self.run(["outbound", "run", "--config", config, "--as-of", "2099-01-01"])
        #expect(refused.status == 78, "\(refused.stderr)")
        #expect(refused.stderr.contains("state.database"), "\(refused.stderr)")
        #expect(!Self.exists(dir.file("d/state/arlnk.sqlite")), "no empty database")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("d/partner/inbox")).filter { $0.contains("_portfolio_") }.count == 1)
    }

    @Test("a mistyped erp.updates.folder stops inbound with 78 naming the key, and is not created")
    func typoInUpdatesFolder() throws {
        let dir = try Self.folder()
        defer { dir.remove() }
        let config = dir.file("arlink.yaml")
        let initialized = try Self.run(["init", "--config", config])
        try #require(initialized.status == 0, "\(initialized.stderr)")
        let yaml = try String(contentsOfFile: config, encoding: .utf8)
        try yaml.replacingOccurrences(of: "folder: erp/import", with: "folder: erp/imprt").write(toFile: config, atomically: true, encoding: .utf8)
        let refused = try Self.run(["inbound", "run", "--config", config])
        #expect(refused.status == 78, "\(refused.stderr)")
        #expect(refused.stderr.contains("erp.updates.folder: \(dir.file("erp/imprt")) does not exist"), "\(refused.stderr)")
        #expect(!Self.exists(dir.file("erp/imprt")))
        try FileManager.default.removeItem(atPath: dir.file("erp/import"))
        try "not a folder\n".write(toFile: dir.file("erp/imprt"), atomically: true, encoding: .utf8)
        let file = try Self.run(["inbound", "run", "--config", config])
        #expect(file.status == 78, "\(file.stderr)")
        #expect(file.stderr.contains("is not a folder"), "\(file.stderr)")
    }
}
