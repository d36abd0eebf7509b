/// Settings of an SFTP partner (libcurl with libssh2).
///
/// The server's host key must be pinned, either by its SHA-256 fingerprint or through a
/// known_hosts file: libcurl accepts any host key silently otherwise, so ``validate()`` refuses
/// settings with neither.
public struct SFTPSettings: Sendable {
    /// Server name or address.
    public var host: String
    /// TCP port. Default 22.
    public var port: Int
    /// Login name.
    public var username: String
    /// Path of the client's private key (Ed25519 or ECDSA, OpenSSH or PEM format, mode 600).
    public var privateKeyPath: String
    /// Path of the matching public key; optional (libssh2 derives it from the private key).
    public var publicKeyPath: String?
    /// Where the private key's passphrase comes from, if it has one.
    public var passphrase: TransportSecret?
    /// The server's host key fingerprint: the base64 SHA-256 that `ssh-keygen -lf key.pub -E sha256`
    /// prints, with or without the `SHA256:` prefix.
    public var hostKeySHA256: String?
    /// A known_hosts file holding the server's key (alternative or addition to the fingerprint).
    public var knownHostsPath: String?
    /// Absolute remote folder where deliveries go (the partner's inbox).
    public var inboxPath: String
    /// Absolute remote folder where the partner leaves feedback (their outbox).
    public var outboxPath: String
    /// Absolute remote folder fetched files are moved into; `nil` means fetched files are deleted
    /// even when the caller asks to move them.
    public var processedPath: String?
    /// Which outbox names are fetched and when they are complete.
    public var rules: OutboxRules
    /// Connect timeout (TCP plus SSH handshake). Default 15 s.
    public var connectTimeout: Duration
    /// A transfer slower than ``lowSpeedLimit`` bytes/s for this long is aborted as transient. Default 60 s.
    public var lowSpeedTime: Duration
    /// Bytes per second under which a transfer counts as stalled. Default 1024.
    public var lowSpeedLimit: Int
    /// libcurl upload buffer (`CURLOPT_UPLOAD_BUFFERSIZE`). Default 2 MiB; 64 KiB halves throughput.
    public var uploadBufferSize: Int
    /// Retries of transient failures.
    public var retry: RetryPolicy

    /// Creates SFTP settings; see each property for defaults.
    public init(
        host: String, port: Int = 22, username: String, privateKeyPath: String, publicKeyPath: String? = nil,
        passphrase: TransportSecret? = nil, hostKeySHA256: String? = nil, knownHostsPath: String? = nil,
        inboxPath: String, outboxPath: String, processedPath: String? = nil, rules: OutboxRules,
        connectTimeout: Duration = .seconds(15), lowSpeedTime: Duration = .seconds(60), lowSpeedLimit: Int = 1024,
        uploadBufferSize: Int = 2 << 20, retry: RetryPolicy = RetryPolicy()
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.privateKeyPath = privateKeyPath
        self.publicKeyPath = publicKeyPath
        self.passphrase = passphrase
        self.hostKeySHA256 = hostKeySHA256
        self.knownHostsPath = knownHostsPath
        self.inboxPath = inboxPath
        self.outboxPath = outboxPath
        self.processedPath = processedPath
        self.rules = rules
        self.connectTimeout = connectTimeout
        self.lowSpeedTime = lowSpeedTime
        self.lowSpeedLimit = lowSpeedLimit
        self.uploadBufferSize = uploadBufferSize
        self.retry = retry
    }

    /// The fingerprint without `SHA256:` and without trailing `=`, as libcurl expects it.
    public var normalizedHostKeySHA256: String? {
        guard var pin = hostKeySHA256?.trimmingSpaces() else { return nil }
        if pin.hasPrefix("SHA256:") { pin.removeFirst(7) }
        while pin.hasSuffix("=") { pin.removeLast() }
        return pin
    }

