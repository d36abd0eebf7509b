import Foundation

/// A real OpenSSH `sshd` on an ephemeral loopback port, for SFTP tests and benchmarks.
///
/// It has its own Ed25519 host key, authorises one Ed25519 client key (also generated), serves
/// `internal-sftp`, and logs to `sshd.log` in its folder. Call ``stop()`` in a `defer`: it ends the
/// server and its per-connection children by process id. Needs root (or the current user's
/// login) and `/usr/sbin/sshd` from Debian's `openssh-server`.
public final class SSHServer: @unchecked Sendable {
    /// The folder holding keys, config and log; test data can go in subfolders too.
    public let folder: TransportTestFolder
    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// Login name (the current user).
    public let username: String
    /// Base64 SHA-256 fingerprint of the host key, without `SHA256:`.
    public let hostKeySHA256: String
    /// Path of the host's public key.
    public let hostPublicKeyPath: String
    /// Path of the authorised client private key (Ed25519, mode 600, no passphrase).
    public let clientKeyPath: String
    /// The server's process id.
    public let pid: Int32
    private let lock = NSLock()
    private var stopped = false

    /// Where the sshd binary is.
    public static let sshdPath = "/usr/sbin/sshd"

    /// Whether sshd and ssh-keygen are installed (tests should still run: CI installs them).
    public static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: sshdPath) && FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen")
    }

    /// Generates keys and starts `sshd -D`; retries with another port if the first is taken.
    ///
    /// - Parameters:
    ///   - readOnly: serve `internal-sftp -R`, so every write is refused with SSH_FX_PERMISSION_DENIED.
    ///   - extraAuthorizedKeys: more public key lines to authorise (for passphrase or ECDSA keys).
    public static func start(label: String = "sshd", readOnly: Bool = false, extraAuthorizedKeys: [String] = []) throws -> SSHServer {
        let folder = try TransportTestFolder(label)
        do {
            return try start(in: folder, readOnly: readOnly, extraAuthorizedKeys: extraAuthorizedKeys)
        } catch {
            folder.remove()
            throw error
        }
    }

    private static func start(in folder: TransportTestFolder, readOnly: Bool, extraAuthorizedKeys: [String]) throws -> SSHServer {
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let hostKey = folder.appending("host_ed25519")
        let clientKey = folder.appending("client_ed25519")
        try TransportProcess.check("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "arlink-test-host", "-f", hostKey])
        try TransportProcess.check("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "arlink-test-client", "-f", clientKey])
        let fingerprint = try fingerprintSHA256(ofPublicKey: hostKey + ".pub")
        let clientPublic = try String(contentsOfFile: clientKey + ".pub", encoding: .utf8)
        try folder.write("authorized_keys", text: ([clientPublic.trimmingCharacters(in: .whitespacesAndNewlines)] + extraAuthorizedKeys).joined(separator: "\n") + "\n", mode: 0o600)
        let username = ProcessInfo.processInfo.environment["USER"] ?? NSUserName()

        var lastError = ""
        for _ in 0..<5 {
            let port = try TransportProcess.freePort()
            let config = """
                ListenAddress 127.0.0.1
                Port \(port)
                HostKey \(hostKey)
                PidFile \(folder.appending("sshd.pid"))
                AuthorizedKeysFile \(folder.appending("authorized_keys"))
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                UsePAM no
                StrictModes no
                LogLevel VERBOSE
                MaxStartups 100
                Subsystem sftp internal-sftp\(readOnly ? " -R" : "")

                """
            let configPath = try folder.write("sshd_config", text: config, mode: 0o600)
            let pid = try TransportProcess.spawnServer(sshdPath, ["-D", "-e", "-f", configPath], logPath: folder.appending("sshd.log"))
            if TransportProcess.waitUntilListening(port, pid: pid) {
                return SSHServer(folder: folder, port: port, username: username, hostKeySHA256: fingerprint, hostPublicKeyPath: hostKey + ".pub", clientKeyPath: clientKey, pid: pid)
            }
            TransportProcess.stopServer(pid, signal: SIGKILL)
            lastError = (try? String(contentsOfFile: folder.appending("sshd.log"), encoding: .utf8)) ?? ""
        }
        throw TransportTestError("sshd did not start: \(lastError)")
    }

    private init(folder: TransportTestFolder, port: Int, username: String, hostKeySHA256: String, hostPublicKeyPath: String, clientKeyPath: String, pid: Int32) {
        self.folder = folder
        self.port = port
        self.username = username
        self.hostKeySHA256 = hostKeySHA256
        self.hostPublicKeyPath = hostPublicKeyPath
        self.clientKeyPath = clientKeyPath
        self.pid = pid
    }

    /// The base64 SHA-256 fingerprint (without `SHA256:`) of a public key file, via `ssh-keygen -lf`.
    public static func fingerprintSHA256(ofPublicKey path: String) throws -> String {
        let output = try TransportProcess.check("/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", path]).stdout
        let fields = output.split(separator: " ")
        guard fields.count >= 2, fields[1].hasPrefix("SHA256:") else { throw TransportTestError("unexpected ssh-keygen output: \(output)") }
        return String(fields[1].dropFirst(7))
    }

    /// Kills the server's per-connection children (open sessions) at once, like a crash mid-transfer;
    /// with `listenerToo`, the listening server as well.
    public func killSessions(listenerToo: Bool) {
        for child in TransportProcess.descendants(of: pid) { kill(child, SIGKILL) }
        if listenerToo {
            lock.lock()
            defer { lock.unlock() }
            if !stopped {
                stopped = true
                TransportProcess.stopServer(pid, signal: SIGKILL)
            }
        }
    }

    /// The server log so far (for failure messages).
    public var log: String {
        (try? String(contentsOfFile: folder.appending("sshd.log"), encoding: .utf8)) ?? ""
    }

    /// Stops the server and its sessions and removes its folder.
    public func stop() {
        lock.lock()
        if !stopped {
            stopped = true
            TransportProcess.stopServer(pid)
        }
        lock.unlock()
        folder.remove()
    }
}
