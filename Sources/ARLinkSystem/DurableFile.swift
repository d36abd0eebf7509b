#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemShims
import Synchronization

/// A file that appears only when complete: written under a hidden temporary name in the same
/// folder (owner-only unless told otherwise), fsynced, renamed, and the folder fsynced.
///
/// Callers render into ``buffer`` and call ``flushIfFull()`` between records; full buffers go
/// to the disk on a background thread (``BackgroundPipe``) while the next one is rendered. A
/// ``StreamingDigest`` passed at creation sees every byte, in order, on that thread.
///
/// A large file that is not read back soon can be written with direct I/O (`O_DIRECT`): whole
/// 4 KiB blocks go from the buffer to the disk without a copy into the page cache and without
/// its writeback afterwards. Where the file system refuses `O_DIRECT` (tmpfs, some network file
/// systems), at open or at the first write, the file is written through the page cache instead.
///
/// An fsync error fails the file; it is never retried on the same descriptor.
public final class DurableFile {
    /// The block size direct writes are aligned to (address, length and offset).
    public static let blockSize = 4096
    /// The fill level at which ``flushIfFull()`` hands the buffer to the background thread.
    public static let flushThreshold = 1 << 20

    /// The final path.
    public let path: String
    /// Where the file is written until it is renamed to ``path``.
    public let temporaryPath: String
    /// What callers render into.
    public let buffer: RenderBuffer
    /// Bytes handed to the disk so far (the offset of the next write).
    public private(set) var bytesWritten: Int64 = 0
    /// Whether the file was opened with `O_DIRECT`.
    public let openedWithDirectIO: Bool

    private var fd: Int32
    private let spare: RenderBuffer
    private let pipe = BackgroundPipe(label: "arlink.durable-file")
    private let writes: Writes
    private var finished = false

    /// Creates the temporary file next to `path` (replacing a leftover of an earlier attempt).
    /// - Parameters:
    ///   - mode: the file's permission bits, applied exactly (not through the umask).
    ///   - directIO: write whole blocks with `O_DIRECT` where the file system allows it.
    ///   - digest: sees every byte written, on the background thread.
    /// - Throws: ``DurableFileError`` when the temporary file cannot be created.
    public convenience init(path: String, mode: UInt32 = 0o600, directIO: Bool = false, digest: (any StreamingDigest)? = nil) throws(DurableFileError) {
        try self.init(path: path, mode: mode, directIO: directIO, digest: digest, simulating: .none)
    }

    /// A refusal of `O_DIRECT` that tests can force on file systems that accept it (a test
    /// double for file systems such as tmpfs or NFS).
    enum SimulatedRefusal: Sendable {
        case none
        /// `open` fails with `EINVAL` when asked for `O_DIRECT`.
        case atOpen
        /// The first direct `pwrite` fails with `EINVAL`.
        case atFirstWrite
    }

    init(path: String, mode: UInt32, directIO: Bool, digest: (any StreamingDigest)?, simulating refusal: SimulatedRefusal) throws(DurableFileError) {
        self.path = path
        temporaryPath = Self.temporaryPath(for: path)
        unlink(temporaryPath)
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW
        let oDirect = csystem_o_direct()
        var fd: Int32 = -1
        var direct = false
        if directIO && oDirect != 0 && refusal != .atOpen {
            fd = open(temporaryPath, flags | oDirect, mode_t(mode))
            if fd >= 0 {
                direct = true
            } else if errno == EINVAL {
                unlink(temporaryPath)
            }
        }
        if fd < 0 { fd = open(temporaryPath, flags, mode_t(mode)) }
        guard fd >= 0 else { throw DurableFileError("cannot create \(temporaryPath)", code: errno) }
        _ = fchmod(fd, mode_t(mode))
        self.fd = fd
        openedWithDirectIO = direct
        let capacity = Self.flushThreshold + 1 << 16
        let alignment = direct ? Self.blockSize : 16
        buffer = RenderBuffer(capacity: capacity, alignment: alignment)
        spare = RenderBuffer(capacity: capacity, alignment: alignment)
        writes = Writes(fd: fd, name: temporaryPath, direct: direct, digest: digest,
                        refuseFirstDirectWrite: refusal == .atFirstWrite)
    }

