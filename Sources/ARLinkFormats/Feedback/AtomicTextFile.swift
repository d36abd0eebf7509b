import ARLinkCore
public import ARLinkSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// `O_DIRECT`, which Glibc's module map leaves out (it needs `_GNU_SOURCE`).
#if os(Linux) && arch(x86_64)
let oDirect: Int32 = 0o40000
#elseif os(Linux) && arch(arm64)
let oDirect: Int32 = 0o200000
#else
let oDirect: Int32 = 0
#endif

/// A text file that appears only when complete: written to a hidden temporary name in the
/// same folder (mode 0600 or as given), flushed, fsynced, renamed, and the folder fsynced.
///
/// A large file can be written with direct I/O (``init(path:mode:direct:)``): whole 4 KiB
/// blocks go from the write buffer to the disk on a second thread, without a copy into the
/// page cache and without its writeback afterwards, while the caller renders the next buffer
/// (`arlink-bench inbound` shows what it saves on a given disk).
public final class AtomicTextFile {
    public let path: String
    private let temporary: String
    private var fd: Int32
    private let buffer: ByteBuffer
    /// Bytes written so far.
    public private(set) var bytesWritten: Int64 = 0
    /// Set while the file is written with `O_DIRECT`.
    private var direct: DirectWrites?
    /// Whether whole blocks went out with `O_DIRECT` (false where the file system refused it).
    public let usesDirectIO: Bool

    /// Creates the temporary file next to `path`.
    /// - Parameter direct: write whole blocks with `O_DIRECT` where the file system allows it
    ///   (silently buffered where it does not, as on tmpfs).
    /// - Throws: ``FeedbackError`` `.writeFailed`.
    public init(path: String, mode: UInt32 = 0o600, direct: Bool = false) throws {
        self.path = path
        temporary = Self.temporaryPath(for: path)
        unlink(temporary)
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW
        fd = -1
        if direct && oDirect != 0 {
            fd = open(temporary, flags | oDirect, mode_t(mode))
            if fd < 0 && errno == EINVAL { unlink(temporary) }
        }
        if fd < 0 { fd = open(temporary, flags, mode_t(mode)) }
        guard fd >= 0 else { throw FeedbackError(.writeFailed, "cannot create \(temporary) (\(LocalIO.describe(errno)))") }
        let capacity = 1 << 20 + 1 << 16
        usesDirectIO = direct && oDirect != 0 && fcntl(fd, F_GETFL) & oDirect != 0
        if usesDirectIO {
            buffer = ByteBuffer(capacity: capacity, alignment: DirectWrites.block)
            self.direct = DirectWrites(fd: fd, spare: ByteBuffer(capacity: capacity, alignment: DirectWrites.block), name: temporary)
        } else {
            buffer = ByteBuffer(capacity: capacity)
        }
    }

    deinit {
        direct?.drain()
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
        try finishDirect()
        try flush()
        guard fsync(fd) == 0 else { throw FeedbackError(.writeFailed, "fsync of \(temporary) failed (\(LocalIO.describe(errno)))") }
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
            throw FeedbackError(.writeFailed, "cannot rename \(temporary) to \(path) (\(LocalIO.describe(errno)))")
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
            guard fsync(dfd) == 0 else { throw FeedbackError(.writeFailed, "fsync of folder \(folder) failed (\(LocalIO.describe(errno)))") }
        }
    }

    private func flush() throws {
        if let direct {
            // Whole blocks go out on the second thread; the rest starts the next buffer (the
            // last partial block is written once direct I/O is left: ``finishDirect()``).
            if buffer.count >= DirectWrites.block { bytesWritten += Int64(try direct.write(buffer, at: bytesWritten)) }
            return
        }
        var offset = 0
        while offset < buffer.count {
            // At an explicit offset: direct writes (pwrite) leave the file offset where it was.
            let n = pwrite(fd, buffer.base + offset, buffer.count - offset, off_t(bytesWritten) + off_t(offset))
            if n < 0 {
                if errno == EINTR { continue }
                throw FeedbackError(.writeFailed, "writing \(temporary) failed (\(LocalIO.describe(errno)))")
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
        try finishDirect()
        try flush()
        guard fsync(fd) == 0 else { throw FeedbackError(.writeFailed, "fsync of \(temporary) failed (\(LocalIO.describe(errno)))") }
        close(fd)
        fd = -1
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FeedbackError(.writeFailed, "cannot rename \(temporary) to \(path) (\(LocalIO.describe(code)))")
        }
        try Self.syncFolder(of: path)
    }

    /// Writes out the whole blocks still buffered, waits for the second thread, and leaves
    /// direct I/O (the last, partial block is written through the page cache).
    private func finishDirect() throws {
        guard let direct else { return }
        try flush()
        try direct.finish()
        self.direct = nil
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~oDirect) == 0 else {
            throw FeedbackError(.writeFailed, "cannot leave direct I/O on \(temporary) (\(LocalIO.describe(errno)))")
        }
    }
}

/// The second thread of a file written with `O_DIRECT`: it writes one buffer of whole blocks
/// while the caller fills the other. A failed write is reported by the next call.
final class DirectWrites: @unchecked Sendable {
    /// The block size writes are aligned to (address, length and offset).
    static let block = 4096
    private let fd: Int32
    private let name: String
    private let queue = DispatchQueue(label: "arlink.direct-writes")
    /// One buffer in flight at a time.
    private let idle = DispatchSemaphore(value: 1)
    /// The memory not being filled (in flight, or free once `idle` is taken).
    private let spare: ByteBuffer
    /// Set by the writing thread; read after `idle` is taken.
    private var failure: FeedbackError?

    init(fd: Int32, spare: ByteBuffer, name: String) {
        self.fd = fd
        self.spare = spare
        self.name = name
    }

    /// Hands the whole blocks of `full` to the writing thread (once the previous ones are
    /// written); `full` is left holding what came after them, in the other buffer's memory.
    /// - Returns: how many bytes were handed over.
    func write(_ full: ByteBuffer, at offset: Int64) throws -> Int {
        idle.wait()
        if let failure {
            idle.signal()
            throw failure
        }
        let length = full.count & ~(Self.block - 1)
        spare.removeAll()
        spare.append(UnsafeBufferPointer(start: full.base + length, count: full.count - length))
        full.exchange(with: spare)
        let fd = self.fd
        nonisolated(unsafe) let bytes = spare.base
        queue.async { [self] in
            var done = 0
            while done < length {
                let n = pwrite(fd, bytes + done, length - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    // A file system that opens with O_DIRECT but wants another alignment:
                    // the rest goes through the page cache.
                    if errno == EINVAL, fcntl(fd, F_GETFL) & oDirect != 0 {
                        let flags = fcntl(fd, F_GETFL)
                        if fcntl(fd, F_SETFL, flags & ~oDirect) == 0 { continue }
                    }
                    failure = FeedbackError(.writeFailed, "writing \(name) failed (\(LocalIO.describe(errno)))")
                    break
                }
                done += n
            }
            idle.signal()
        }
        return length
    }

    /// Waits for the last write; throws if any failed.
    func finish() throws {
        idle.wait()
        defer { idle.signal() }
        if let failure { throw failure }
    }

    /// Waits for the last write, ignoring failures (the file is being discarded).
    func drain() {
        idle.wait()
        idle.signal()
    }
}
