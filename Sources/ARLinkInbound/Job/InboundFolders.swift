import ARLinkCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The private work folders of one partner's inbound side, under
/// `<work_dir>/inbound/<partner>/`: `incoming` (fetched envelopes), `plain` (decrypted
/// plaintext, removed after use), `receipts` (sealed receipts until delivered), `archive`
/// (applied envelopes) and `quarantine` (refused envelopes with their reason files), both
/// as `<folder>/<sha256 of the envelope>/<name>`.
struct InboundFolders {
    let root: String
    var incoming: String { root + "/incoming" }
    var plain: String { root + "/plain" }
    var receipts: String { root + "/receipts" }
    var archive: String { root + "/archive" }
    var quarantine: String { root + "/quarantine" }

    init(workDirectory: String, partner: String) throws {
        root = workDirectory + "/inbound/" + partner
        for path in [root, incoming, plain, receipts, archive, quarantine] {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw InboundError(.io, "cannot create the inbound work folder \(path): \(error.localizedDescription)")
            }
        }
    }

    /// `<folder>/<sha256>/<name>`, creating the `<sha256>` folder: a name a later file cannot
    /// take, because the bytes decide it (the same bytes are claimed once, so never kept twice).
    func evidencePath(in folder: String, sha256: String, name: String) throws -> String {
        let digestFolder = folder + "/" + sha256
        if mkdir(digestFolder, 0o700) != 0, errno != EEXIST {
            throw InboundError(.io, "cannot create \(digestFolder): \(LocalIO.describe(errno))")
        }
        return digestFolder + "/" + name
    }

    /// Moves the fetched envelope `local` to ``evidencePath(in:sha256:name:)`` without ever
    /// replacing anything there: `link(2)` then `unlink(2)`; when the name is taken it holds
    /// these very bytes (its folder is their SHA-256) from an interrupted earlier move.
    func keep(_ local: String, in folder: String, sha256: String, name: String) throws {
        let target = try evidencePath(in: folder, sha256: sha256, name: name)
        if link(local, target) != 0, errno != EEXIST {
            throw InboundError(.io, "cannot move \(name) into \(folder): \(LocalIO.describe(errno))")
        }
        if unlink(local) != 0, errno != ENOENT {
            throw InboundError(.io, "cannot remove \(local) after moving it into \(folder): \(LocalIO.describe(errno))")
        }
        let directory = open(folder + "/" + sha256, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            defer { close(directory) }
            if fsync(directory) != 0 { throw InboundError(.io, "fsync of \(folder)/\(sha256) failed: \(LocalIO.describe(errno))") }
        }
    }
}
