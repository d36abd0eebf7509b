import Foundation

/// The private work folders of one partner's inbound side, under
/// `<work_dir>/inbound/<partner>/`: `incoming` (fetched envelopes), `plain` (decrypted
/// plaintext, removed after use), `receipts` (sealed receipts until delivered), `archive`
/// and `quarantine`.
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
}
