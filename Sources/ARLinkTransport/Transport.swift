#if canImport(Glibc)
import Glibc
#endif

/// A file in the partner's outbox, as seen by ``Transport/list()``.
public struct RemoteFile: Sendable, Hashable {
    /// The validated file name (no folder part); safe to use as a local file name.
    public let name: String
    /// The size in bytes observed when the file was listed as stable.
    public let size: Int64

    /// Creates a remote file description.
    public init(name: String, size: Int64) {
        self.name = name
        self.size = size
    }
}

/// What ``Transport/deliver(localFile:as:)`` did.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The file was uploaded and renamed to its final name.
    case delivered
    /// A file with the same name and identical content was already there (an earlier run delivered it).
    case alreadyPresent
}

/// A remote entry that ``Transport/list()`` did not offer for fetching, with the reason.
public struct SkippedName: Sendable {
    /// The remote name with every byte outside printable ASCII written as `\xNN`; safe to log.
    public let escapedName: String
    /// Why it was skipped, as a sentence fragment such as `is a symbolic link`.
    public let reason: String

    /// Creates a skipped-name record.
    public init(escapedName: String, reason: String) {
        self.escapedName = escapedName
        self.reason = reason
    }
}

/// The result of listing the partner's outbox.
public struct OutboxListing: Sendable {
    /// Files ready to fetch: valid names matching the partner's pattern, stable size, sorted by name.
    public let files: [RemoteFile]
    /// Entries that were seen but will not be fetched (hostile names, symlinks, growing files...).
    public let skipped: [SkippedName]

    /// Creates a listing.
    public init(files: [RemoteFile], skipped: [SkippedName]) {
        self.files = files
        self.skipped = skipped
    }
}

/// What ``Transport/finish(_:disposition:)`` does with a fetched remote file.
public enum FetchedDisposition: Sendable {
    /// Move the file into the partner's processed folder.
    case moveToProcessed
    /// Delete the file.
    case delete
}

/// Moves files to and from one partner: a drop folder, an SFTP server or an HTTPS endpoint.
///
/// Implementations hold a connection or C handles and are not `Sendable`: use one instance per
/// run, from one task. Every method throws ``TransportError``.
public protocol Transport: AnyObject {
    /// Delivers a local file into the partner's inbox under `remoteName`, atomically (NAME.part then rename).
    ///
    /// - Returns: `.delivered`, or `.alreadyPresent` when the final name already holds identical content.
    /// - Throws: ``TransportError`` with code `.conflict` when the final name holds different content.
    func deliver(localFile: String, as remoteName: String) throws -> DeliveryOutcome
    /// ``deliver(localFile:as:)``, calling `progress` with the bytes sent so far (SFTP and
    /// HTTPS uploads; a drop folder's local copy reports nothing).
    func deliver(localFile: String, as remoteName: String, progress: ((Int64) -> Void)?) throws -> DeliveryOutcome
    /// Lists the partner's outbox: only names matching the partner's pattern, stable (size unchanged across two looks / done-marker), no dot files, no .part.
    func list() throws -> OutboxListing
    /// Fetches one remote file to a local path (via a temp file, size-checked).
    ///
    /// The local copy is complete when this returns, but it may not be durable yet (the folder
    /// transport leaves its fsync to the caller, who can overlap it with reading the copy):
    /// call ``FetchedFile/makeDurable(_:)`` before recording anything that relies on it.
    func fetch(_ file: RemoteFile, to localPath: String) throws
    /// Checks that every folder the settings name exists (inbox, outbox, processed), so that a
    /// missing one stops a run before it fetches or applies anything rather than at its end.
    ///
    /// - Returns: what was checked, in plain words.
    /// - Throws: ``TransportError`` `.config` (exit 78) naming every missing folder and its
    ///   setting; connection and login failures as for any other operation.
    func checkFolders() throws -> String
    /// After the caller committed, moves the remote file to processed/ or deletes it.
    ///
    /// A file that is already gone counts as finished, so a re-run after a crash succeeds.
    func finish(_ file: RemoteFile, disposition: FetchedDisposition) throws
}

extension Transport {
    public func deliver(localFile: String, as remoteName: String, progress: ((Int64) -> Void)?) throws -> DeliveryOutcome {
        try deliver(localFile: localFile, as: remoteName)
    }
}

/// What the caller of ``Transport/fetch(_:to:)`` does with the local copy.
public enum FetchedFile {
    /// fsyncs a fetched file and its folder, so the copy and its name survive a crash.
    public static func makeDurable(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw localError(errno, "cannot open the fetched file \(path) to fsync it") }
        defer { close(fd) }
        try LocalFiles.sync(fd, "the fetched file \(path)")
        try LocalFiles.syncDirectory(LocalFiles.parent(of: path))
    }
}

/// The error for folders a transport's settings name but that do not exist.
func missingFoldersError(_ missing: [(key: String, path: String)], where place: String) -> TransportError {
    let list = missing.map { "\($0.key) \($0.path)" }.joined(separator: ", ")
    return TransportError(.config, "\(place): \(missing.count == 1 ? "folder" : "folders") \(list) \(missing.count == 1 ? "does" : "do") not exist; ask the partner to create \(missing.count == 1 ? "it" : "them") or correct the path in the configuration")
}
