internal import CCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SFTP operations arlink needs, each one libcurl transfer on a single reused handle.
///
/// Every transfer is hardened the same way in ``prepare(url:)``: protocols limited to `sftp`,
/// `NOSIGNAL`, public-key authentication only, the host key pinned, timeouts set.
final class SFTPSession {
    /// Called with the bytes sent so far during an upload (``Transport/deliver(localFile:as:progress:)``).
    var uploadProgress: ((Int64) -> Void)?
    let settings: SFTPSettings
    private let easy: CurlEasy
    private var passphrase: [CChar]?
    private let base: String
    /// Set when a transfer succeeded (the partner was reachable at least once this run).
    private(set) var connected = false
    /// Connections opened so far (1 when every operation reused the first).
    private(set) var connectionsOpened = 0

    init(_ settings: SFTPSettings) throws {
        self.settings = settings
        easy = try CurlEasy()
        if let secret = settings.passphrase {
            passphrase = Array(try secret.read(purpose: "sftp transport (\(settings.host)) passphrase").utf8CString)
        }
        let host = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
        base = "sftp://\(host):\(settings.port)"
    }

    deinit {
        if passphrase != nil {
            passphrase!.withUnsafeMutableBufferPointer { buffer in
                for index in buffer.indices { buffer[index] = 0 }
            }
        }
    }

    /// Resets the handle (keeping the connection) and applies the hardened base options.
    private func prepare(url path: String) throws {
        try easy.reset()
        try easy.set(CURLOPT_URL, base + path)
        try easy.set(CURLOPT_PROTOCOLS_STR, "sftp")
        try easy.set(CURLOPT_NOSIGNAL, true)
        try easy.set(CURLOPT_USERNAME, settings.username)
        try easy.set(CURLOPT_SSH_AUTH_TYPES, Int(CURLSSH_AUTH_PUBLICKEY))
        try easy.set(CURLOPT_SSH_PRIVATE_KEYFILE, settings.privateKeyPath)
        if let publicKey = settings.publicKeyPath { try easy.set(CURLOPT_SSH_PUBLIC_KEYFILE, publicKey) }
        if let passphrase { try easy.set(CURLOPT_KEYPASSWD, secret: passphrase) }
        if let pin = settings.normalizedHostKeySHA256 { try easy.set(CURLOPT_SSH_HOST_PUBLIC_KEY_SHA256, pin) }
        if let knownHosts = settings.knownHostsPath { try easy.set(CURLOPT_SSH_KNOWNHOSTS, knownHosts) }
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(settings.connectTimeout))
        try easy.set(CURLOPT_LOW_SPEED_LIMIT, settings.lowSpeedLimit)
        try easy.set(CURLOPT_LOW_SPEED_TIME, max(1, Int(settings.lowSpeedTime.components.seconds)))
    }

    private func run(_ operation: String, _ target: String, _ context: TransferContext? = nil) -> CurlEasy.Outcome {
        let outcome = easy.perform()
        connectionsOpened += easy.newConnections
        if outcome.ok || (outcome.code != CURLE_COULDNT_CONNECT && outcome.code != CURLE_COULDNT_RESOLVE_HOST && easy.newConnections > 0) {
            connected = true
        }
        return outcome
    }

    private func failure(_ outcome: CurlEasy.Outcome, _ operation: String, _ target: String, _ context: TransferContext? = nil) -> TransportError {
        CurlFailure.error(outcome, flavour: .sftp, operation: operation, target: "sftp://\(settings.host):\(settings.port)\(target)", context: context, knownHosts: settings.knownHostsPath != nil)
    }

    /// The size of a remote file, or `nil` when it does not exist.
    func size(of path: String) throws -> Int64? {
        try prepare(url: path)
        try easy.set(CURLOPT_NOBODY, true)
        let outcome = run("stat", path)
        if outcome.code == CURLE_REMOTE_FILE_NOT_FOUND { return nil }
        guard outcome.ok else { throw failure(outcome, "checking", path) }
        let length = easy.contentLength
        guard length >= 0 else { throw TransportError(.protocolError, "the server did not report the size of \(path)") }
        return length
    }

    /// Uploads `size` bytes from `fd` (from its current offset) to `path`, creating or truncating it.
    /// Returns the bytes sent.
    func upload(from fd: Int32, size: Int64, to path: String) throws -> Int64 {
        try prepare(url: path)
        let context = TransferContext(.readFile(fd))
        context.onRead = uploadProgress
        try easy.set(CURLOPT_UPLOAD, true)
        try easy.set(CURLOPT_INFILESIZE_LARGE, offset: size)
        try easy.set(CURLOPT_UPLOAD_BUFFERSIZE, settings.uploadBufferSize)
        try easy.set(CURLOPT_READFUNCTION, callback: TransferContext.readCallback)
        try easy.set(CURLOPT_READDATA, pointer: context.userData)
        let outcome = withExtendedLifetime(context) { run("upload", path, context) }
        guard outcome.ok else { throw failure(outcome, "uploading to", path, context) }
        return context.bytes
    }

    /// Downloads `path` through `context` (into a file, memory, or a comparison).
    func download(_ path: String, into context: TransferContext) throws {
        try prepare(url: path)
        try easy.set(CURLOPT_WRITEFUNCTION, callback: TransferContext.writeCallback)
        try easy.set(CURLOPT_WRITEDATA, pointer: context.userData)
        let outcome = withExtendedLifetime(context) { run("download", path, context) }
        if outcome.ok { return }
        if context.exceeded || context.differs { return }  // the caller inspects the context
        throw failure(outcome, "downloading", path, context)
    }

    /// The long (`ls -l` style) listing of a remote folder, as raw bytes.
    func longListing(of folder: String, limit: Int = 16 << 20) throws -> [UInt8] {
        let context = TransferContext(.collect(limit: limit))
        try download(folder.hasSuffix("/") ? folder : folder + "/", into: context)
        if context.exceeded {
            throw TransportError(.protocolError, "the listing of \(folder) is larger than \(limit) bytes; ask the partner to clean up the folder")
        }
        return context.collected
    }

    /// Runs SFTP quote commands (`rename`, `rm`...) with absolute paths, transferring nothing.
    ///
    /// A command starting with `*` may fail without failing the others (libcurl's syntax).
    func quote(_ commands: [String], in folder: String) throws {
        try prepare(url: folder.hasSuffix("/") ? folder : folder + "/")
        try easy.set(CURLOPT_NOBODY, true)
        try easy.set(CURLOPT_QUOTE, list: commands)
        let outcome = run("quote", folder)
        guard outcome.ok else {
            // Name the commands themselves (their paths are validated), not the folder they ran in.
            throw CurlFailure.error(outcome, flavour: .sftp, operation: "SFTP command",
                                    target: commands.joined(separator: "; ") + " on sftp://\(settings.host):\(settings.port)",
                                    knownHosts: settings.knownHostsPath != nil)
        }
    }

    private func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
