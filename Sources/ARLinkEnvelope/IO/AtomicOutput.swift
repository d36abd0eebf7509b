#if canImport(Glibc)
import Glibc
#endif

/// A file that appears at its final path only when complete: a private temporary file (mode
/// 0600) in the same folder, written, fsync'ed, renamed over the final name, and the folder
/// fsync'ed. Until ``commit()`` it doubles as the quarantine file for plaintext; ``discard()``
/// (also run on deinit) deletes it.
final class AtomicOutput {
    let finalPath: String
    let temporaryPath: String
    let fd: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    private var done = false
    private(set) var bytesWritten: Int64 = 0

    /// Creates the temporary file next to `path`.
    init(path: String, bufferSize: Int = 1 << 20) throws {
        finalPath = path
        let directory = AtomicOutput.directory(of: path)
        let base = AtomicOutput.baseName(of: path)
        var template = Array("\(directory)/.\(base).arlink-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 {
            throw EnvelopeError(.io, "cannot create a temporary file in \(directory): \(errnoText())")
        }
        fchmod(fd, 0o600)
        self.fd = fd
        temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit {
        if !done { discard() }
        buffer.deallocate()
    }

    /// Appends bytes (buffered).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        // Large pieces skip the buffer (one copy less): write out what is pending, then them.
        if rest.count >= buffer.count / 2 {
            try flush()
            try writeAll(rest)
            return
        }
        while !rest.isEmpty {
            if used == 0 && rest.count >= buffer.count {
                try writeAll(rest)
                return
            }
            let n = min(rest.count, buffer.count - used)
            (buffer.baseAddress! + used).copyMemory(from: rest.baseAddress!, byteCount: n)
            used += n
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            if used == buffer.count { try flush() }
        }
    }

    /// Writes out the buffer.
    func flush() throws {
        if used > 0 {
            try writeAll(UnsafeRawBufferPointer(rebasing: buffer[0..<used]))
            used = 0
        }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw EnvelopeError(.io, "writing \(finalPath) failed: \(errnoText())")
            }
            offset += n
        }
        bytesWritten += Int64(bytes.count)
    }

    /// Flushes, fsyncs, renames over the final path and fsyncs the folder.
    /// - Parameter durable: false for a file that is only read once and removed, and that is
    ///   derived again after a crash (the inbound job's plaintext): then it is renamed without
    ///   either fsync, and its pages need never reach the disk.
    func commit(durable: Bool = true) throws {
        try flush()
        if durable && fsync(fd) != 0 { throw EnvelopeError(.io, "fsync of \(finalPath) failed: \(errnoText())") }
        if rename(temporaryPath, finalPath) != 0 {
            throw EnvelopeError(.io, "cannot move the finished file to \(finalPath): \(errnoText())")
        }
        done = true
        close(fd)
        guard durable else { return }
        let dirFD = open(AtomicOutput.directory(of: finalPath), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            defer { close(dirFD) }
            if fsync(dirFD) != 0 { throw EnvelopeError(.io, "fsync of the folder of \(finalPath) failed: \(errnoText())") }
        }
    }

    /// Deletes the temporary file (idempotent).
    func discard() {
        guard !done else { return }
        done = true
        // Overwrite nothing: unlinking a private 0600 file is enough; its pages go with it.
        close(fd)
        unlink(temporaryPath)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
