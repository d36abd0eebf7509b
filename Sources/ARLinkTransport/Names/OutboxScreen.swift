/// One entry of a raw outbox listing, before any name is trusted.
struct OutboxEntry {
    enum Kind { case file, symlink, directory, other }
    /// The name exactly as the server or file system reported it.
    let nameBytes: [UInt8]
    let kind: Kind
    let size: Int64
    /// The modification time in nanoseconds since the epoch, where the listing gives one exactly (the folder transport).
    var modified: Int64? = nil
}

/// Turns raw outbox looks into an ``OutboxListing``: drops dot files, `.part` files and done
/// markers, skips hostile names, symlinks and pattern mismatches, and keeps only files whose
/// size (and modification time, where known) is the same in two looks (or whose done marker exists).
struct OutboxScreen {
    let rules: OutboxRules
    let pattern: NamePattern

    /// The result of screening one look.
    struct Look {
        var candidates: [String: Int64] = [:]
        /// Modification times of the candidates, where the listing gives them.
        var modified: [String: Int64] = [:]
        var markers: Set<String> = []
        var skipped: [SkippedName] = []
    }

    func screen(_ entries: [OutboxEntry]) -> Look {
        var look = Look()
        for entry in entries {
            let bytes = entry.nameBytes
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            if bytes.first == 0x2E, RemoteName.problem(bytes.dropFirst()) == nil { continue }  // ordinary dot files are never ours
            if bytes.count > 5, Array(bytes.suffix(5)) == Array(".part".utf8) { continue }
            if let problem = RemoteName.problem(bytes) {
                look.skipped.append(SkippedName(escapedName: RemoteName.escape(bytes), reason: "name \(problem)"))
                continue
            }
            let name = String(decoding: bytes, as: UTF8.self)
            if let suffix = rules.doneMarkerSuffix, name.hasSuffix(suffix), name.count > suffix.count {
                look.markers.insert(String(name.dropLast(suffix.count)))
                continue
            }
            switch entry.kind {
            case .symlink:
                look.skipped.append(SkippedName(escapedName: name, reason: "is a symbolic link (never followed)"))
                continue
            case .directory:
                continue
            case .other:
                look.skipped.append(SkippedName(escapedName: name, reason: "is not a regular file"))
                continue
            case .file:
                break
            }
            guard pattern.matches(name) else {
                look.skipped.append(SkippedName(escapedName: name, reason: "does not match the partner's name pattern \(pattern.source)"))
                continue
            }
            look.candidates[name] = entry.size
            look.modified[name] = entry.modified
        }
        return look
    }

    /// Whether a second look is needed (some candidate has no done marker).
    func needsSecondLook(_ first: Look) -> Bool {
        rules.stabilityInterval > .zero && first.candidates.keys.contains { !first.markers.contains($0) }
    }

    /// Combines two looks (or one, when no second look was needed) into the listing.
    func listing(first: Look, second: Look?) -> OutboxListing {
        var files: [RemoteFile] = []
        var skipped = (second ?? first).skipped
        for (name, size) in first.candidates {
            if first.markers.contains(name) {
                files.append(RemoteFile(name: name, size: second?.candidates[name] ?? size))
                continue
            }
            guard let second else {
                files.append(RemoteFile(name: name, size: size))
                continue
            }
            guard let later = second.candidates[name] else { continue }  // gone meanwhile
            if later != size {
                skipped.append(SkippedName(escapedName: name, reason: "changed size between two looks (\(size) then \(later) bytes), still being written; a later run fetches it"))
            } else if first.modified[name] != second.modified[name] {
                skipped.append(SkippedName(escapedName: name, reason: "was modified between two looks (same size \(size) bytes), still being written; a later run fetches it"))
            } else {
                files.append(RemoteFile(name: name, size: size))
            }
        }
        files.sort { $0.name < $1.name }
        return OutboxListing(files: files, skipped: skipped)
    }
}
