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
/// links in the outbox are never followed, and no path the partner controls is opened
/// without `O_NONBLOCK`: a FIFO or device in the partner's folders is refused, never waited on.
///
/// A file is fetched, and later moved to processed, only while its size and modification
/// time are those of the listing; otherwise it stays in the outbox for a later run
/// (``TransportError/Code-swift.struct/changed``).
public final class FolderTransport: Transport {
    private let settings: FolderSettings
    private let screen: OutboxScreen
    /// Size and modification time of each file the last ``list()`` offered.
    private var listed: [String: (size: Int64, modified: Int64?)] = [:]

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

    /// The inbox and outbox must be folders; the processed folder is created when the first
    /// file moves there, so its parent must exist.
    public func checkFolders() throws -> String {
        var missing: [(key: String, path: String)] = []
        for (key, path) in [("inbox", settings.inbox), ("outbox", settings.outbox)] where !LocalFiles.isDirectory(path) {
            missing.append((key, path))
        }
        if !LocalFiles.isDirectory(settings.processed) && !LocalFiles.isDirectory(LocalFiles.parent(of: settings.processed)) {
            missing.append(("processed", settings.processed))
        }
        guard missing.isEmpty else { throw missingFoldersError(missing, where: "folder transport") }
        let text = "inbox \(settings.inbox), outbox \(settings.outbox)"
        return LocalFiles.isDirectory(settings.processed)
            ? text + ", processed \(settings.processed) exist"
            : text + " exist; processed \(settings.processed) is created when the first file moves there"
    }

    public func list() throws -> OutboxListing {
        let first = screen.screen(try FolderFile.scan(settings.outbox))
        var last = first
        let listing: OutboxListing
        if screen.needsSecondLook(first) {
            blockingSleep(settings.rules.stabilityInterval)
            last = screen.screen(try FolderFile.scan(settings.outbox))
            listing = screen.listing(first: first, second: last)
        } else {
            listing = screen.listing(first: first, second: nil)
        }
        listed = [:]
        for file in listing.files { listed[file.name] = (file.size, last.modified[file.name] ?? first.modified[file.name]) }
        return listing
    }

    public func fetch(_ file: RemoteFile, to localPath: String) throws {
        let name = try RemoteName.validated(file.name, pattern: nil)
        let remotePath = settings.outbox + "/" + name
        let (source, info) = try FolderFile.openRegular(remotePath, what: "outbox entry \(remotePath)", refusal: .invalidName)
        defer { close(source) }
        try requireUnchanged(name, info, remotePath, "was opened for the fetch")
        let temporary = LocalFiles.parent(of: localPath) + "/." + LocalFiles.lastComponent(of: localPath) + ".part"
        // Not fsynced here (see `Transport.fetch`): the caller does it while it opens the copy.
        let copied = try FolderFile.copy(from: source, toNew: temporary, mode: 0o600, limit: file.size, what: temporary, sync: false)
        guard copied == file.size else {
            unlink(temporary)
            throw TransportError(.sizeMismatch, "outbox file \(remotePath) had \(copied) bytes instead of the \(file.size) listed; it changed while being fetched, a later run retries")
        }
        var after = stat()
        guard fstat(source, &after) == 0 else { throw localError(errno, "cannot stat outbox file \(remotePath)") }
        do {
            try requireUnchanged(name, after, remotePath, "was fetched")
        } catch {
            unlink(temporary)
            throw error
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
        guard let info = LocalFiles.lstatInfo(remotePath) else { return }  // finished by an earlier run
        try requireUnchanged(name, info, remotePath, "was to be moved away")
        switch disposition {
        case .delete:
            if unlink(remotePath) != 0, errno != ENOENT {
                throw localError(errno, "cannot delete outbox file \(remotePath)")
            }
        case .moveToProcessed:
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

    /// Throws ``TransportError/Code-swift.struct/changed`` when the outbox entry `name` is no
    /// longer a regular file or its size or modification time differ from the last listing.
    /// Names this instance did not list (a file an earlier run fetched) are only checked for kind.
    private func requireUnchanged(_ name: String, _ info: stat, _ path: String, _ since: String) throws {
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw TransportError(.changed, "outbox entry \(path) is \(FolderFile.kindText(info.st_mode)), not the regular file that was listed, by the time it \(since); it was left alone")
        }
        guard let seen = listed[name] else { return }
        let change: String
        if Int64(info.st_size) != seen.size {
            change = "had \(seen.size) bytes when listed and \(info.st_size) by the time it \(since)"
        } else if let modified = seen.modified, modified != modifiedNanoseconds(info) {
            change = "was modified again (same size, \(seen.size) bytes) after it was listed, by the time it \(since)"
        } else {
            return
        }
        throw TransportError(.changed, "outbox file \(path) \(change); it stays in the outbox and a later run fetches it again")
    }

    /// Removes a file we delivered (the `transport test` probe).
    func removeDelivered(_ remoteName: String) throws {
        let name = try RemoteName.validated(remoteName, pattern: nil)
        if unlink(settings.inbox + "/" + name) != 0, errno != ENOENT {
            throw localError(errno, "cannot remove \(settings.inbox)/\(name)")
        }
    }
}
