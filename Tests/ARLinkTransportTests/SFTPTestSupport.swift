import ARLinkTestSupport
import ARLinkTransport
import Foundation

/// Remote folders inside an ``SSHServer``'s folder, and settings pointing at them.
struct SFTPFixture {
    let server: SSHServer
    let inbox: String
    let outbox: String
    let processed: String

    static let pattern = #"ACME_[A-Z]+_feedback_\d{8}_\d{6}\.jsonl\.p7m"#

    init(readOnly: Bool = false, extraAuthorizedKeys: [String] = [], dataRoot: String? = nil) throws {
        server = try SSHServer.start(readOnly: readOnly, extraAuthorizedKeys: extraAuthorizedKeys)
        let root = dataRoot ?? server.folder.path
        inbox = root + "/inbox"
        outbox = root + "/outbox"
        processed = root + "/processed"
        for folder in [inbox, outbox, processed] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
    }

    func settings(
        pin: String?? = .none, key: String? = nil, passphrase: TransportSecret? = nil, knownHosts: String? = nil,
        interval: Duration = .zero, marker: String? = nil, retry: RetryPolicy = RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(50), maxDelay: .milliseconds(100))
    ) -> SFTPSettings {
        let hostPin: String? = pin ?? server.hostKeySHA256
        return SFTPSettings(
            host: "127.0.0.1", port: server.port, username: server.username, privateKeyPath: key ?? server.clientKeyPath,
            passphrase: passphrase, hostKeySHA256: hostPin, knownHostsPath: knownHosts, inboxPath: inbox, outboxPath: outbox,
            processedPath: processed, rules: OutboxRules(namePattern: Self.pattern, stabilityInterval: interval, doneMarkerSuffix: marker),
            connectTimeout: .seconds(5), lowSpeedTime: .seconds(10), retry: retry)
    }

    func transport(_ settings: SFTPSettings? = nil) throws -> SFTPTransport {
        try SFTPTransport(settings ?? self.settings())
    }

    func stop() { server.stop() }
}

/// A file of `size` pseudo-random bytes in `folder` (a 1 MiB random block, each copy tagged with its index).
func makePayload(_ folder: TransportTestFolder, _ name: String, size: Int, seed: UInt8 = 7) throws -> String {
    var block = [UInt8](repeating: 0, count: min(size, 1 << 20))
    var state: UInt32 = 2_463_534_242 &+ UInt32(seed)
    for index in block.indices {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        block[index] = UInt8(truncatingIfNeeded: state)
    }
    let path = folder.appending(name)
    FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var written = 0
    var copy: UInt8 = 0
    while written < size {
        block[0] = copy
        copy &+= 1
        let count = min(block.count, size - written)
        handle.write(Data(block[0..<count]))
        written += count
    }
    return path
}

/// Generates a client key with ssh-keygen; returns the private key path (mode 600).
func makeClientKey(_ folder: TransportTestFolder, type: String, bits: String? = nil, passphrase: String = "") throws -> String {
    let path = folder.appending("client_\(type)")
    var arguments = ["-q", "-t", type, "-N", passphrase, "-C", "arlink-test", "-f", path]
    if let bits { arguments += ["-b", bits] }
    try TransportProcess.check("/usr/bin/ssh-keygen", arguments)
    return path
}

/// A thread-safe box for results produced on another thread.
final class ResultBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T?
    func set(_ newValue: T) {
        lock.lock()
        value = newValue
        lock.unlock()
    }
    func get() -> T? {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
