#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File operations of the folder transport: scanning without following links, copying into a
/// fresh temporary file with fsync, and renaming without ever replacing an existing name.
enum FolderFile {
    /// Opens a regular file for reading (following no symlink at the last component).
    static func openForReading(_ path: String, what: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw localError(errno, "cannot open \(what)") }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw TransportError(.localIO, "\(what) is not a regular file")
        }
        return fd
    }

    /// Copies from `source` (current offset to end, or at most `limit + 1` bytes) into a new
    /// file at `path` (replacing a stale one), fsyncs and closes it. Returns the bytes copied.
    @discardableResult
    /// - Parameter sync: fsync the copy before returning (false: the caller makes it durable).
    static func copy(from source: Int32, toNew path: String, mode: mode_t, limit: Int64?, what: String, sync: Bool = true) throws -> Int64 {
        let target = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode)
        guard target >= 0 else { throw localError(errno, "cannot create \(what)") }
        var closed = false
        defer { if !closed { close(target) } }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        do {
            // In the kernel first (copy_file_range: no trip through this process's memory, a
            // clone where the file system can); byte by byte through the buffer when it refuses.
            var inKernel = true
            while inKernel {
                let want = limit.map { Int(max(0, $0 + 1 - total)) } ?? (1 << 30)
                if want == 0 { break }
                let n = glibcCopyFileRange(source, nil, target, nil, min(want, 1 << 30), 0)
                if n > 0 {
                    total += Int64(n)
                } else if n == 0 {
                    break
                } else if errno == EINTR {
                    continue
                } else if total == 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP || errno == EBADF) {
                    inKernel = false
                } else {
                    throw localError(errno, "copying into \(what) failed")
                }
            }
            while !inKernel {
                let count = try LocalFiles.readSome(source, buffer, what)
                if count == 0 { break }
                try LocalFiles.writeAll(target, UnsafeRawBufferPointer(rebasing: buffer[0..<count]), what)
                total += Int64(count)
                if let limit, total > limit { break }
            }
            if sync { try LocalFiles.sync(target, what) }
        } catch {
            unlink(path)
            throw error
        }
        closed = true
        if close(target) != 0 {
            let code = errno
            unlink(path)
            throw localError(code, "closing \(what) failed")
        }
        return total
    }

    enum LinkResult { case linked, exists }

    /// Gives `from` the additional name `to` without replacing an existing `to` (link(2));
    /// falls back to a checked rename(2) on file systems without hard links.
    static func linkNoReplace(_ from: String, _ to: String) throws -> LinkResult {
        if link(from, to) == 0 { return .linked }
        let code = errno
        if code == EEXIST { return .exists }
        if code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EMLINK {
            if LocalFiles.lstatInfo(to) != nil { return .exists }
            guard rename(from, to) == 0 else { throw localError(errno, "cannot rename \(from) to \(to)") }
            return .linked
        }
        throw localError(code, "cannot rename \(from) to \(to)")
    }

    /// Compares an existing final file with the local one: same bytes means already delivered.
    static func compareExisting(_ finalPath: String, with source: Int32, localFile: String) throws -> DeliveryOutcome {
        let existing = open(finalPath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard existing >= 0 else {
            throw TransportError(.conflict, "\(finalPath) already exists and cannot be read (\(errnoText(errno))); it was not overwritten with \(localFile)")
        }
        defer { close(existing) }
        var a = stat()
        var b = stat()
        guard fstat(existing, &a) == 0, fstat(source, &b) == 0 else { throw localError(errno, "cannot stat \(finalPath)") }
        if a.st_size == b.st_size, try LocalFiles.sameContent(existing, source, finalPath) {
            return .alreadyPresent
        }
        throw TransportError(.conflict, "\(finalPath) already exists with different content (\(a.st_size) bytes) than \(localFile) (\(b.st_size) bytes); it was not overwritten, resolve it with the partner")
    }

    /// Moves `path` into `folder` under `name`, or `name.1`, `name.2`... if taken, never replacing.
    static func moveNoReplace(_ path: String, intoFolder folder: String, name: String) throws {
        for attempt in 0..<1000 {
            let target = folder + "/" + (attempt == 0 ? name : "\(name).\(attempt)")
            if link(path, target) == 0 {
                if unlink(path) != 0, errno != ENOENT { throw localError(errno, "cannot remove \(path) after moving it") }
                return
            }
            let code = errno
            if code == EEXIST { continue }
            if code == EXDEV || code == EPERM || code == ENOTSUP || code == EOPNOTSUPP {
                if LocalFiles.lstatInfo(target) != nil { continue }
                if rename(path, target) == 0 { return }
                if errno == EXDEV {
                    let source = try openForReading(path, what: path)
                    defer { close(source) }
                    try copy(from: source, toNew: target, mode: 0o640, limit: nil, what: target)
                    if unlink(path) != 0, errno != ENOENT { throw localError(errno, "cannot remove \(path) after copying it") }
                    return
                }
            }
            throw localError(code, "cannot move \(path) into \(folder)")
        }
        throw TransportError(.localIO, "cannot move \(path) into \(folder): 1000 names taken")
    }

    /// Reads a folder without following anything: names as raw bytes, kinds from lstat.
    static func scan(_ folder: String) throws -> [OutboxEntry] {
        guard let dir = opendir(folder) else { throw localError(errno, "cannot read outbox folder \(folder)") }
        defer { closedir(dir) }
        let dirFD = dirfd(dir)
        var entries: [OutboxEntry] = []
        while let entry = readdir(dir) {
            let nameBytes: [UInt8] = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                let end = bytes.firstIndex(of: 0) ?? bytes.count
                return Array(bytes[0..<end])
            }
            if nameBytes == [0x2E] || nameBytes == [0x2E, 0x2E] { continue }
            var info = stat()
            let ok = nameBytes.withUnsafeBufferPointer { buffer -> Bool in
                var cName = Array(buffer)
                cName.append(0)
                return cName.withUnsafeBufferPointer { fstatat(dirFD, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), &info, AT_SYMLINK_NOFOLLOW) == 0 }
            }
            guard ok else { continue }  // vanished meanwhile
            let kind: OutboxEntry.Kind
            switch info.st_mode & S_IFMT {
            case S_IFREG: kind = .file
            case S_IFLNK: kind = .symlink
            case S_IFDIR: kind = .directory
            default: kind = .other
            }
            entries.append(OutboxEntry(nameBytes: nameBytes, kind: kind, size: Int64(info.st_size)))
        }
        return entries
    }
}

/// glibc's `ssize_t copy_file_range(int, off64_t *, int, off64_t *, size_t, unsigned)`
/// (declared only with `_GNU_SOURCE`, so not in the Glibc module).
@_silgen_name("copy_file_range")
private func glibcCopyFileRange(_ input: Int32, _ inputOffset: UnsafeMutablePointer<Int64>?, _ output: Int32,
                                _ outputOffset: UnsafeMutablePointer<Int64>?, _ length: Int, _ flags: UInt32) -> Int
