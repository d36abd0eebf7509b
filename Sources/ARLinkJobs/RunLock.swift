import ARLinkSystem
import ARLinkCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One run at a time per state database: an exclusive `flock` on `<database>.lock`, held for
/// the life of the run and released by the kernel when the process ends, however it ends.
///
/// arlink runs unattended on a schedule; a run that takes longer than the interval must not
/// meet the next one on the same outbox, ledger and ERP folder. The second run stops at once
/// with exit 75 (try again later) and changes nothing. The file holds the holder's pid.
///
/// The descriptor is opened with `O_CLOEXEC`, but a child process still holds a copy of it
/// from the moment it is spawned until it executes its program (`posix_spawn` and `fork`
/// copy every descriptor first); a `flock` belongs to the open file, so the lock outlives the
/// close of an earlier run in the same process for that moment. When the lock is taken and
/// the pid in the file is this process's own, the holder is such a copy (or another run
/// context of this process): the lock is tried again for up to a second before giving up.
final class RunLock {
    private let fd: Int32

    /// Takes the lock or throws.
    /// - Throws: ``JobError`` `.busy` (exit 75) when another process holds it, `.io` when the
    ///   lock file cannot be opened.
    init(databasePath: String) throws {
        let path = databasePath + ".lock"
        let fd = Syscall.open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw JobError(.io, "cannot open the run lock \(path) (\(LocalIO.describe(errno)))") }
        var attempts = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = Self.holder(fd)
            if code == EWOULDBLOCK && holder == String(getpid()) && attempts < 100 {
                attempts += 1
                usleep(10_000)
                continue
            }
            close(fd)
            guard code == EWOULDBLOCK else { throw JobError(.io, "cannot lock \(path) (\(LocalIO.describe(code)))") }
            throw JobError(.busy, "another arlink run (pid \(holder ?? "?")) is working on \(databasePath); this run stopped without changing anything: try again when it has ended")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = Syscall.pwriteAll(fd, pid, at: 0)
        self.fd = fd
    }

    /// The pid the holder wrote into the lock file, if any.
    private static func holder(_ fd: Int32) -> String? {
        guard let bytes = Syscall.pread(fd, count: 32, at: 0), !bytes.isEmpty else { return nil }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit { close(fd) }  // closing the descriptor releases the lock
}
