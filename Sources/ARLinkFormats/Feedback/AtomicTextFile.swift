#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A text file that appears only when complete: written to a hidden temporary name in the
/// same folder (mode 0600 or as given), flushed, fsynced, renamed, and the folder fsynced.
public final class AtomicTextFile {
    public let path: String
    private let temporary: String
    private var fd: Int32
    private let buffer = ByteBuffer(capacity: 1 << 20 + 1 << 16)
    /// Bytes written so far.
    public private(set) var bytesWritten: Int64 = 0

    /// Creates the temporary file next to `path`.
    /// - Throws: ``FeedbackError`` `.writeFailed`.
    public init(path: String, mode: UInt32 = 0o600) throws {
        self.path = path
        temporary = Self.temporaryPath(for: path)
        unlink(temporary)
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode_t(mode))
        guard fd >= 0 else { throw FeedbackError(.writeFailed, "cannot create \(temporary) (errno \(errno))") }
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temporary)
        }
    }

    /// Appends one line (a newline is added).
    public func writeLine(_ text: String) throws {
        buffer.append(utf8: text)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends one line that `body` renders straight into the write buffer (no newline needed).
    public func writeLine(_ body: (ByteBuffer) -> Void) throws {
        body(buffer)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends one line to this file and one to `other`, both rendered by `body` in one go
    /// (this file's buffer first).
    public func writeLines(alongside other: AtomicTextFile, _ body: (ByteBuffer, ByteBuffer) -> Void) throws {
        body(buffer, other.buffer)
        buffer.append(0x0A)
        other.buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
        if other.buffer.count >= 1 << 20 { try other.flush() }
    }

    /// The temporary name a file for `path` is written under until it is published.
    public static func temporaryPath(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return folder + "/." + name + ".tmp"
    }

    /// Flushes and fsyncs the temporary file and closes it, leaving it in place under its
    /// temporary name (``temporaryPath(for:)``) for ``publish(path:)`` after the caller
    /// recorded it (the outbox of the ERP updates).
    /// - Returns: the file's size in bytes.
    public func stage() throws -> Int64 {
        try flush()
        guard fsync(fd) == 0 else { throw FeedbackError(.writeFailed, "fsync of \(temporary) failed (errno \(errno))") }
        close(fd)
        fd = -1
        return bytesWritten
    }

    /// Renames a staged file to its final name and fsyncs the folder.
    /// - Returns: false when there was nothing to rename because `path` already exists (published before).
    /// - Throws: ``FeedbackError`` `.writeFailed` when neither the staged file nor `path` exists,
    ///   or the staged file's size is not `expectedBytes`.
    @discardableResult
    public static func publish(path: String, expectedBytes: Int64) throws -> Bool {
        let temporary = temporaryPath(for: path)
        var info = stat()
        guard lstat(temporary, &info) == 0 else {
            if access(path, F_OK) == 0 { return false }
            throw FeedbackError(.writeFailed, "the staged file \(temporary) is missing and \(path) does not exist; its records cannot be published")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG, Int64(info.st_size) == expectedBytes else {
            throw FeedbackError(.writeFailed, "the staged file \(temporary) has \(info.st_size) bytes, expected \(expectedBytes); it was changed after it was recorded")
        }
        guard rename(temporary, path) == 0 else {
            throw FeedbackError(.writeFailed, "cannot rename \(temporary) to \(path) (errno \(errno))")
        }
        try syncFolder(of: path)
        return true
    }

    static func syncFolder(of path: String) throws {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let dfd = open(folder.isEmpty ? "/" : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            defer { close(dfd) }
            guard fsync(dfd) == 0 else { throw FeedbackError(.writeFailed, "fsync of folder \(folder) failed (errno \(errno))") }
        }
    }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.base + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw FeedbackError(.writeFailed, "writing \(temporary) failed (errno \(errno))")
            }
            offset += n
        }
        // Start writing these pages to disk now (POSIX_FADV_DONTNEED on dirty pages starts
        // their writeback without waiting), so the fsync at the end has little left to wait
        // for: a large file's writeback overlaps the work that produces it.
        if buffer.count >= 1 << 20 {
            _ = posix_fadvise(fd, off_t(bytesWritten), off_t(buffer.count), Int32(POSIX_FADV_DONTNEED))
        }
        bytesWritten += Int64(buffer.count)
        buffer.removeAll()
    }

    /// Flushes, fsyncs and renames to the final path, then fsyncs the folder.
    public func commit() throws {
        try flush()
        guard fsync(fd) == 0 else { throw FeedbackError(.writeFailed, "fsync of \(temporary) failed (errno \(errno))") }
        close(fd)
        fd = -1
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FeedbackError(.writeFailed, "cannot rename \(temporary) to \(path) (errno \(code))")
        }
        try Self.syncFolder(of: path)
    }
}
