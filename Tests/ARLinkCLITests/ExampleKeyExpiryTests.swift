import ARLinkTestSupport
import Foundation
import Testing

/// Debian's `faketime` wrapper: runs a command with libfaketime preloaded and the clock moved.
private let faketime = "/usr/bin/faketime"

/// `arlink keys check` on the demo as the committed example certificates near their end: the
/// instants come from the certificate, the clock from libfaketime.
@Suite("Example certificates near their expiry", .timeLimit(.minutes(10)))
struct ExampleKeyExpiryTests {
    /// `notAfter` of a committed example certificate, as the `openssl` CLI reads it.
    static func notAfter(_ relative: String) throws -> Date {
        let r = try ProcessRunner.run("openssl", ["x509", "-in", RepositoryPaths.root + "/keys-example/" + relative, "-noout", "-enddate", "-dateopt", "iso_8601"])
        let text = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let value = try #require(text.split(separator: "=", maxSplits: 1).last.map(String.init), "openssl printed \(text) \(r.stderr)")
        return try #require(ISO8601DateFormatter().date(from: value.replacingOccurrences(of: " ", with: "T")), "not a date: \(value)")
    }

    /// Runs `arlink keys check` with the clock at `instant`.
    static func keysCheck(_ config: String, at instant: Date) throws -> ProcessResult {
        let stamp = DateFormatter()
        stamp.locale = Locale(identifier: "en_US_POSIX")
        stamp.timeZone = TimeZone(identifier: "UTC")
        stamp.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return try ProcessRunner.run(
            faketime, ["-f", "@" + stamp.string(from: instant), RepositoryPaths.arlinkExecutable, "keys", "check", "--config", config],
            environment: ["FAKETIME_DONT_FAKE_MONOTONIC": "1", "TZ": "UTC"]
        )
    }

    @Test(
        "keys check warns 30 days before the example certificates expire and refuses them after",
        .enabled(if: FileManager.default.isExecutableFile(atPath: faketime), "libfaketime is missing: apt-get install faketime (scripts/setup.sh does)")
    )
    func warnsBeforeExpiry() throws {
        let dir = try TemporaryDirectory("expiry")
        let demo = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["demo", "--workdir", dir.file("d"), "--customers", "20", "--open-items", "100"],
                                         currentDirectory: RepositoryPaths.root)
        try #require(demo.status == 0, "demo failed: \(demo.stderr)")
        let config = dir.file("d/arlink.yaml")
        let end = try Self.notAfter("company/signing.crt")

        let calm = try Self.keysCheck(config, at: end.addingTimeInterval(-40 * 86_400))
        #expect(calm.status == 0, "\(calm.stdout)\(calm.stderr)")
        #expect(calm.stdout.contains("[ok] company signing"), "\(calm.stdout)")

        let soon = try Self.keysCheck(config, at: end.addingTimeInterval(-10 * 86_400))
        #expect(soon.status == 0, "\(soon.stdout)\(soon.stderr)")
        #expect(soon.stdout.contains("[WARN] company signing"), "\(soon.stdout)")

        let after = try Self.keysCheck(config, at: end.addingTimeInterval(86_400))
        #expect(after.status == 77, "\(after.stdout)\(after.stderr)")
        #expect(after.stdout.contains("[FAIL] company signing"), "\(after.stdout)")
    }
}
