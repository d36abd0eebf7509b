#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX helpers for local files: permission checks, whole-file reads of small files,
/// fsync of files and folders, and byte comparison of two files.
enum LocalFiles {
    /// `lstat` of a path, or `nil` with `errno` set.
    static func lstatInfo(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    /// Whether `path` is a directory (following symlinks).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Refuses a key or secret file that is missing, not a regular file, or open to group or others.
    static func requireOwnerOnly(_ path: String, purpose: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TransportError(.config, "\(purpose): cannot read \(path): \(errnoText(errno))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw TransportError(.config, "\(purpose): \(path) is not a regular file")
        }
        if info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw TransportError(.keyPermissions, "\(purpose): \(path) has mode \(mode), readable by group or others; run chmod 600 \(path)")
        }
    }

    /// Reads a small file (keys, passphrases, known_hosts) as UTF-8 text, refusing anything over `limit` bytes.
    static func readSmallFile(_ path: String, limit: Int, purpose: String) throws -> String {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)  // a FIFO must not stall the run
        guard fd >= 0 else {
            throw TransportError(.config, "\(purpose): cannot open \(path): \(errnoText(errno))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw TransportError(.config, "\(purpose): \(path) is not a regular file")
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TransportError(.config, "\(purpose): cannot read \(path): \(errnoText(errno))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            if bytes.count > limit {
                throw TransportError(.config, "\(purpose): \(path) is larger than \(limit) bytes; is it the right file?")
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// fsync of an open descriptor; an error fails the step (never retried on the same descriptor).
    static func sync(_ fd: Int32, _ what: String) throws {
        if fsync(fd) != 0 {
            throw localError(errno, "fsync of \(what) failed")
        }
    }

    /// fsync of a folder, so a rename inside it survives a crash.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw localError(errno, "cannot open folder \(path) to fsync it") }
        defer { close(fd) }
        try sync(fd, "folder \(path)")
    }

    /// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, _ what: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw localError(errno, "writing \(what) failed")
            }
            offset += written
        }
    }

    /// Reads up to `buffer.count` bytes, retrying EINTR.
    static func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, _ what: String) throws -> Int {
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw localError(errno, "reading \(what) failed")
        }
    }

    /// Whether two open files have identical content (both read from their current offset to the end).
    static func sameContent(_ first: Int32, _ second: Int32, _ what: String) throws -> Bool {
        let size = 1 << 20
        let a = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer {
            a.deallocate()
            b.deallocate()
        }
        while true {
            let countA = try readFully(first, a, what)
            let countB = try readFully(second, b, what)
            if countA != countB { return false }
            if countA == 0 { return true }
            if memcmp(a.baseAddress!, b.baseAddress!, countA) != 0 { return false }
        }
    }

    /// Reads until `buffer` is full or end of file.
    static func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, _ what: String) throws -> Int {
        var total = 0
        while total < buffer.count {
            let count = try readSome(fd, UnsafeMutableRawBufferPointer(rebasing: buffer[total...]), what)
            if count == 0 { break }
            total += count
        }
        return total
    }

    /// The folder part of a path (`.` when there is none).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The last component of a path.
    static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
