import ARLinkCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered byte writer for one output file that appears only when complete.
///
/// Bytes go into a 1 MiB buffer that is written with `write(2)` when full; the file is created
/// under a hidden temporary name in the target folder (mode 0600), synced with `fsync(2)` by
/// ``finish()`` and moved into place with `rename(2)` by ``commit()``. A writer that is never
/// committed removes its temporary file when it is released.
///
/// Numbers, dates and CSV fields are formatted straight into the buffer: no Foundation
/// formatting and no intermediate strings in the per-row path.
final class SampleFileWriter {
    /// The name the file has once committed.
    let path: String
    /// The temporary name while it is being written.
    let temporaryPath: String
    /// Bytes handed to the writer so far (buffered or written).
    private(set) var byteCount: Int64 = 0

    private static let capacity = 1 << 20
    private let buffer: UnsafeMutablePointer<UInt8>
    private var used = 0
    private var descriptor: Int32
    private var committed = false

    /// Creates (truncating) the temporary file next to `path`.
    /// - Throws: ``SampleExtractError/Code/writeFailed`` naming the file and the system error.
    init(path: String) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) + "/" } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporaryPath = "\(folder).\(name).\(getpid()).tmp"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            throw SampleExtractError(.writeFailed, "cannot create \(temporaryPath): \(SampleFileWriter.describe(code))", errno: code)
        }
        buffer = .allocate(capacity: SampleFileWriter.capacity)
    }

    deinit {
        buffer.deallocate()
        if descriptor >= 0 { _ = close(descriptor) }
        if !committed { _ = unlink(temporaryPath) }
    }

    // MARK: - Appending

    /// Makes room for `count` more bytes, writing the buffer out if needed.
    @inline(__always)
    private func reserve(_ count: Int) throws {
        if used + count > SampleFileWriter.capacity { try drain() }
    }

    /// Appends one byte.
    @inline(__always)
    func byte(_ value: UInt8) throws {
        try reserve(1)
        buffer[used] = value
        used += 1
        byteCount += 1
    }

    /// Appends raw bytes (used for fields known not to need quoting).
    func bytes(_ values: UnsafeRawBufferPointer) throws {
        var rest = values
        while let base = rest.baseAddress, !rest.isEmpty {
            if used == SampleFileWriter.capacity { try drain() }
            let n = min(rest.count, SampleFileWriter.capacity - used)
            UnsafeMutableRawPointer(buffer + used).copyMemory(from: base, byteCount: n)
            used += n
            byteCount += Int64(n)
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
        }
    }

    /// Appends a byte array as it is.
    func bytes(_ values: [UInt8]) throws {
        try values.withUnsafeBytes { try bytes($0) }
    }

    /// Appends a string's UTF-8 as it is.
    func text(_ value: String) throws {
        var copy = value
        try copy.withUTF8 { try bytes(UnsafeRawBufferPointer($0)) }
    }

    /// Appends a CSV field with RFC 4180 quoting: quoted when it holds a comma, a double
    /// quote, CR or LF (inner quotes doubled), as it is otherwise.
    func field(_ value: String) throws {
        var copy = value
        try copy.withUTF8 { utf8 in
            var needsQuotes = false
            for b in utf8 where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D {
                needsQuotes = true
                break
            }
            guard needsQuotes else { return try bytes(UnsafeRawBufferPointer(utf8)) }
            try byte(0x22)
            for b in utf8 {
                if b == 0x22 { try byte(0x22) }
                try byte(b)
            }
            try byte(0x22)
        }
    }

    /// Appends a non-negative integer in decimal, left-padded with zeros to `minimumWidth`.
    func unsigned(_ value: UInt64, minimumWidth: Int = 1) throws {
        try reserve(24)
        var digits = 1
        var probe = value
        while probe >= 10 { probe /= 10; digits += 1 }
        let width = max(digits, min(minimumWidth, 20))
        var position = used + width - 1
        var rest = value
        for _ in 0..<width {
            buffer[position] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
            rest /= 10
            position -= 1
        }
        used += width
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

    /// Writes the buffered bytes with `write(2)`, retrying short writes and `EINTR`.
    private func drain() throws {
        var offset = 0
        while offset < used {
            let n = write(descriptor, buffer + offset, used - offset)
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                throw SampleExtractError(.writeFailed, "cannot write \(temporaryPath): \(SampleFileWriter.describe(code))", errno: code)
            }
            offset += n
        }
        used = 0
    }

    /// Writes what is buffered, syncs the file to disk and closes it.
    func finish() throws {
        try drain()
        if fsync(descriptor) != 0 {
            let code = errno
            throw SampleExtractError(.writeFailed, "cannot sync \(temporaryPath): \(SampleFileWriter.describe(code))", errno: code)
        }
        let result = close(descriptor)
        descriptor = -1
        if result != 0 {
            let code = errno
            throw SampleExtractError(.writeFailed, "cannot close \(temporaryPath): \(SampleFileWriter.describe(code))", errno: code)
        }
    }

    /// Moves the finished file to its final name (replacing an older one).
    func commit() throws {
        if rename(temporaryPath, path) != 0 {
            let code = errno
            throw SampleExtractError(.writeFailed, "cannot rename \(temporaryPath) to \(path): \(SampleFileWriter.describe(code))", errno: code)
        }
        committed = true
    }

    /// Syncs a folder so that renames inside it are durable.
    static func syncFolder(_ folder: String) throws {
        let fd = open(folder, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw SampleExtractError(.writeFailed, "cannot open folder \(folder): \(describe(code))", errno: code)
        }
        defer { _ = close(fd) }
        if fsync(fd) != 0 {
            let code = errno
            throw SampleExtractError(.writeFailed, "cannot sync folder \(folder): \(describe(code))", errno: code)
        }
    }

    static func describe(_ code: Int32) -> String { LocalIO.describe(code) }
}
