import ARLinkSystem
import Foundation

/// One output file of the sample extract, formatted straight into the buffer of a
/// ``DurableFile`` (ARLinkSystem): no Foundation formatting and no intermediate strings in
/// the per-row path.
///
/// The file is written under a hidden temporary name in the target folder (mode 0600),
/// fsynced by ``finish()`` and moved into place by ``commit()``; a writer that is never
/// committed removes its temporary file when it is released.
final class SampleFileWriter {
    /// The name the file has once committed.
    let path: String
    /// Bytes handed to the writer so far.
    private(set) var byteCount: Int64 = 0

    private let file: DurableFile
    private var stagedBytes: Int64?
    private var committed = false

    /// Creates (replacing a leftover) the temporary file next to `path`.
    /// - Throws: ``SampleExtractError/Code/writeFailed`` naming the file and the system error.
    init(path: String) throws {
        self.path = path
        do {
            file = try DurableFile(path: path)
        } catch {
            throw Self.failure(error)
        }
    }

    deinit {
        if stagedBytes != nil && !committed { try? FileManager.default.removeItem(atPath: DurableFile.temporaryPath(for: path)) }
    }

    // MARK: - Appending

    /// Hands the buffer to the disk once it is full.
    @inline(__always)
    private func flushIfFull() throws {
        do { try file.flushIfFull() } catch { throw Self.failure(error) }
    }

    /// Appends one byte.
    @inline(__always)
    func byte(_ value: UInt8) throws {
        file.buffer.append(value)
        byteCount += 1
    }

    /// Appends bytes as they are (used for fields known not to need quoting).
    func bytes(_ values: Span<UInt8>) throws {
        file.buffer.append(values)
        byteCount += Int64(values.count)
        try flushIfFull()
    }

    /// Appends a byte array as it is.
    func bytes(_ values: [UInt8]) throws {
        try bytes(values.span)
    }

    /// Appends a string's UTF-8 as it is.
    func text(_ value: String) throws {
        file.buffer.append(utf8: value)
        byteCount += Int64(value.utf8.count)
        try flushIfFull()
    }

    /// Appends a CSV field with RFC 4180 quoting: quoted when it holds a comma, a double
    /// quote, CR or LF (inner quotes doubled), as it is otherwise.
    func field(_ value: String) throws {
        let utf8 = value.utf8
        guard utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return try text(value) }
        try byte(0x22)
        for b in utf8 {
            if b == 0x22 { try byte(0x22) }
            try byte(b)
        }
        try byte(0x22)
        try flushIfFull()
    }

    /// Appends a non-negative integer in decimal, left-padded with zeros to `minimumWidth`.
    func unsigned(_ value: UInt64, minimumWidth: Int = 1) throws {
        var digits = 1
        var probe = value
        while probe >= 10 { probe /= 10; digits += 1 }
        let width = max(digits, min(minimumWidth, 20))
        for _ in digits..<width { file.buffer.append(0x30) }
        file.buffer.appendDecimal(value)
        byteCount += Int64(width)
    }

    /// Appends minor units as a decimal with `exponent` fraction digits ("1234.50", "-3.05", "1250000").
    func amount(_ minorUnits: Int64, exponent: Int) throws {
        if minorUnits < 0 { try byte(0x2D) }
        let magnitude = minorUnits.magnitude
        guard exponent > 0 else { return try unsigned(magnitude) }
        var scale: UInt64 = 1
        for _ in 0..<exponent { scale *= 10 }
        try unsigned(magnitude / scale)
        try byte(0x2E)
        try unsigned(magnitude % scale, minimumWidth: exponent)
    }

    // MARK: - Completing

    /// Writes what is buffered, syncs the file to disk and closes it (under its temporary name).
    func finish() throws {
        do { stagedBytes = try file.stage() } catch { throw Self.failure(error) }
    }

    /// Moves the finished file to its final name (replacing an older one) and syncs the folder.
    func commit() throws {
        guard let stagedBytes else { throw SampleExtractError(.writeFailed, "\(path) was committed before it was finished") }
        do {
            try DurableFile.publish(path: path, expectedBytes: stagedBytes)
        } catch {
            throw Self.failure(error)
        }
        committed = true
    }

    private static func failure(_ error: DurableFileError) -> SampleExtractError {
        SampleExtractError(.writeFailed, error.description, errno: error.code)
    }
}