    /// Refuses missing, weak or inconsistent settings.
    ///
    /// - Throws: ``TransportError`` `.config`: no host-key pin and no known_hosts; a malformed pin;
    ///   an RSA or DSA client key (libssh2 signs RSA with SHA-1, which current OpenSSH servers
    ///   refuse); a key file readable by group or others; relative or unsafe remote paths.
    public func validate() throws {
        let prefix = "sftp transport (\(host))"
        guard !host.isEmpty, host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "@") }) else {
            throw TransportError(.config, "sftp transport: host \"\(RemoteName.escape(Array(host.utf8)))\" is not a valid host name or address")
        }
        guard (1...65535).contains(port) else { throw TransportError(.config, "\(prefix): port \(port) is outside 1-65535") }
        guard !username.isEmpty, username.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: "@") && $0 != UInt8(ascii: "/") }) else {
            throw TransportError(.config, "\(prefix): username must be non-empty printable ASCII without ':', '@' or '/'")
        }
        if hostKeySHA256 == nil, knownHostsPath == nil {
            throw TransportError(.config, "\(prefix): no host key pin; set host_key_sha256 to the base64 fingerprint from `ssh-keygen -lf HOSTKEY.pub -E sha256` (or known_hosts), otherwise any server could impersonate the partner")
        }
        if let pin = normalizedHostKeySHA256 {
            guard pin.count == 43, pin.utf8.allSatisfy(Self.isBase64) else {
                throw TransportError(.config, "\(prefix): host_key_sha256 \"\(pin)\" is not a SHA-256 fingerprint (43 base64 characters, as printed by `ssh-keygen -lf HOSTKEY.pub -E sha256`)")
            }
        }
        if let knownHostsPath {
            _ = try LocalFiles.readSmallFile(knownHostsPath, limit: 1 << 20, purpose: "\(prefix) known_hosts")
        }
        _ = try checkClientKey()
        for (key, path) in [("inbox", inboxPath), ("outbox", outboxPath), ("processed", processedPath ?? "/")] {
            try Self.checkRemoteFolder(path, key: key, prefix: prefix)
        }
        if uploadBufferSize < 16 << 10 || uploadBufferSize > 2 << 20 {
            throw TransportError(.config, "\(prefix): upload_buffer_size must be between 16 KiB and 2 MiB (libcurl's limits)")
        }
        if connectTimeout <= .zero || lowSpeedTime <= .zero || lowSpeedLimit < 1 {
            throw TransportError(.config, "\(prefix): timeouts and low_speed_limit must be positive")
        }
        try rules.validate()
        try retry.validate()
    }

    /// Checks the client key file without decrypting it: owner-only, and Ed25519 or ECDSA.
    ///
    /// - Returns: the key's algorithm in words (`Ed25519`, `ECDSA`).
    /// - Throws: ``TransportError`` `.keyPermissions` (exit 77) when group or others may read
    ///   it; `.config` (exit 78) for an RSA or DSA key (libssh2 signs RSA with SHA-1, which
    ///   OpenSSH 8.8 and later refuse) or a file that is not an SSH private key.
    public func checkClientKey() throws -> String {
        let purpose = "sftp transport (\(host)) private_key"
        try LocalFiles.requireOwnerOnly(privateKeyPath, purpose: purpose)
        let keyType = try SSHKeyFile.keyType(privateKeyPath: privateKeyPath, publicKeyPath: publicKeyPath, purpose: purpose)
        try SSHKeyFile.requireSupported(keyType, path: privateKeyPath, purpose: purpose)
        return keyType == .ed25519 ? "Ed25519" : "ECDSA"
    }

    /// Remote folders: absolute, no `..`, characters that need no quoting in URLs or quote commands.
    static func checkRemoteFolder(_ path: String, key: String, prefix: String) throws {
        guard path.hasPrefix("/"), !path.contains("/../"), !path.hasSuffix("/.."),
            path.utf8.allSatisfy({ $0 == UInt8(ascii: "/") || RemoteName.problem([$0]) == nil || $0 == UInt8(ascii: ".") })
        else {
            throw TransportError(.config, "\(prefix): \(key) path \"\(RemoteName.escape(Array(path.utf8)))\" must be absolute and use A-Z a-z 0-9 . _ - + = @ , ~ and / only")
        }
    }

    private static func isBase64(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "+"), UInt8(ascii: "/"):
            true
        default: false
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" || first == "\n" || first == "\r" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\n" || last == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}
