#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered, owner-only output file that counts and hashes what it writes.
///
/// Writes go to a 1 MiB buffer, then `write(2)` in a loop (partial writes, EINTR); ``finish()``
/// flushes, `fsync`s and closes. An fsync error fails; it is never retried on the same descriptor.
final class FileSink {
    let path: String
    let displayName: String
    private var fd: Int32
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var used = 0
    private(set) var bytesWritten: Int64 = 0
    private var hasher: SHA256?

    /// Creates (or truncates) `path` with mode 0600.
    init(path: String, mode: mode_t = 0o600, hash: Bool = true, capacity: Int = 1 << 20) throws {
        self.path = path
        self.displayName = Location.displayName(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else {
            throw FormatError(.writeFailed, "cannot create \(Location.displayName(path)) (\(String(cString: strerror(errno)))): check that its folder exists and is writable")
        }
        // The file may have existed with looser permissions: enforce owner-only.
        _ = fchmod(fd, mode)
        self.fd = fd
        self.capacity = capacity
        buffer = .allocate(capacity: capacity)
        hasher = hash ? SHA256() : nil
    }

    deinit {
        if fd >= 0 { close(fd) }
        buffer.deallocate()
    }

    var isOpen: Bool { fd >= 0 }

    @inline(__always)
    func append(_ byte: UInt8) throws {
        if used == capacity { try flush() }
        buffer[used] = byte
        used += 1
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            if used == capacity { try flush() }
            let n = min(capacity - used, bytes.count - offset)
            (buffer + used).update(from: base.assumingMemoryBound(to: UInt8.self) + offset, count: n)
            used += n
            offset += n
        }
    }

    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    func append(_ string: String) throws {
        var s = string
        try s.withUTF8 { try append(UnsafeRawBufferPointer($0)) }
    }

    /// Room for at least `n` more bytes without a flush, and a pointer to write them.
    @inline(__always)
    func reserve(_ n: Int) throws -> UnsafeMutablePointer<UInt8> {
        if capacity - used < n { try flush() }
        return buffer + used
    }

    @inline(__always)
    func commit(_ n: Int) { used += n }

    func flush() throws {
        guard used > 0 else { return }
        hasher?.update(UnsafeRawBufferPointer(start: buffer, count: used))
        var offset = 0
        while offset < used {
            let n = write(fd, buffer + offset, used - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw FormatError(.writeFailed, "writing \(displayName) failed (\(String(cString: strerror(errno))))")
            }
            offset += n
        }
        bytesWritten += Int64(used)
        used = 0
    }

    /// Flushes, fsyncs and closes. Returns the SHA-256 (lowercase hex, empty without hashing).
    func finish() throws -> String {
        try flush()
        let status = fsync(fd)
        let err = errno
        close(fd)
        fd = -1
        guard status == 0 else {
            throw FormatError(.writeFailed, "fsync of \(displayName) failed (\(String(cString: strerror(err)))); the file is not safely written")
        }
        return hasher?.finalizeHex() ?? ""
    }

    /// Closes without syncing and removes the file.
    func abort() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(path)
    }
}