    deinit {
        if !finished { discard() }
    }

    /// Whether whole blocks go out with `O_DIRECT`: opened so, and no direct write refused.
    public var usesDirectIO: Bool { openedWithDirectIO && !writes.refused.load(ordering: .acquiring) }

    /// Hands the buffer to the background thread once it holds ``flushThreshold`` bytes.
    /// - Throws: ``DurableFileError`` from an earlier background write.
    @inlinable
    public func flushIfFull() throws(DurableFileError) {
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Appends one line (a newline is added) and flushes when full.
    public func writeLine(_ text: String) throws(DurableFileError) {
        buffer.append(utf8: text)
        buffer.append(0x0A)
        try flushIfFull()
    }

    /// Hands what the buffer holds (whole blocks with direct I/O) to the background thread.
    @usableFromInline
    func flush() throws(DurableFileError) {
        let length = writes.direct.load(ordering: .acquiring) ? buffer.count & ~(Self.blockSize - 1) : buffer.count
        guard length > 0 else { return }
        pipe.drain()
        spare.removeAll()
        spare.append(contentsOf: buffer, from: length)
        buffer.exchange(with: spare)
        let offset = bytesWritten
        bytesWritten += Int64(length)
        let job = Job(writes: writes, bytes: spare, length: length, offset: offset)
        do {
            try pipe.submit { try job.run() }
        } catch {
            throw error as? DurableFileError ?? DurableFileError("writing \(temporaryPath) failed", code: nil)
        }
    }

    /// Writes everything, waits for the background thread and fsyncs.
    private func writeOut() throws(DurableFileError) {
        try flush()
        do { try pipe.finish() } catch { throw error as? DurableFileError ?? DurableFileError("writing \(temporaryPath) failed", code: nil) }
        if buffer.count > 0 {
            // The last, partial block leaves direct I/O and goes through the page cache.
            writes.leaveDirectIO()
            try Job(writes: writes, bytes: buffer, length: buffer.count, offset: bytesWritten).run()
            bytesWritten += Int64(buffer.count)
            buffer.removeAll()
        }
        guard fsync(fd) == 0 else { throw DurableFileError("fsync of \(temporaryPath) failed", code: errno) }
    }

    /// Flushes, fsyncs and closes the temporary file, leaving it under its temporary name
    /// (``temporaryPath(for:)``) for ``publish(path:expectedBytes:)`` once the caller recorded
    /// it (an outbox).
    /// - Returns: the file's size in bytes.
    public func stage() throws(DurableFileError) -> Int64 {
        try writeOut()
        close(fd)
        fd = -1
        finished = true
        return bytesWritten
    }

    /// Flushes, fsyncs, renames to the final path and fsyncs the folder.
    /// - Returns: the file's size in bytes.
    @discardableResult
    public func commit() throws(DurableFileError) -> Int64 {
        try writeOut()
        close(fd)
        fd = -1
        finished = true
        guard rename(temporaryPath, path) == 0 else {
            let code = errno
            unlink(temporaryPath)
            throw DurableFileError("cannot rename \(temporaryPath) to \(path)", code: code)
        }
        try Self.syncFolder(of: path)
        return bytesWritten
    }

    /// Stops writing and removes the temporary file; the final path is untouched.
    public func discard() {
        pipe.drain()
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        if !finished { unlink(temporaryPath) }
        finished = true
    }

    /// The SHA-256 (or other digest) of everything written, from the digest passed at creation;
    /// empty without one. Call after ``commit()`` or ``stage()``.
    public func digestHex() -> String { writes.digest?.finalizeHex() ?? "" }

    /// The temporary name a file for `path` is written under until it is published.
    public static func temporaryPath(for path: String) -> String {
        let (folder, name) = split(path)
        return folder + "/." + name + ".tmp"
    }

    /// Renames a staged file to its final name and fsyncs the folder.
    /// - Returns: false when there was nothing to rename because `path` already exists (published before).
    /// - Throws: ``DurableFileError`` when neither the staged file nor `path` exists, or the staged
    ///   file's size is not `expectedBytes`.
    @discardableResult
    public static func publish(path: String, expectedBytes: Int64) throws(DurableFileError) -> Bool {
        let temporary = temporaryPath(for: path)
        var info = stat()
        guard lstat(temporary, &info) == 0 else {
            if access(path, F_OK) == 0 { return false }
            throw DurableFileError("the staged file \(temporary) is missing and \(path) does not exist; its records cannot be published", code: nil)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG, Int64(info.st_size) == expectedBytes else {
            throw DurableFileError("the staged file \(temporary) has \(info.st_size) bytes, expected \(expectedBytes); it was changed after it was recorded", code: nil)
        }
        guard rename(temporary, path) == 0 else {
            throw DurableFileError("cannot rename \(temporary) to \(path)", code: errno)
        }
        try syncFolder(of: path)
        return true
    }

    /// fsyncs the folder holding `path`, so a rename in it survives a crash.
    public static func syncFolder(of path: String) throws(DurableFileError) {
        let folder = split(path).folder
        let dfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { return }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw DurableFileError("fsync of folder \(folder) failed", code: errno) }
    }

    private static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }
}

