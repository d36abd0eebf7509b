import ARLinkCore
public import ARLinkSystem

/// An owner-only output file rendered record by record: a ``DurableFile`` (written under a
/// temporary name, fsynced and renamed when finished; full buffers go to the disk on a
/// background thread, through the digest if one is given) with this module's errors.
final class FileSink {
    let path: String
    /// What records are rendered into.
    let out: RenderBuffer
    private let file: DurableFile

    /// Creates the temporary file for `path` with mode 0600; `digest` (if any) sees every byte.
    /// - Throws: ``FormatError/Code/writeFailed``.
    init(path: String, digest: (any StreamingDigest)?) throws(FormatError) {
        self.path = path
        do {
            file = try DurableFile(path: path, mode: 0o600, digest: digest)
        } catch {
            throw FormatError(.writeFailed, "\(error.description): check that its folder exists and is writable")
        }
        out = file.buffer
    }

    /// Bytes written to the file so far.
    var bytesWritten: Int64 { file.bytesWritten }

    @inline(__always)
    func append(_ byte: UInt8) { out.append(byte) }

    func append(_ string: String) { out.append(utf8: string) }

    func raw(_ text: StaticString) { out.append(text) }

    /// Ends a record: hands the buffer to the disk once it is full.
    @inline(__always)
    func endRecord() throws(FormatError) {
        do { try file.flushIfFull() } catch { throw FormatError(.writeFailed, error.description) }
    }

    /// Writes the rest, fsyncs, renames to ``path`` and fsyncs the folder.
    /// - Returns: the digest's lowercase hex (empty without one).
    func finish() throws(FormatError) -> String {
        do { try file.commit() } catch { throw FormatError(.writeFailed, "\(error.description); the file is not safely written") }
        return file.digestHex()
    }

    /// Stops and removes the temporary file.
    func abort() { file.discard() }
}
