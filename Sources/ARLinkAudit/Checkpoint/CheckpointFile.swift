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
    /// Appends `notes` with `O_APPEND` and `fsync`s the file (created 0644 if missing).
    /// - Throws: ``AuditError`` `.checkpointFile`.
    public static func append(_ notes: [String], to path: String) throws {
        guard !notes.isEmpty else { return }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw AuditError(.checkpointFile, "cannot open checkpoint file \(path) for appending: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array(notes.map { $0 + "\n" }.joined().utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                throw AuditError(.checkpointFile, "cannot write checkpoint file \(path): \(String(cString: strerror(errno)))")
            }
            written += result
        }
        guard fsync(fd) == 0 else {
            throw AuditError(.checkpointFile, "cannot fsync checkpoint file \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The notes in the file, oldest first; an empty list when the file does not exist.
    /// - Throws: ``AuditError`` `.checkpointFile` when it exists but cannot be read.
    public static func read(_ path: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditError(.checkpointFile, "cannot read checkpoint file \(path)")
        }
        return SignedNote.splitNotes(String(decoding: data, as: UTF8.self))
    }
}
