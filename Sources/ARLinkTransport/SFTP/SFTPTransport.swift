#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SFTP transport through libcurl with libssh2, one connection for the whole run.
///
/// Deliveries are uploaded to `NAME.part`, size-checked, and renamed with an absolute-path quote
/// command. SFTP rename never overwrites: when the final name exists, its content is compared
/// byte for byte with the local file (same = `.alreadyPresent`, different = `.conflict`).
/// Transient failures are retried per ``RetryPolicy``; trust failures never are.
public final class SFTPTransport: Transport {
    let settings: SFTPSettings
    private let session: SFTPSession
    private let screen: OutboxScreen
    private let retrier: Retrier

    /// Creates the transport after validating `settings` (no network traffic yet).
    ///
    /// - Throws: ``TransportError`` `.config` for missing or weak settings.
    public init(_ settings: SFTPSettings) throws {
        try settings.validate()
        self.settings = settings
        session = try SFTPSession(settings)
        screen = OutboxScreen(rules: settings.rules, pattern: try NamePattern(settings.rules.namePattern))
        retrier = Retrier(policy: settings.retry)
    }

    /// Called before each retry with the attempt number and the error (for logging).
    public var onRetry: ((Int, TransportError) -> Void)? {
        get { retrier.onRetry }
        set { retrier.onRetry = newValue }
    }

    /// SSH connections opened so far in this run (1 when all operations shared one).
    public var connectionsOpened: Int { session.connectionsOpened }

    public func deliver(localFile: String, as remoteName: String, progress: ((Int64) -> Void)?) throws -> DeliveryOutcome {
        session.uploadProgress = progress
        defer { session.uploadProgress = nil }
        return try deliver(localFile: localFile, as: remoteName)
    }

    public func deliver(localFile: String, as remoteName: String) throws -> DeliveryOutcome {
        let name = try RemoteName.validated(remoteName, pattern: nil)
        let finalPath = settings.inboxPath + "/" + name
        let partPath = finalPath + ".part"
        let fd = try FolderFile.openForReading(localFile, what: "local file \(localFile)")
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw localError(errno, "cannot stat \(localFile)") }
        let size = Int64(info.st_size)

