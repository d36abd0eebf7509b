import ARLinkTestSupport
import Foundation
import Testing

/// `arlink config check` on the built binary: the effective configuration without secrets, one
/// line per check, and a run's exit codes.
@Suite("arlink config check (the built executable)", .serialized,
       .enabled(if: FileManager.default.isExecutableFile(atPath: RepositoryPaths.arlinkExecutable),
                "needs the arlink executable next to the test bundle (build the whole package)"), .timeLimit(.minutes(10)))
struct ConfigCheckTests {
    static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> ProcessResult {
        try ProcessRunner.run(RepositoryPaths.arlinkExecutable, arguments, environment: environment, currentDirectory: RepositoryPaths.root)
    }

    static func sql(_ dir: TemporaryDirectory, _ query: String) throws -> String {
        try ProcessRunner.run("sqlite3", [dir.file("d/state/arlink.sqlite"), query]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func demo(_ dir: TemporaryDirectory) throws -> String {
        let demo = try run(["demo", "--workdir", dir.file("d"), "--customers", "100", "--open-items", "600"])
        try #require(demo.status == 0, "\(demo.stderr)")
        return dir.file("d/arlink.yaml")
    }

    static func edit(_ path: String, _ from: String, _ to: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try #require(text.contains(from), "\(from) in \(path)")
        try text.replacingOccurrences(of: from, with: to).write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("prints the effective configuration (passphrase sources, never their values), passes, records nothing, and its output loads again")
    func effectiveConfiguration() throws {
        let dir = try TemporaryDirectory("config-check")
        defer { dir.remove() }
        let config = try Self.demo(dir)
        let secret = "s3cr3t-Passphrase-value"
        _ = try dir.write("pass.txt", secret + "\n")
        try Self.edit(config, "    key: keys/company/signing.key\n", "    key: keys/company/signing.key\n    passphrase_env: ARLINK_TEST_SIGNING_PASS\n")
        try Self.edit(config, "    key: keys/company/encryption.key\n", "    key: keys/company/encryption.key\n    passphrase_file: \(dir.file("pass.txt"))\n")
        let entries = try Self.sql(dir, "SELECT COUNT(*) FROM audit_entry")
        let result = try Self.run(["config", "check", "--config", config], environment: ["ARLINK_TEST_SIGNING_PASS": secret, "PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains(secret), "no passphrase in the output")
        #expect(result.stdout.contains("    passphrase_env: \"ARLINK_TEST_SIGNING_PASS\""), "\(result.stdout)")
        #expect(result.stdout.contains("    passphrase_file: \"\(dir.file("pass.txt"))\""), "\(result.stdout)")
        #expect(result.stdout.contains("  database: \"\(dir.file("d/state/arlink.sqlite"))\""), "paths resolved: \(result.stdout)")
        #expect(result.stdout.contains("    max_recall_share: 0.2"), "defaults filled in: \(result.stdout)")
        for step in ["keys and trust", "audit key", "state database", "erp import folder", "acme-collect transfer basis", "acme-collect folders"] {
            #expect(result.stdout.contains("OK   \(step): "), "\(step): \(result.stdout)")
        }
        #expect(try Self.sql(dir, "SELECT COUNT(*) FROM audit_entry") == entries, "records nothing")
        // The printed configuration is a configuration: it loads and prints the same.
        let effective = result.stdout.components(separatedBy: "\nOK   ").first ?? ""
        let copy = try dir.write("effective.yaml", effective + "\n")
        let again = try Self.run(["config", "check", "--config", copy], environment: ["ARLINK_TEST_SIGNING_PASS": secret, "PATH": "/usr/bin:/bin"])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout == result.stdout, "\(again.stdout)")
    }

    @Test("exits as a run would: 77 for a loose key, 78 for a missing folder, 69 for an unreachable SFTP server")
    func exitCodes() throws {
        let dir = try TemporaryDirectory("config-check-codes")
        defer { dir.remove() }
        let config = try Self.demo(dir)
        let key = dir.file("d/keys/company/signing.key")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        let loose = try Self.run(["config", "check", "--config", config])
        #expect(loose.status == 77, "\(loose.stdout)\(loose.stderr)")
        #expect(loose.stdout.contains("FAIL keys and trust: "), "\(loose.stdout)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)

        try FileManager.default.removeItem(atPath: dir.file("d/partner/outbox"))
        let missing = try Self.run(["config", "check", "--config", config])
        #expect(missing.status == 78, "\(missing.stdout)\(missing.stderr)")
        #expect(missing.stdout.contains("FAIL acme-collect folders: ") && missing.stdout.contains("outbox"), "\(missing.stdout)")
        #expect(missing.stdout.contains("OK   keys and trust: "), "\(missing.stdout)")

        let sshKey = dir.file("client_ed25519")
        let made = try ProcessRunner.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", sshKey])
        try #require(made.status == 0, "\(made.stderr)")
        let text = try String(contentsOfFile: config, encoding: .utf8)
        let block = try NSRegularExpression(pattern: "\n    transport:\n      type: folder\n(      .*\n)+")
        let sftp = "\n    transport:\n      type: sftp\n      host: 127.0.0.1\n      port: 1\n      user: arlink\n      private_key: \(sshKey)\n"
            + "      host_key_sha256: \"nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8\"\n      inbox_path: /inbox\n      outbox_path: /outbox\n"
            + "      connect_timeout_seconds: 1\n      retries: 0\n"
        try block.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: NSRegularExpression.escapedTemplate(for: sftp))
            .write(toFile: config, atomically: true, encoding: .utf8)
        let unreachable = try Self.run(["config", "check", "--config", config])
        #expect(unreachable.status == 69, "\(unreachable.stdout)\(unreachable.stderr)")
        #expect(unreachable.stdout.contains("      processed_path: \"/outbox/processed\""), "\(unreachable.stdout)")
        #expect(unreachable.stdout.contains("FAIL acme-collect folders: "), "\(unreachable.stdout)")
    }
}
