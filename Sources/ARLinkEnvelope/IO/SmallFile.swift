import ARLinkCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads small files (certificates, keys, CRLs, passphrases) whole, with a size cap.
enum SmallFile {
    /// The largest certificate, key, CRL or passphrase file we read (4 MiB).
    static let cap = 4 << 20

    /// Reads `path` completely.
    /// - Throws: ``EnvelopeError/Code/missingFile`` when absent or unreadable, ``EnvelopeError/Code/io``
    ///   when larger than ``cap``.
    static func read(_ path: String, what: String) throws(EnvelopeError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw EnvelopeError(.missingFile, "\(what) \(path) cannot be opened: \(errnoText()) (check the path)")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw EnvelopeError(.missingFile, "\(what) \(path) cannot be read: \(errnoText())")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > cap {
                throw EnvelopeError(.io, "\(what) \(path) is larger than \(cap >> 20) MiB; that is not a \(what)")
            }
        }
        return bytes
    }

    /// The permission bits of `path` (following no symbolic link), or nil when it cannot be stat'ed.
    static func mode(_ path: String) -> mode_t? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return st.st_mode & 0o7777
    }

    /// Refuses a secret file (private key, passphrase file) readable or writable by group or others.
    static func requireOwnerOnly(_ path: String, what: String) throws(EnvelopeError) {
        guard let mode = mode(path) else {
            throw EnvelopeError(.missingFile, "\(what) \(path) does not exist or cannot be read (check the path)")
        }
        if mode & 0o077 != 0 {
            throw EnvelopeError(
                .keyPermissions,
                "\(what) \(path) has mode \(String(mode, radix: 8)); it must be readable by its owner only (run chmod 600 \(path))"
            )
        }
    }
}

extension SmallFile {
    /// Refuses a certificate, trust anchor or CRL that anybody on the machine could replace
    /// (world-writable): whoever could write it would choose whom we trust.
    static func requireNotWorldWritable(_ path: String, what: String) throws(EnvelopeError) {
        guard let mode = mode(path) else { return }  // the read that follows names a missing file
        if mode & 0o002 != 0 {
            throw EnvelopeError(
                .certificatePermissions,
                "\(what) \(path) has mode \(String(mode, radix: 8)); anybody could replace it (run chmod 644 \(path))"
            )
        }
    }
}

/// The text of the current `errno`.
func errnoText() -> String { LocalIO.describe(errno) }