        return try run { [self] in
            if let existing = try session.size(of: finalPath) {
                return try compareExisting(finalPath, remoteSize: existing, fd: fd, localFile: localFile, size: size)
            }
            try rewind(fd, localFile)
            let sent = try session.upload(from: fd, size: size, to: partPath)
            let landed = try session.size(of: partPath)
            guard sent == size, landed == size else {
                throw TransportError(.sizeMismatch, "upload of \(localFile) to \(partPath) left \(landed.map(String.init) ?? "no") bytes instead of \(size); a later run uploads it again")
            }
            do {
                try session.quote(["rename \(quoted(partPath)) \(quoted(finalPath))"], in: settings.inboxPath)
                return .delivered
            } catch let error as TransportError where !error.isTransient {
                // SFTP rename cannot overwrite: perhaps the final name appeared meanwhile.
                guard let existing = try session.size(of: finalPath) else { throw error }
                let outcome = try compareExisting(finalPath, remoteSize: existing, fd: fd, localFile: localFile, size: size)
                try? session.quote(["*rm \(quoted(partPath))"], in: settings.inboxPath)
                return outcome
            }
        }
    }

    public func list() throws -> OutboxListing {
        let first = try look()
        let listing: OutboxListing
        if screen.needsSecondLook(first) {
            blockingSleep(settings.rules.stabilityInterval)
            listing = screen.listing(first: first, second: try look())
        } else {
            listing = screen.listing(first: first, second: nil)
        }
        // Confirm each file by name: a crafted name with a newline could fake a listing line.
        var files: [RemoteFile] = []
        var skipped = listing.skipped
        for file in listing.files {
            let size = try run { [self] in try session.size(of: settings.outboxPath + "/" + file.name) }
            if size == file.size {
                files.append(file)
            } else {
                skipped.append(SkippedName(escapedName: file.name, reason: size == nil ? "was listed but cannot be opened by that name" : "changed size while listing; a later run fetches it"))
            }
        }
        return OutboxListing(files: files, skipped: skipped)
    }

    public func fetch(_ file: RemoteFile, to localPath: String) throws {
        let name = try RemoteName.validated(file.name, pattern: nil)
        let remotePath = settings.outboxPath + "/" + name
        let temporary = LocalFiles.parent(of: localPath) + "/." + LocalFiles.lastComponent(of: localPath) + ".part"
        try run { [self] in
            let fd = try FolderFile.createFresh(temporary, mode: 0o600, what: temporary)
            var closed = false
            defer {
                if !closed { close(fd) }
            }
            do {
                let context = TransferContext(.writeFile(fd, limit: file.size))
                try session.download(remotePath, into: context)
                guard !context.exceeded, context.bytes == file.size else {
                    throw TransportError(.sizeMismatch, "\(remotePath) had \(context.exceeded ? "more than \(file.size)" : String(context.bytes)) bytes instead of the \(file.size) listed; it changed while being fetched, a later run retries")
                }
                try LocalFiles.sync(fd, temporary)
                closed = true
                guard close(fd) == 0 else { throw localError(errno, "closing \(temporary) failed") }
                guard rename(temporary, localPath) == 0 else { throw localError(errno, "cannot rename \(temporary) to \(localPath)") }
            } catch {
                unlink(temporary)
                throw error
            }
        }
        try LocalFiles.syncDirectory(LocalFiles.parent(of: localPath))
    }

    public func finish(_ file: RemoteFile, disposition: FetchedDisposition) throws {
        let name = try RemoteName.validated(file.name, pattern: nil)
        let remotePath = settings.outboxPath + "/" + name
        var commands: [String]
        if disposition == .moveToProcessed, let processed = settings.processedPath {
            commands = ["rename \(quoted(remotePath)) \(quoted(processed + "/" + name))"]
        } else {
            commands = ["rm \(quoted(remotePath))"]
        }
        if let suffix = settings.rules.doneMarkerSuffix {
            commands.append("*rm \(quoted(remotePath + suffix))")
        }
        try run { [self] in
            do {
                try session.quote(commands, in: settings.outboxPath)
            } catch let error as TransportError where !error.isTransient {
                // Already finished by an earlier run whose reply was lost?
                if try session.size(of: remotePath) == nil { return }
                // SFTP rename cannot overwrite: a same-named file already in processed/ gets a
                // second copy beside it under a time-stamped name.
                guard disposition == .moveToProcessed, let processed = settings.processedPath,
                    try session.size(of: processed + "/" + name) != nil
                else { throw error }
                try session.quote(["rename \(quoted(remotePath)) \(quoted(processed + "/" + name + ".\(time(nil))"))"] + commands.dropFirst(), in: settings.outboxPath)
            }
        }
    }

    /// Checks each folder by its attributes (an `SFTP stat` through libcurl), which a
    /// write-only inbox allows too.
    public func checkFolders() throws -> String {
        var folders = [(key: "inbox_path", path: settings.inboxPath), (key: "outbox_path", path: settings.outboxPath)]
        if let processed = settings.processedPath { folders.append((key: "processed_path", path: processed)) }
        var missing: [(key: String, path: String)] = []
        for folder in folders where try run({ [self] in try session.size(of: folder.path) }) == nil {
            missing.append(folder)
        }
        guard missing.isEmpty else { throw missingFoldersError(missing, where: "sftp://\(settings.host):\(settings.port)") }
        return folders.map { "\($0.key) \($0.path)" }.joined(separator: ", ") + " exist"
    }

    /// Removes a file we delivered (the `transport test` probe).
    func removeDelivered(_ remoteName: String) throws {
        let name = try RemoteName.validated(remoteName, pattern: nil)
        try run { [self] in try session.quote(["rm \(quoted(settings.inboxPath + "/" + name))"], in: settings.inboxPath) }
    }

    /// One look at the outbox: parsed listing, screened.
    private func look() throws -> OutboxScreen.Look {
        let raw = try run { [self] in try session.longListing(of: settings.outboxPath) }
        let parsed = SFTPListing.parse(raw)
        var look = screen.screen(parsed.entries)
        look.skipped.append(contentsOf: parsed.skipped)
        return look
    }

    private func compareExisting(_ finalPath: String, remoteSize: Int64, fd: Int32, localFile: String, size: Int64) throws -> DeliveryOutcome {
        if remoteSize == size {
            try rewind(fd, localFile)
            let context = TransferContext(.compare(fd))
            try session.download(finalPath, into: context)
            if !context.differs, context.bytes == size { return .alreadyPresent }
        }
        throw TransportError(.conflict, "\(finalPath) already exists on the partner's server with different content (\(remoteSize) bytes) than \(localFile) (\(size) bytes); SFTP cannot overwrite it and arlink will not: resolve it with the partner")
    }

    private func rewind(_ fd: Int32, _ localFile: String) throws {
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw localError(errno, "rewinding \(localFile) failed") }
    }

    private func run<T>(_ body: () throws -> T) throws -> T {
        retrier.everConnected = session.connected
        return try retrier.run {
            defer { retrier.everConnected = session.connected }
            return try body()
        }
    }

    /// Paths are validated to need no escaping; the quotes keep libcurl's parser exact.
    private func quoted(_ path: String) -> String { "\"\(path)\"" }
}
