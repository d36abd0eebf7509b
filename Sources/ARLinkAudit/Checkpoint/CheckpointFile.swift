import ARLinkCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exported, append-only checkpoint file: signed notes one after another, each followed
/// by a blank line. Operators ship it to write-once storage; `arlink audit verify` compares
/// the database against it to catch a rollback to an older copy.
public enum CheckpointFile {
    /// What ``repairTornTail(_:)`` cut off the end of the file.
    public struct Repair: Sendable, Equatable {
        /// Bytes removed.
        public var removedBytes: Int
        /// Lowercase hex SHA-256 of the removed bytes.
        public var removedSHA256: String
    }

    /// Appends `notes`, each with one `write(2)` of the whole note and its blank line, then
    /// `fsync`s the file (created 0644 if missing). When a write fails or is short (a full
    /// disk), the file is truncated back to its length before the call, so it never ends in
    /// half a note.
    /// - Throws: ``AuditError`` `.checkpointFile` (open), `.checkpointWrite` (write, fsync, or an
    ///   open that fails on a full or failing disk).
    public static func append(_ notes: [String], to path: String) throws {
        guard !notes.isEmpty else { return }
        let fd = unsafe open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
        guard fd >= 0 else {
            let code = errno
            // A full or failing disk is temporary (75) like a failed write.
            throw AuditError(LocalIO.isStorageFault(code) ? .checkpointWrite : .checkpointFile,
                             "cannot open checkpoint file \(path) for appending: \(LocalIO.describe(code))")
        }
        defer { close(fd) }
        var status = stat()
        guard unsafe fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw AuditError(.checkpointFile, "checkpoint file \(path) is not a regular file")
        }
        let before = status.st_size
        for note in notes {
            let bytes = Array((note + "\n").utf8)
            var result = 0
            repeat {
                result = unsafe bytes.withUnsafeBytes { unsafe write(fd, $0.baseAddress!, bytes.count) }
            } while result < 0 && errno == EINTR
            if result != bytes.count {
                let reason = result < 0 ? LocalIO.describe(errno) : "only \(result) of \(bytes.count) bytes were written"
                _ = ftruncate(fd, before)
                _ = fsync(fd)
                throw AuditError(.checkpointWrite, "cannot append to checkpoint file \(path): \(reason); the file was cut back to its previous \(before) bytes; free space and run again")
            }
        }
        guard fsync(fd) == 0 else {
            throw AuditError(.checkpointWrite, "cannot fsync checkpoint file \(path): \(LocalIO.describe(errno))")
        }
    }

    /// The notes in the file, oldest first; an empty list when the file does not exist.
    /// - Throws: ``AuditError`` `.checkpointFile` when it exists but cannot be read.
    public static func read(_ path: String) throws -> [String] {
        guard let data = try contents(path) else { return [] }
        return SignedNote.splitNotes(String(decoding: data, as: UTF8.self))
    }

    /// Cuts an incomplete note off the end of the file (left by a crash or a full disk in the
    /// middle of an append), so that later runs append after the last whole note.
    ///
    /// A whole note is one or more text lines, a blank line, one or more signature lines
    /// (starting with an em dash), and the blank line that ends it. Only a tail that holds
    /// part of one note is removed; anything else (garbage or a broken note in the middle) is
    /// left for `audit verify` and the anchor check to report. The notes themselves are
    /// checked by their signatures elsewhere.
    /// - Returns: what was removed, or `nil` when the file ends with a whole note (or is absent).
    /// - Throws: ``AuditError`` `.checkpointFile` (read), `.checkpointWrite` (truncate).
    public static func repairTornTail(_ path: String) throws -> Repair? {
        guard let data = try contents(path) else { return nil }
        let bytes = [UInt8](data)
        let keep = wholeNotesLength(bytes)
        guard keep < bytes.count else { return nil }
        let removed = Array(bytes[keep...])
        // A torn append leaves at most part of one note: its text, perhaps its blank line and
        // part of its signature. More than that is an edited file, which is not "repaired".
        var blankLines = 0
        for i in removed.indices.dropFirst() where removed[i] == 0x0A && removed[i - 1] == 0x0A { blankLines += 1 }
        guard blankLines <= 1 else { return nil }
        let fd = unsafe open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            throw AuditError(.checkpointWrite, "cannot open checkpoint file \(path) to cut off its incomplete last note: \(LocalIO.describe(errno))")
        }
        defer { close(fd) }
        guard ftruncate(fd, off_t(keep)) == 0, fsync(fd) == 0 else {
            throw AuditError(.checkpointWrite, "cannot cut the incomplete last note off checkpoint file \(path): \(LocalIO.describe(errno))")
        }
        let digest = (try? MerkleHasher().sha256(removed)) ?? []
        return Repair(removedBytes: removed.count, removedSHA256: hexString(digest))
    }

    /// The length of the longest prefix of `bytes` made of whole notes.
    static func wholeNotesLength(_ bytes: [UInt8]) -> Int {
        enum State { case text, blankAfterText, signatures }
        let dash: [UInt8] = [0xE2, 0x80, 0x94, 0x20]  // "— "
        var state = State.text
        var lineStart = 0
        var textLines = 0
        var whole = 0
        var index = 0
        while index < bytes.count {
            guard bytes[index] == 0x0A else { index += 1; continue }
            let line = bytes[lineStart..<index]
            switch state {
            case .text:
                if line.isEmpty {
                    // A blank line with no text before it cannot start a note.
                    if textLines == 0 { return whole }
                    state = .blankAfterText
                } else {
                    textLines += 1
                }
            case .blankAfterText, .signatures:
                if line.isEmpty {
                    if state == .blankAfterText { return whole }
                    whole = index + 1
                    state = .text
                    textLines = 0
                } else if line.starts(with: dash) {
                    state = .signatures
                } else {
                    return whole
                }
            }
            index += 1
            lineStart = index
        }
        return whole
    }

    private static func contents(_ path: String) throws -> Data? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditError(.checkpointFile, "cannot read checkpoint file \(path)")
        }
        return data
    }
}
