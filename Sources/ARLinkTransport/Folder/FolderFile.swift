#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File operations of the folder transport: scanning without following links, copying into a
/// fresh temporary file with fsync, and renaming without ever replacing an existing name.
enum FolderFile {
    /// Opens an existing file for reading and refuses anything but a regular file.
    ///
    /// `open(2)` with `O_NONBLOCK`, so a FIFO or device put in our way cannot stall the run in
    /// `open`, and `O_NOFOLLOW`, so a symbolic link at the last component is not followed;
    /// then `fstat(2)` of the opened descriptor (not of the name, which may change meanwhile).
    /// - Parameters:
    ///   - what: the file as the error message names it.
    ///   - refusal: the error code when the entry is a link or not a regular file
    ///     (`.invalidName` for a partner's file, `.localIO` for one of ours).
    /// - Returns: the descriptor and its `stat`.
    static func openRegular(_ path: String, what: String, refusal: TransportError.Code = .localIO) throws -> (Int32, stat) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP { throw TransportError(refusal, "\(what) is a symbolic link; it is never followed") }
            throw localError(errno, "cannot open \(what)")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw localError(code, "cannot stat \(what)")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw TransportError(refusal, "\(what) is \(kindText(info.st_mode)), not a regular file; it was not read")
        }
        return (fd, info)
    }

    /// Opens a regular file for reading (see ``openRegular(_:what:refusal:)``).
    static func openForReading(_ path: String, what: String) throws -> Int32 {
        try openRegular(path, what: what).0
    }

    /// Creates `path` afresh for writing: whatever holds the name is unlinked first (a stale
    /// `.part`, or a FIFO a partner put there), then `open(2)` with
    /// `O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK`, which never opens an existing entry.
    static func createFresh(_ path: String, mode: mode_t, what: String) throws -> Int32 {
        if unlink(path) != 0, errno != ENOENT, errno != EISDIR {
            throw localError(errno, "cannot remove the stale \(what)")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode)
        guard fd >= 0 else {
            if errno == EEXIST || errno == EISDIR {
                throw TransportError(.conflict, "cannot create \(what): something else holds that name (a folder, or an entry created again at once); remove it")
            }
            throw localError(errno, "cannot create \(what)")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw TransportError(.localIO, "\(what) is not a regular file after creating it")
        }
        return fd
    }

    /// `a FIFO`, `a folder`... for messages about an entry that is not a regular file.
    static func kindText(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a FIFO"
        case S_IFDIR: "a folder"
        case S_IFLNK: "a symbolic link"
        case S_IFSOCK: "a socket"
        case S_IFCHR, S_IFBLK: "a device"
        default: "a regular file"
        }
    }

    /// Copies from `source` (current offset to end, or at most `limit + 1` bytes) into a new
    /// file at `path` (replacing a stale one, see ``createFresh(_:mode:what:)``), fsyncs and
    /// closes it. Returns the bytes copied.
    /// - Parameter sync: fsync the copy before returning (false: the caller makes it durable).
    @discardableResult
    static func copy(from source: Int32, toNew path: String, mode: mode_t, limit: Int64?, what: String, sync: Bool = true) throws -> Int64 {
        let target = try createFresh(path, mode: mode, what: what)
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
        let existing: Int32
        let a: stat
        do {
            (existing, a) = try openRegular(finalPath, what: finalPath, refusal: .conflict)
        } catch let error as TransportError where error.code == .conflict || error.code == .localIO || error.code == .permissionDenied {
            throw TransportError(.conflict, "\(finalPath) already exists and cannot be compared (\(error.message)); it was not overwritten with \(localFile), resolve it with the partner")
        }
        defer { close(existing) }
        var b = stat()
        guard fstat(source, &b) == 0 else { throw localError(errno, "cannot stat \(localFile)") }
        if a.st_size == b.st_size, try LocalFiles.sameContent(existing, source, finalPath) {
            return .alreadyPresent
        }
        throw TransportError(.conflict, "\(finalPath) already exists with different content (\(a.st_size) bytes) than \(localFile) (\(b.st_size) bytes); it was not overwritten, resolve it with the partner")
    }

    /// Moves `path` into `folder` under `name`, or `name.1`, `name.2`... if taken, never replacing.
    ///
    /// Idempotent: a move is a `link(2)` then an `unlink(2)` of `path`, and a crash between the
    /// two leaves both names on one inode; a name in `folder` that already is the same file
    /// (same device and inode, or, where the move had to copy across file systems, a regular
    /// file with the same bytes) counts as the move done, so the re-run removes `path` instead
    /// of making an identical `name.1`.
    static func moveNoReplace(_ path: String, intoFolder folder: String, name: String) throws {
        let (source, info) = try openRegular(path, what: path, refusal: .invalidName)
        defer { close(source) }
        for attempt in 0..<1000 {
            let target = folder + "/" + (attempt == 0 ? name : "\(name).\(attempt)")
            if try isSameFile(target, as: source, info) {
                if unlink(path) != 0, errno != ENOENT { throw localError(errno, "cannot remove \(path) after moving it") }
                return
            }
            if link(path, target) == 0 {
                if unlink(path) != 0, errno != ENOENT { throw localError(errno, "cannot remove \(path) after moving it") }
                return
            }
            let code = errno
            if code == EEXIST { continue }
            if code == EXDEV || code == EPERM || code == ENOTSUP || code == EOPNOTSUPP {
                if LocalFiles.lstatInfo(target) != nil { continue }
                if code != EXDEV {  // no hard links here: a rename, after the check above
                    guard rename(path, target) == 0 else { throw localError(errno, "cannot move \(path) into \(folder)") }
                    return
                }
                // Across file systems: copy under a temporary name, then link it to the final one.
                let temporary = folder + "/." + name + ".part"
                guard lseek(source, 0, SEEK_SET) == 0 else { throw localError(errno, "rewinding \(path) failed") }
                try copy(from: source, toNew: temporary, mode: 0o640, limit: nil, what: temporary)
                defer { unlink(temporary) }
                if link(temporary, target) != 0 {
                    if errno == EEXIST { continue }
                    throw localError(errno, "cannot move \(path) into \(folder)")
                }
                if unlink(path) != 0, errno != ENOENT { throw localError(errno, "cannot remove \(path) after copying it") }
                return
            }
            throw localError(code, "cannot move \(path) into \(folder)")
        }
        throw TransportError(.localIO, "cannot move \(path) into \(folder): 1000 names taken")
    }

    /// Whether `target` is the file open as `source`: the same inode, or a regular file of the
    /// same size and bytes on another device (a copy an interrupted move left behind).
    private static func isSameFile(_ target: String, as source: Int32, _ info: stat) throws -> Bool {
        guard let other = LocalFiles.lstatInfo(target), (other.st_mode & S_IFMT) == S_IFREG, other.st_size == info.st_size else { return false }
        if other.st_dev == info.st_dev { return other.st_ino == info.st_ino }
        guard let (fd, _) = try? openRegular(target, what: target) else { return false }
        defer { close(fd) }
        guard lseek(source, 0, SEEK_SET) == 0 else { throw localError(errno, "rewinding the file to compare with \(target) failed") }
        return try LocalFiles.sameContent(fd, source, target)
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
            entries.append(OutboxEntry(nameBytes: nameBytes, kind: kind, size: Int64(info.st_size), modified: modifiedNanoseconds(info)))
        }
        return entries
    }
}

/// The modification time of `info` in nanoseconds since the epoch.
func modifiedNanoseconds(_ info: stat) -> Int64 {
    Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
}

/// glibc's `ssize_t copy_file_range(int, off64_t *, int, off64_t *, size_t, unsigned)`
/// (declared only with `_GNU_SOURCE`, so not in the Glibc module).
@_silgen_name("copy_file_range")
private func glibcCopyFileRange(_ input: Int32, _ inputOffset: UnsafeMutablePointer<Int64>?, _ output: Int32,
                                _ outputOffset: UnsafeMutablePointer<Int64>?, _ length: Int, _ flags: UInt32) -> Int
