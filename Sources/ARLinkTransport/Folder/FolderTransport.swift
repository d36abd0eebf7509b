#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A drop-folder transport: delivers into a local (or mounted) inbox folder and picks up
/// feedback from an outbox folder.
///
/// Every file appears atomically (design section 5): written as `NAME.part` in the same folder,
/// fsynced, linked to its final name (which never overwrites), and the folder fsynced. Symbolic
/// links in the outbox are never followed.
public final class FolderTransport: Transport {
    private let settings: FolderSettings
    private let screen: OutboxScreen

    /// Creates the transport after validating `settings`.
    ///
    /// - Throws: ``TransportError`` `.config` when the settings are invalid.
    public init(_ settings: FolderSettings) throws {
        try settings.validate()
        self.settings = settings
        self.screen = OutboxScreen(rules: settings.rules, pattern: try NamePattern(settings.rules.namePattern))
    }

    public func deliver(localFile: String, as remoteName: String) throws -> DeliveryOutcome {
        let name = try RemoteName.validated(remoteName, pattern: nil)
        let finalPath = settings.inbox + "/" + name
        let partPath = finalPath + ".part"

        let source = try FolderFile.openForReading(localFile, what: "local file \(localFile)")
        defer { close(source) }
        if LocalFiles.lstatInfo(finalPath) != nil {
            let outcome = try FolderFile.compareExisting(finalPath, with: source, localFile: localFile)
            unlink(partPath)  // left behind if an earlier run died between link and unlink
            return outcome
        }
        try FolderFile.copy(from: source, toNew: partPath, mode: 0o640, limit: nil, what: "\(partPath)")
        switch try FolderFile.linkNoReplace(partPath, finalPath) {
        case .linked:
            unlink(partPath)
            try LocalFiles.syncDirectory(settings.inbox)
            return .delivered
        case .exists:
            unlink(partPath)
            guard lseek(source, 0, SEEK_SET) == 0 else { throw localError(errno, "rewinding \(localFile) failed") }
            return try FolderFile.compareExisting(finalPath, with: source, localFile: localFile)
        }
    }

    public func list() throws -> OutboxListing {
        let first = screen.screen(try FolderFile.scan(settings.outbox))
        guard screen.needsSecondLook(first) else { return screen.listing(first: first, second: nil) }
        blockingSleep(settings.rules.stabilityInterval)
        let second = screen.screen(try FolderFile.scan(settings.outbox))
        return screen.listing(first: first, second: second)
    }

    public func fetch(_ file: RemoteFile, to localPath: String) throws {
        let name = try RemoteName.validated(file.name, pattern: nil)
        let remotePath = settings.outbox + "/" + name
        let source = open(remotePath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard source >= 0 else {
            if errno == ELOOP { throw TransportError(.invalidName, "outbox entry \(remotePath) is a symbolic link; not followed") }
            throw localError(errno, "cannot open outbox file \(remotePath)")
        }
        defer { close(source) }
        var info = stat()
        guard fstat(source, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw TransportError(.invalidName, "outbox entry \(remotePath) is not a regular file")
        }
        let temporary = LocalFiles.parent(of: localPath) + "/." + LocalFiles.lastComponent(of: localPath) + ".part"
        // Not fsynced here (see `Transport.fetch`): the caller does it while it opens the copy.
        let copied = try FolderFile.copy(from: source, toNew: temporary, mode: 0o600, limit: file.size, what: temporary, sync: false)
        guard copied == file.size else {
            unlink(temporary)
            throw TransportError(.sizeMismatch, "outbox file \(remotePath) had \(copied) bytes instead of the \(file.size) listed; it changed while being fetched, a later run retries")
        }
        guard rename(temporary, localPath) == 0 else {
            let code = errno
            unlink(temporary)
            throw localError(code, "cannot rename \(temporary) to \(localPath)")
        }
    }

    public func finish(_ file: RemoteFile, disposition: FetchedDisposition) throws {
        let name = try RemoteName.validated(file.name, pattern: nil)
        let remotePath = settings.outbox + "/" + name
        switch disposition {
        case .delete:
            if unlink(remotePath) != 0, errno != ENOENT {
                throw localError(errno, "cannot delete outbox file \(remotePath)")
            }
        case .moveToProcessed:
            guard LocalFiles.lstatInfo(remotePath) != nil else { return }  // finished by an earlier run
            if !LocalFiles.isDirectory(settings.processed), mkdir(settings.processed, 0o750) != 0, errno != EEXIST {
                throw localError(errno, "cannot create processed folder \(settings.processed)")
            }
            try FolderFile.moveNoReplace(remotePath, intoFolder: settings.processed, name: name)
            try LocalFiles.syncDirectory(settings.processed)
        }
        if let suffix = settings.rules.doneMarkerSuffix {
            unlink(remotePath + suffix)
        }
        try LocalFiles.syncDirectory(settings.outbox)
    }

    /// Removes a file we delivered (the `transport test` probe).
    func removeDelivered(_ remoteName: String) throws {
        let name = try RemoteName.validated(remoteName, pattern: nil)
        if unlink(settings.inbox + "/" + name) != 0, errno != ENOENT {
            throw localError(errno, "cannot remove \(settings.inbox)/\(name)")
        }
    }
}
