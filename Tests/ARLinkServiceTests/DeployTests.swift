import ARLinkTestSupport
import Foundation
import Testing

/// The shipped systemd units pass `systemd-analyze verify`, and keep their hardening.
@Suite("deploy/systemd units")
struct DeployTests {
    static let units = ["arlink.service", "arlink-outbound.service", "arlink-inbound.service", "arlink-outbound.timer", "arlink-inbound.timer"]

    static var analyzeAvailable: Bool { ProcessRunner.has("systemd-analyze") }

    /// Copies the units into a folder with ExecStart pointing at the built arlink (verify checks the program exists).
    static func stage(_ dir: TemporaryDirectory) throws {
        for unit in units {
            let text = try String(contentsOfFile: RepositoryPaths.root + "/deploy/systemd/" + unit, encoding: .utf8)
            _ = try dir.write(unit, text.replacingOccurrences(of: "/usr/local/bin/arlink", with: RepositoryPaths.arlinkExecutable), mode: 0o644)
        }
    }

    @Test("systemd-analyze verify finds nothing to say about the units", .enabled(if: analyzeAvailable, "systemd-analyze is not installed (apt-get install systemd; scripts/setup.sh does)"))
    func verify() throws {
        let dir = try TemporaryDirectory("units")
        defer { dir.remove() }
        try Self.stage(dir)
        let result = try ProcessRunner.run("systemd-analyze", ["verify", "--man=no"] + Self.units.map { dir.file($0) }, currentDirectory: dir.path, timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.isEmpty && result.stdout.isEmpty, "\(result.stdout)\(result.stderr)")
        // The check can fail: a misspelt directive and a bad boolean are reported.
        _ = try dir.write("broken.service", "[Service]\nExecStart=\(RepositoryPaths.arlinkExecutable) serve\nProtectSystm=strict\nNoNewPrivileges=maybe\n", mode: 0o644)
        let broken = try ProcessRunner.run("systemd-analyze", ["verify", "--man=no", dir.file("broken.service")], currentDirectory: dir.path, timeout: 60)
        #expect(broken.stderr.contains("ProtectSystm") && broken.stderr.contains("maybe"), "\(broken.stderr)")
    }

    @Test("the service unit is hardened: its own user, a read-only system, no capabilities, no new privileges")
    func hardening() throws {
        let text = try String(contentsOfFile: RepositoryPaths.root + "/deploy/systemd/arlink.service", encoding: .utf8)
        let lines = Set(text.split(separator: "\n").map(String.init))
        for directive in ["User=arlink", "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "CapabilityBoundingSet=",
                          "ExecReload=/bin/kill -HUP $MAINPID", "KillSignal=SIGTERM"] {
            #expect(lines.contains(directive), "\(directive) missing")
        }
        #expect(lines.contains { $0.hasPrefix("ReadWritePaths=") })
        #expect(text.contains("ExecStart=/usr/local/bin/arlink serve --config "))
    }
}
