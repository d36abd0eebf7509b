import ARLinkTestSupport
import Foundation
import Testing

/// `arlink demo --layout`: the whole loop in Latitude AIM, both variants, through the binary.
@Suite("arlink demo in a partner layout", .serialized, .timeLimit(.minutes(10)))
struct LayoutDemoTests {
    @Test("the loop runs in AIM: AIM files and manifests delivered both ways, events applied, one acknowledgement rejected",
          arguments: ["latitude-aim", "latitude-aim-pipe"])
    func demo(layout: String) throws {
        let dir = try TemporaryDirectory("cli-layout")
        defer { dir.remove() }
        let result = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["demo", "--workdir", dir.file("demo"), "--layout", layout,
                                                                              "--customers", "60", "--open-items", "600"])
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout + result.stderr
        #expect(out.contains("manifest matches"))
        #expect(out.contains("rejected (balance_mismatch)"))
        #expect(out.contains("1 file(s) processed, 0 quarantined"))
        let inbox = try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/partner/inbox")).sorted()
        #expect(inbox.filter { $0.contains("_portfolio_") }.map { String($0.drop { $0 != "." }) }.sorted() == [".txt.manifest.jsonl.p7m", ".txt.p7m"])
        let processed = try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/partner/processed")).sorted()
        #expect(processed.map { String($0.drop { $0 != "." }) } == [".txt.manifest.jsonl.p7m", ".txt.p7m"])
        // The portfolio the agency opened is AIM: CACT lines of 3000 characters (fixed) or pipe-separated.
        let received = try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/partner/received")).first { $0.hasSuffix("_000001.txt") }
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.file("demo/partner/received/" + (received ?? "none"))))
        let first = String(decoding: data.prefix { $0 != 0x0D }, as: UTF8.self)
        #expect(first.hasPrefix("CACT"))
        #expect(layout.hasSuffix("pipe") ? first.contains("|") : first.count == 3000)
    }
}