/// Why a ``DurableFile`` could not be written: a sentence naming the file, and the `errno`.
public struct DurableFileError: Error, Sendable, CustomStringConvertible {
    /// What failed, naming the file.
    public let message: String
    /// The `errno` of the failed call, if a call failed.
    public let code: Int32?

    public init(_ message: String, code: Int32?) {
        self.message = message
        self.code = code
    }

    /// Whether the storage is full or failing: a temporary failure.
    public var isStorageFault: Bool { code.map(Errno.isStorageFault) ?? false }

    /// The message with the `errno` in words.
    public var description: String { code.map { "\(message) (\(Errno.describe($0)))" } ?? message }
}

/// What the background thread of a ``DurableFile`` shares with its owner.
private final class Writes: @unchecked Sendable {
    let fd: Int32
    let name: String
    let digest: (any StreamingDigest)?
    /// Whether the descriptor is in direct I/O; cleared once by either thread.
    let direct: Atomic<Bool>
    let refuseFirstDirectWrite: Atomic<Bool>
    /// Set when the file system refused a direct write.
    let refused = Atomic(false)

    init(fd: Int32, name: String, direct: Bool, digest: (any StreamingDigest)?, refuseFirstDirectWrite: Bool) {
        self.fd = fd
        self.name = name
        self.digest = digest
        self.direct = Atomic(direct)
        self.refuseFirstDirectWrite = Atomic(refuseFirstDirectWrite)
    }

    /// Clears `O_DIRECT` on the descriptor (later writes go through the page cache).
    func leaveDirectIO() {
        guard direct.exchange(false, ordering: .acquiringAndReleasing) else { return }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~csystem_o_direct()) }
    }
}

/// One chunk on its way to the disk.
private struct Job: @unchecked Sendable {
    let writes: Writes
    let bytes: RenderBuffer
    let length: Int
    let offset: Int64

    func run() throws(DurableFileError) {
        let base = bytes.base
        writes.digest?.update(UnsafeBufferPointer(start: base, count: length).span)
        var done = 0
        while done < length {
            let n: Int
            if writes.direct.load(ordering: .acquiring) && writes.refuseFirstDirectWrite.exchange(false, ordering: .acquiringAndReleasing) {
                n = -1
                errno = EINVAL
            } else {
                // At an explicit offset: the offset of direct writes must be block-aligned.
                n = pwrite(writes.fd, base + done, length - done, off_t(offset) + off_t(done))
            }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                // A file system that opened with O_DIRECT but refuses this write (another
                // alignment, say): the rest goes through the page cache.
                if code == EINVAL && writes.direct.load(ordering: .acquiring) {
                    writes.refused.store(true, ordering: .releasing)
                    writes.leaveDirectIO()
                    continue
                }
                throw DurableFileError("writing \(writes.name) failed", code: code)
            }
            done += n
        }
        // Start the writeback of a large buffered chunk now, so the final fsync has little left
        // to wait for (POSIX_FADV_DONTNEED on dirty pages starts their writeback).
        if !writes.direct.load(ordering: .acquiring) && length >= DurableFile.flushThreshold {
            _ = posix_fadvise(writes.fd, off_t(offset), off_t(length), Int32(POSIX_FADV_DONTNEED))
        }
    }
}
