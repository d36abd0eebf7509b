import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads key files for the Ed25519 types, refusing private keys that others could read.
enum KeyFileReader {
    /// Reads the whole (small) key file at `path`.
    ///
    /// - Parameter requireOwnerOnly: refuse the file when any group or other permission bit
    ///   is set (`mode & 0o077 != 0`), as design section 4 requires for private keys.
    /// - Throws: ``Ed25519Error`` `.keyFileMissing`, `.keyPermissions` or `.keyFormat`.
    static func read(_ path: String, what: String, requireOwnerOnly: Bool) throws -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw Ed25519Error(.keyFileMissing, "\(what) \(path) cannot be read: \(String(cString: strerror(errno))); check the path in the configuration")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw Ed25519Error(.keyFormat, "\(what) \(path) is not a regular file")
        }
        if requireOwnerOnly, info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw Ed25519Error(.keyPermissions, "\(what) \(path) has mode \(mode), readable by group or others; run `chmod 600 \(path)`")
        }
        guard info.st_size <= 64 * 1024 else {
            throw Ed25519Error(.keyFormat, "\(what) \(path) is \(info.st_size) bytes, too large for a key file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Ed25519Error(.keyFileMissing, "\(what) \(path) cannot be read; check its permissions")
        }
        return [UInt8](data)
    }
}
