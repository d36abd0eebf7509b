#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// HTTPS transport: delivery by PUT to `NAME.part` then WebDAV `MOVE` with `Overwrite: F`
/// (or a direct PUT when ``HTTPSSettings/atomicRename`` is off), and feedback fetching by GET
/// of a JSON listing and the files, if the partner offers it.
public final class HTTPSTransport: Transport {
    let settings: HTTPSSettings
    private let session: HTTPSSession
    private let screen: OutboxScreen
    private let retrier: Retrier

    /// Creates the transport after validating `settings` (no network traffic yet).
    public init(_ settings: HTTPSSettings) throws {
        try settings.validate()
        self.settings = settings
        session = try HTTPSSession(settings)
        screen = OutboxScreen(rules: settings.rules, pattern: try NamePattern(settings.rules.namePattern))
        retrier = Retrier(policy: settings.retry)
    }

    /// Called before each retry with the attempt number and the error (for logging).
    public var onRetry: ((Int, TransportError) -> Void)? {
        get { retrier.onRetry }
        set { retrier.onRetry = newValue }
    }

    public func deliver(localFile: String, as remoteName: String, progress: ((Int64) -> Void)?) throws -> DeliveryOutcome {
        session.uploadProgress = progress
        defer { session.uploadProgress = nil }
        return try deliver(localFile: localFile, as: remoteName)
    }

    public func deliver(localFile: String, as remoteName: String) throws -> DeliveryOutcome {
        let name = try RemoteName.validated(remoteName, pattern: nil)
        let finalURL = url(settings.uploadURLTemplate, name)
        let fd = try FolderFile.openForReading(localFile, what: "local file \(localFile)")
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw localError(errno, "cannot stat \(localFile)") }
        let size = Int64(info.st_size)

        return try run { [self] in
            if let existing = try session.size(of: finalURL) {
                return try compareExisting(finalURL, remoteSize: existing, fd: fd, localFile: localFile, size: size)
            }
            let target = settings.atomicRename ? url(settings.uploadURLTemplate, name + ".part") : finalURL
            try rewind(fd, localFile)
            let put = try session.send("PUT", target, upload: (fd, size))
            guard (200..<300).contains(put.status) else { throw session.statusError(put, "PUT", target) }
            guard settings.atomicRename else { return .delivered }
            let landed = try session.size(of: target)
            guard landed == size else {
                throw TransportError(.sizeMismatch, "upload of \(localFile) to \(session.redacted(target)) left \(landed.map(String.init) ?? "no") bytes instead of \(size); a later run uploads it again")
            }
            let move = try session.send("MOVE", target, headers: ["Destination: \(finalURL)", "Overwrite: F"])
            if (200..<300).contains(move.status) { return .delivered }
            if move.status == 412, let existing = try session.size(of: finalURL) {
                let outcome = try compareExisting(finalURL, remoteSize: existing, fd: fd, localFile: localFile, size: size)
                _ = try? session.send("DELETE", target)
                return outcome
            }
            throw session.statusError(move, "MOVE", target)
        }
    }

    /// HTTPS has no folders to look at beforehand: the listing reads `list_url` and each
    /// upload and move names its own URL.
    public func checkFolders() throws -> String {
        "no folders to check over HTTPS (the listing reads list_url)"
    }

    public func list() throws -> OutboxListing {
        guard settings.listingURL != nil else { return OutboxListing(files: [], skipped: []) }
        let first = try look()
        if screen.needsSecondLook(first) {
            blockingSleep(settings.rules.stabilityInterval)
            return screen.listing(first: first, second: try look())
        }
        return screen.listing(first: first, second: nil)
    }

    public func fetch(_ file: RemoteFile, to localPath: String) throws {
        let name = try RemoteName.validated(file.name, pattern: nil)
        let source = try fetchURL(name)
        let temporary = LocalFiles.parent(of: localPath) + "/." + LocalFiles.lastComponent(of: localPath) + ".part"
        try run { [self] in
            let fd = try FolderFile.createFresh(temporary, mode: 0o600, what: temporary)
            var closed = false
            defer {
                if !closed { close(fd) }
            }
            do {
                let context = TransferContext(.writeFile(fd, limit: file.size))
                let response = try session.send("GET", source, download: context)
                guard response.status == 200 else { throw session.statusError(response, "GET", source) }
                guard !context.exceeded, context.bytes == file.size else {
                    throw TransportError(.sizeMismatch, "\(session.redacted(source)) had \(context.exceeded ? "more than \(file.size)" : String(context.bytes)) bytes instead of the \(file.size) listed; a later run retries")
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
        let source = try fetchURL(name)
        try run { [self] in
            if disposition == .moveToProcessed, let template = settings.processedURLTemplate {
                let move = try session.send("MOVE", source, headers: ["Destination: \(url(template, name))", "Overwrite: F"])
                if (200..<300).contains(move.status) || move.status == 404 { return }
                if move.status != 412 { throw session.statusError(move, "MOVE", source) }
                // Already in processed (an earlier run's reply was lost): just remove the source.
            }
            let delete = try session.send("DELETE", source)
            guard (200..<300).contains(delete.status) || delete.status == 404 else { throw session.statusError(delete, "DELETE", source) }
        }
        if let suffix = settings.rules.doneMarkerSuffix {
            _ = try? session.send("DELETE", try fetchURL(name + suffix))
        }
    }

    /// Removes a file we delivered (the `transport test` probe).
    func removeDelivered(_ remoteName: String) throws {
        let name = try RemoteName.validated(remoteName, pattern: nil)
        let target = url(settings.uploadURLTemplate, name)
        try run { [self] in
            let response = try session.send("DELETE", target)
            guard (200..<300).contains(response.status) || response.status == 404 else { throw session.statusError(response, "DELETE", target) }
        }
    }

    private func look() throws -> OutboxScreen.Look {
        guard let listingURL = settings.listingURL else { return OutboxScreen.Look() }
        let entries = try run { [self] in
            let context = TransferContext(.collect(limit: 16 << 20))
            let response = try session.send("GET", listingURL, download: context)
            guard response.status == 200 else { throw session.statusError(response, "GET", listingURL) }
            if context.exceeded { throw TransportError(.protocolError, "the listing at \(listingURL) is larger than 16 MiB") }
            return try HTTPSListing.parse(context.collected, url: session.redacted(listingURL))
        }
        return screen.screen(entries)
    }

    private func compareExisting(_ finalURL: String, remoteSize: Int64, fd: Int32, localFile: String, size: Int64) throws -> DeliveryOutcome {
        if remoteSize == size {
            try rewind(fd, localFile)
            let context = TransferContext(.compare(fd))
            let response = try session.send("GET", finalURL, download: context)
            if response.status == 200, !context.differs, context.bytes == size { return .alreadyPresent }
        }
        throw TransportError(.conflict, "\(session.redacted(finalURL)) already exists on the partner's server with different content (\(remoteSize) bytes) than \(localFile) (\(size) bytes); it was not overwritten: resolve it with the partner")
    }

    private func fetchURL(_ name: String) throws -> String {
        if let template = settings.fetchURLTemplate { return url(template, name) }
        guard let listing = settings.listingURL else {
            throw TransportError(.config, "https transport: no listing_url or fetch_url configured, so feedback cannot be fetched over HTTPS")
        }
        return (listing.hasSuffix("/") ? listing : listing + "/") + name
    }

    /// Names are validated to need no percent-encoding.
    private func url(_ template: String, _ name: String) -> String {
        template.replacing("{name}", with: name)
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
}
