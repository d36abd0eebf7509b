import ARLinkTestSupport
import Foundation
import Testing

/// Everything a run needs is checked before it does anything: the SFTP client key, the HTTPS
/// URLs, on the built `arlink` binary over a small demo whose partner is switched to SFTP or
/// HTTPS. No server is needed: each refusal comes before any connection.
@Suite("Checks before a run (the built executable)", .serialized,
       .enabled(if: FileManager.default.isExecutableFile(atPath: RepositoryPaths.arlinkExecutable),
                "needs the arlink executable next to the test bundle (build the whole package)"), .timeLimit(.minutes(10)))
struct PreflightTests {
    static func run(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run(RepositoryPaths.arlinkExecutable, arguments, currentDirectory: RepositoryPaths.root)
    }

    static func sql(_ dir: TemporaryDirectory, _ query: String) throws -> String {
        try ProcessRunner.run("sqlite3", [dir.file("d/state/arlink.sqlite"), query]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A small demo in `dir/d` whose partner's transport is replaced by `transport` (YAML lines
    /// indented for the partner's `transport:` mapping); returns its configuration file.
    static func demo(_ dir: TemporaryDirectory, transport: String) throws -> String {
        let demo = try run(["demo", "--workdir", dir.file("d"), "--customers", "200", "--open-items", "2000"])
        try #require(demo.status == 0, "\(demo.stderr)")
        let path = dir.file("d/arlink.yaml")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: "\n    transport:\n      type: folder\n(      .*\n)+")
        let range = NSRange(text.startIndex..., in: text)
        try #require(pattern.firstMatch(in: text, range: range) != nil, "the demo's folder transport")
        let replaced = pattern.stringByReplacingMatches(in: text, range: range, withTemplate: NSRegularExpression.escapedTemplate(for: "\n    transport:\n" + transport))
        try replaced.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// An SFTP transport to a closed local port using the client key at `key`.
    static func sftp(key: String) -> String {
        """
              type: sftp
              host: 127.0.0.1
              port: 1
              user: arlink
              private_key: \(key)
              host_key_sha256: "nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"
              inbox_path: /inbox
              outbox_path: /outbox
              connect_timeout_seconds: 1
              retries: 0

        """
    }

    static func sshKey(_ dir: TemporaryDirectory, type: String, mode: Int) throws -> String {
        let path = dir.file("client_\(type)")
        let made = try ProcessRunner.run("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "test", "-f", path])
        try #require(made.status == 0, "\(made.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test("an RSA SFTP client key stops outbound and inbound with 78 before anything is built or fetched; keys check fails it (77)")
    func rsaClientKey() throws {
        let dir = try TemporaryDirectory("preflight-rsa")
        defer { dir.remove() }
        let key = try Self.sshKey(dir, type: "rsa", mode: 0o600)
        let config = try Self.demo(dir, transport: Self.sftp(key: key))
        let batches = try Self.sql(dir, "SELECT COUNT(*) FROM outbound_batch")
        let outbound = try Self.run(["outbound", "run", "--config", config, "--as-of", "2099-01-01"])
        #expect(outbound.status == 78, "\(outbound.stdout)\(outbound.stderr)")
        #expect(outbound.stderr.contains("partner acme-collect: sftp transport (127.0.0.1) private_key: \(key) is an RSA key"), "\(outbound.stderr)")
        #expect(try Self.sql(dir, "SELECT COUNT(*) FROM outbound_batch") == batches, "no batch built")
        let inbound = try Self.run(["inbound", "run", "--config", config])
        #expect(inbound.status == 78, "\(inbound.stdout)\(inbound.stderr)")
        #expect(inbound.stderr.contains("is an RSA key"), "\(inbound.stderr)")
        let keys = try Self.run(["keys", "check", "--config", config])
        #expect(keys.status == 77, "\(keys.stdout)\(keys.stderr)")
        #expect(keys.stdout.contains("[FAIL] acme-collect sftp client key: \(key)"), "\(keys.stdout)")
        #expect(keys.stdout.contains("is an RSA key; libssh2"), "\(keys.stdout)")
        #expect(!keys.stdout.contains("are usable."), "\(keys.stdout)")
    }

    @Test("an SFTP client key readable by others stops every command with 77; owner-only Ed25519 passes keys check")
    func looseClientKey() throws {
        let dir = try TemporaryDirectory("preflight-mode")
        defer { dir.remove() }
        let key = try Self.sshKey(dir, type: "ed25519", mode: 0o644)
        let config = try Self.demo(dir, transport: Self.sftp(key: key))
        let batches = try Self.sql(dir, "SELECT COUNT(*) FROM outbound_batch")
        for command in [["outbound", "run", "--as-of", "2099-01-01"], ["inbound", "run"], ["keys", "check"]] {
            let result = try Self.run(command + ["--config", config])
            #expect(result.status == 77, "\(command): \(result.stdout)\(result.stderr)")
            #expect((result.stdout + result.stderr).contains("\(key) has mode 644, readable by group or others; run chmod 600"), "\(command): \(result.stdout)\(result.stderr)")
        }
        #expect(try Self.sql(dir, "SELECT COUNT(*) FROM outbound_batch") == batches, "no batch built")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        let keys = try Self.run(["keys", "check", "--config", config])
        #expect(keys.status == 0, "\(keys.stdout)\(keys.stderr)")
        #expect(keys.stdout.contains("[ok] acme-collect sftp client key: \(key)"), "\(keys.stdout)")
        #expect(keys.stdout.contains("key:         Ed25519"), "\(keys.stdout)")
    }

    @Test("an http:// URL in an HTTPS transport is refused at load (78), naming the key that holds it")
    func plainHTTP() throws {
        let dir = try TemporaryDirectory("preflight-http")
        defer { dir.remove() }
        let config = try Self.demo(dir, transport: """
                  type: https
                  upload_url: "https://127.0.0.1:1/inbox/{name}"
                  list_url: "http://127.0.0.1:1/outbox/"

            """)
        for command in [["inbound", "run"], ["outbound", "run"], ["keys", "check"]] {
            let result = try Self.run(command + ["--config", config])
            #expect(result.status == 78, "\(command): \(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("partners[0].transport.list_url: must be an https:// URL"), "\(command): \(result.stderr)")
        }
    }

    @Test("an HTTPS ca_file that is no certificate stops a run with 78 before anything is built; keys check fails it (77)")
    func badCAFile() throws {
        let dir = try TemporaryDirectory("preflight-ca")
        defer { dir.remove() }
        let ca = try dir.write("ca.pem", "not a certificate\n", mode: 0o644)
        let config = try Self.demo(dir, transport: """
                  type: https
                  upload_url: "https://127.0.0.1:1/inbox/{name}"
                  ca_file: \(ca)
                  retries: 0

            """)
        let batches = try Self.sql(dir, "SELECT COUNT(*) FROM outbound_batch")
        let outbound = try Self.run(["outbound", "run", "--config", config, "--as-of", "2099-01-01"])
        #expect(outbound.status == 78, "\(outbound.stdout)\(outbound.stderr)")
        #expect(outbound.stderr.contains("partner acme-collect: https transport ca_file \(ca): "), "\(outbound.stderr)")
        #expect(try Self.sql(dir, "SELECT COUNT(*) FROM outbound_batch") == batches, "no batch built")
        let keys = try Self.run(["keys", "check", "--config", config])
        #expect(keys.status == 77, "\(keys.stdout)\(keys.stderr)")
        #expect(keys.stdout.contains("[FAIL] acme-collect https CA: \(ca)"), "\(keys.stdout)")
    }
}
