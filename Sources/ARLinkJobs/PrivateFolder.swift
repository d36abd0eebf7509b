import ARLinkSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Creates folders that hold plaintext or state with owner-only permissions.
enum PrivateFolder {
    /// Creates `path` (and parents) if missing; new folders get `mode`. Refuses a symbolic link.
    static func ensure(_ path: String, mode: Int = 0o700) throws {
        if let st = Syscall.lstat(path) {
            if (st.st_mode & S_IFMT) == S_IFLNK {
                throw JobError(.io, "\(path) is a symbolic link; arlink's state and work folders must be real folders")
            }
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                throw JobError(.io, "\(path) exists but is not a folder")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
        } catch {
            throw JobError(.io, "cannot create folder \(path): \(error.localizedDescription)")
        }
    }
}
