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
    private var buffer: [UInt8] = []
    /// Bytes written so far.
    public private(set) var bytesWritten: Int64 = 0

    /// Creates the temporary file next to `path`.
    /// - Throws: ``FeedbackError`` `.writeFailed`.
    public init(path: String, mode: UInt32 = 0o600) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporary = folder + "/." + name + ".tmp"
        unlink(temporary)
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode_t(mode))
        guard fd >= 0 else { throw FeedbackError(.writeFailed, "cannot create \(temporary) (errno \(errno))") }
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temporary)
        }
    }

    /// Appends one line (a newline is added).
    public func writeLine(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { raw in write(fd, raw.baseAddress! + offset, raw.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FeedbackError(.writeFailed, "writing \(temporary) failed (errno \(errno))")
            }
            offset += n
        }
        bytesWritten += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
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
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let dfd = open(folder.isEmpty ? "/" : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            defer { close(dfd) }
            guard fsync(dfd) == 0 else { throw FeedbackError(.writeFailed, "fsync of folder \(folder) failed (errno \(errno))") }
        }
    }
}
