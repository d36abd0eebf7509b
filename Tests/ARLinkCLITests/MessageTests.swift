import ARLinkTestSupport
import Foundation
import Testing

/// What the command line says: versions, JSON types and times.
@Suite("Messages of the command line", .serialized, .timeLimit(.minutes(10)))
struct MessageTests {
    @Test("version: 2 names the versions that exist; JSON error lines carry a time")
    func unknownVersion() throws {
        let dir = try TemporaryDirectory("messages-version")
        defer { dir.remove() }
        try dir.write("v2.yaml", "version: 2\n")
        let human = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["keys", "check", "--config", dir.file("v2.yaml")])
        #expect(human.status == 78)
        #expect(human.stderr.contains("the versions that exist are 1"), "\(human.stderr)")
        let json = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["keys", "check", "--config", dir.file("v2.yaml"), "--log-format", "json"])
        let line = try #require(json.stderr.split(separator: "\n").last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let time = try #require(object["time"] as? String)
        #expect(ISO8601DateFormatter().date(from: time) != nil, "\(time)")
    }

    @Test("keys check --log-format json writes numbers and booleans as such")
    func keysCheckTypes() throws {
        let dir = try TemporaryDirectory("messages-keys")
        defer { dir.remove() }
        let demo = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["demo", "--workdir", dir.file("d"), "--customers", "20", "--open-items", "100"],
                                         currentDirectory: RepositoryPaths.root)
        try #require(demo.status == 0, "\(demo.stderr)")
        let result = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["keys", "check", "--config", dir.file("d/arlink.yaml"), "--log-format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let signing = try #require(rows.first { ($0["role"] as? String) == "company signing" })
        #expect(signing["ok"] as? Bool == true)
        #expect((signing["days_left"] as? Int ?? 0) > 0)
        #expect(signing["pair_matches"] as? Bool == true)
        #expect(signing["usage"] as? [String] == ["digitalSignature"])
        #expect(!(signing["ok"] is String))
    }

    @Test("a misspelt command or required key gets a did-you-mean")
    func didYouMean() throws {
        let command = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["outbond", "run", "--config", "x.yaml"])
        #expect(command.status == 64)
        #expect(command.stderr.contains("unknown command \"outbond\"; did you mean outbound?"), "\(command.stderr)")
        let dir = try TemporaryDirectory("messages-typo")
        defer { dir.remove() }
        try RepositoryPaths.copyExampleKeys(to: dir.path)
        let yaml = try String(contentsOfFile: RepositoryPaths.root + "/config/demo.yaml", encoding: .utf8)
        try dir.write("typo.yaml", yaml.replacingOccurrences(of: "  database: ", with: "  databse: "))
        let key = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["keys", "check", "--config", dir.file("typo.yaml")])
        #expect(key.status == 78)
        #expect(key.stderr.contains("state.database: missing required key") && key.stderr.contains("did you mean database?"), "\(key.stderr)")
    }
}
