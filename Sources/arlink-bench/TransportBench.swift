import ARLinkTransport
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `arlink-bench transport`: uploads a large file over SFTP to a loopback OpenSSH `sshd` with
/// arlink (libcurl/libssh2, 2 MiB upload buffer, `.part` then rename) and with OpenSSH's own
/// `sftp` client, in the same run. Bar (design section 7): arlink at least the `sftp` client's
/// throughput. Needs root (sshd) and Debian's openssh-server and openssh-client.
struct TransportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "SFTP upload to a loopback sshd: arlink versus OpenSSH's sftp client (MB/s, ratio)."
    )

    @Option(help: "File size in MB (10^6 bytes).") var sizeMb = 200
    @Option(help: "Runs of each measurement; the best is reported.") var runs = 3
    @Option(help: "Work folder (a temporary folder by default, removed afterwards).") var dir: String?

    func run() throws {
        let folder = dir ?? (NSTemporaryDirectory() + "arlink-transportbench-\(getpid())")
        try FileManager.default.createDirectory(atPath: folder + "/remote", withIntermediateDirectories: true)
        defer { if dir == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let bytes = sizeMb * 1_000_000
        try BenchSSHD.writePayload(folder + "/payload.bin", size: bytes)
        let server = try BenchSSHD.start(folder)
        defer { server.stop() }
        print("transport benchmark: SFTP upload of \(sizeMb) MB to OpenSSH sshd on 127.0.0.1:\(server.port), best of \(runs) runs (connection set-up included)")

        let settings = SFTPSettings(
            host: "127.0.0.1", port: server.port, username: server.user, privateKeyPath: folder + "/client_ed25519",
            hostKeySHA256: server.fingerprint, inboxPath: folder + "/remote", outboxPath: folder + "/remote",
            rules: OutboxRules(namePattern: "^$"), retry: .none)
        var arlinkBest = Double.infinity
        var sftpBest = Double.infinity
        for run in 0..<runs {
            // Alternate the order so neither side always gets the warmer page cache.
            let order = run % 2 == 0 ? ["arlink", "sftp"] : ["sftp", "arlink"]
            for side in order {
                try? FileManager.default.removeItem(atPath: folder + "/remote/\(side).bin")
                let start = DispatchTime.now()
                if side == "arlink" {
                    let transport = try SFTPTransport(settings)
                    guard try transport.deliver(localFile: folder + "/payload.bin", as: "arlink.bin") == .delivered else {
                        throw ValidationError("arlink upload reported the file as already present")
                    }
                } else {
                    try BenchSSHD.sftpPut(folder, port: server.port, user: server.user, local: folder + "/payload.bin", remote: folder + "/remote/sftp.bin")
                }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
                let size = (try FileManager.default.attributesOfItem(atPath: folder + "/remote/\(side).bin")[.size] as? Int) ?? -1
                guard size == bytes else { throw ValidationError("\(side) upload produced \(size) bytes instead of \(bytes)") }
                if side == "arlink" { arlinkBest = min(arlinkBest, seconds) } else { sftpBest = min(sftpBest, seconds) }
            }
        }
        func row(_ name: String, _ seconds: Double) -> String {
            name.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%7.3f s  %7.1f MB/s", seconds, Double(bytes) / 1e6 / seconds)
        }
        print(row("arlink (libcurl/libssh2)", arlinkBest))
        print(row("OpenSSH sftp put", sftpBest))
        let ratio = sftpBest / arlinkBest
        print(String(format: "ratio arlink / sftp: %.2f  (bar: >= 1.00) %@", ratio, ratio >= 1 ? "PASS" : "FAIL"))
    }
}

/// A throwaway sshd for the benchmark: own host and client keys, started with posix_spawn and
/// stopped by its process id.
struct BenchSSHD {
    let pid: pid_t
    let port: Int
    let user: String
    let fingerprint: String

    static func start(_ folder: String) throws -> BenchSSHD {
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        for name in ["host_ed25519", "client_ed25519"] {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
            try? FileManager.default.removeItem(atPath: folder + "/" + name + ".pub")
            try shell("ssh-keygen -q -t ed25519 -N '' -f '\(folder)/\(name)'")
        }
        try FileManager.default.copyItem(atPath: folder + "/client_ed25519.pub", toPath: folder + "/authorized_keys")
        let fingerprint = try output("ssh-keygen -l -E sha256 -f '\(folder)/host_ed25519.pub' | awk '{print $2}' | sed 's/^SHA256://'")
        let user = ProcessInfo.processInfo.environment["USER"] ?? "root"
        for _ in 0..<5 {
            let port = Int.random(in: 20_000...60_000)
            let config = """
                ListenAddress 127.0.0.1
                Port \(port)
                HostKey \(folder)/host_ed25519
                PidFile \(folder)/sshd.pid
                AuthorizedKeysFile \(folder)/authorized_keys
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes no
                Subsystem sftp internal-sftp

                """
            try config.write(toFile: folder + "/sshd_config", atomically: true, encoding: .utf8)
            let arguments: [String] = ["/usr/sbin/sshd", "-D", "-e", "-f", folder + "/sshd_config"]
            let pid: pid_t
            do {
                pid = try Child.spawn(arguments, standardError: folder + "/sshd.log")
            } catch {
                throw ValidationError("cannot start /usr/sbin/sshd (is openssh-server installed?)")
            }
            let server = BenchSSHD(pid: pid, port: port, user: user, fingerprint: fingerprint)
            for _ in 0..<250 {
                var status: Int32 = 0
                if unsafe waitpid(pid, &status, WNOHANG) == pid { break }
                if (try? output("exec 3<>/dev/tcp/127.0.0.1/\(port) && echo open")) == "open" { return server }
                usleep(20_000)
            }
            server.stop()
        }
        throw ValidationError("sshd did not start; see \(folder)/sshd.log")
    }

    func stop() {
        kill(pid, SIGTERM)
        _ = Child.wait(pid)
    }

    static func sftpPut(_ folder: String, port: Int, user: String, local: String, remote: String) throws {
        try shell("printf 'put %s %s\\n' '\(local)' '\(remote)' | sftp -q -b - -i '\(folder)/client_ed25519' -P \(port)"
            + " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \(user)@127.0.0.1 >/dev/null")
    }

    /// A file of `size` bytes: a 1 MiB random block repeated, each copy tagged (no sparse or zero pages).
    static func writePayload(_ path: String, size: Int) throws {
        var block = [UInt8](repeating: 0, count: 1 << 20)
        var generator = SystemRandomNumberGenerator()
        for index in block.indices { block[index] = UInt8.random(in: 0...255, using: &generator) }
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw ValidationError("cannot create \(path)") }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var written = 0
        var tag: UInt8 = 0
        while written < size {
            block[0] = tag
            tag &+= 1
            let count = min(block.count, size - written)
            try handle.write(contentsOf: block[0..<count])
            written += count
        }
    }

    @discardableResult
    static func shell(_ script: String) throws -> Int32 {
        let arguments: [String] = ["/bin/bash", "-c", script]
        let status = Child.wait(try Child.spawn(arguments))
        guard status == 0 else { throw ValidationError("command failed (status \(status)): \(script)") }
        return status
    }

    static func output(_ script: String) throws -> String {
        let path = NSTemporaryDirectory() + "arlink-bench-out-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try shell("( \(script) ) > '\(path)' 2>/dev/null")
        return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
