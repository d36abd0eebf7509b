import ARLinkCore
import ARLinkTestSupport
import Foundation
import Testing

/// `arlink inbound run` as a scheduler runs it: exit statuses and the JSON report.
@Suite("arlink inbound run (the built executable)", .serialized, .timeLimit(.minutes(10)))
struct InboundCLITests {
    func run(_ f: InboundFixture, json: Bool) throws -> ProcessResult {
        try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["inbound", "run", "--config", f.configPath] + (json ? ["--log-format", "json"] : []))
    }

    @Test("a quarantined file: exit 65, the JSON report names the file and the code; then 0 with nothing new",
          .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests"))
    func quarantineExitStatus() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        let p = try f.plaintext(try f.header(sequence: 1, previous: nil), [Events.risk("R1", f.accountRef(1), score: 1)], omitTrailer: true)
        try f.seal(p.path, as: f.name(1))
        let first = try run(f, json: true)
        #expect(first.status == 65, "\(first.stderr)")
        #expect(first.stdout.contains("\"files_quarantined\":1"))
        #expect(first.stdout.contains("\"code\":\"feedback.missing_trailer\""))
        #expect(first.stdout.contains(f.name(1)))
        #expect(first.stdout.contains("\"exit_status\":65"))
        let second = try run(f, json: false)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("0 file(s) processed, 0 quarantined"))
    }

    @Test("an unknown partner is a configuration error (78)",
          .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests"))
    func unknownPartner() throws {
        let f = try InboundFixture()
        _ = try f.context()  // the state database, as `arlink init` creates it (else 78 for that first)
        let r = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["inbound", "run", "--config", f.configPath, "--partner", "nobody"])
        #expect(r.status == 78)
        #expect(r.stderr.contains("nobody"))
    }
}
