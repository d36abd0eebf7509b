internal import CCurlShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state behind libcurl's read and write callbacks for one transfer.
///
/// Passed to libcurl as unretained user data; the caller keeps it alive across `perform()`.
final class TransferContext {
    enum Mode {
        /// Upload: read from this descriptor.
        case readFile(Int32)
        /// Download: write to this descriptor, at most `limit` bytes (more means the file grew).
        case writeFile(Int32, limit: Int64)
        /// Download into memory, at most `limit` bytes (listings).
        case collect(limit: Int)
        /// Download and compare with this descriptor's bytes from its current offset.
        case compare(Int32)
        /// Download and discard (HTTP error bodies are collected up to 4 KiB).
        case discard
    }

    let mode: Mode
    /// Bytes passed through the callback.
    var bytes: Int64 = 0
    /// Called with ``bytes`` after each upload read (progress on a terminal).
    var onRead: ((Int64) -> Void)?
    /// Collected bytes (`.collect`, and the first 4 KiB for `.discard`).
    var collected: [UInt8] = []
    /// A local failure inside the callback (the transfer was aborted because of it).
    var localFailure: TransportError?
    /// The download had more bytes than allowed.
    var exceeded = false
    /// `.compare` found a difference.
    var differs = false

    init(_ mode: Mode) {
        self.mode = mode
    }

    var userData: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> TransferContext? {
        guard let pointer else { return nil }
        return Unmanaged<TransferContext>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// CURLOPT_READFUNCTION: fills libcurl's buffer from the file.
    static let readCallback: CCurlShims_data_callback = { buffer, size, count, user in
        guard let context = TransferContext.from(user), case .readFile(let fd) = context.mode else {
            return CCurlShims_readfunc_abort()
        }
        while true {
            let got = read(fd, buffer, size * count)
            if got >= 0 {
                context.bytes += Int64(got)
                context.onRead?(context.bytes)
                return got
            }
            if errno == EINTR { continue }
            context.localFailure = localError(errno, "reading the file being uploaded failed")
            return CCurlShims_readfunc_abort()
        }
    }

    /// CURLOPT_WRITEFUNCTION: takes downloaded bytes; returning less than given aborts the transfer.
    static let writeCallback: CCurlShims_data_callback = { buffer, size, count, user in
        let length = size * count
        guard let context = TransferContext.from(user) else { return 0 }
        let raw = UnsafeRawBufferPointer(start: buffer, count: length)
        switch context.mode {
        case .readFile:
            return 0
        case .writeFile(let fd, let limit):
            if context.bytes + Int64(length) > limit {
                context.exceeded = true
                return 0
            }
            do {
                try LocalFiles.writeAll(fd, raw, "the downloaded file")
            } catch let error as TransportError {
                context.localFailure = error
                return 0
            } catch {
                return 0
            }
        case .collect(let limit):
            if context.collected.count + length > limit {
                context.exceeded = true
                return 0
            }
            context.collected.append(contentsOf: raw)
        case .compare(let fd):
            let mine = UnsafeMutableRawBufferPointer.allocate(byteCount: max(length, 1), alignment: 16)
            defer { mine.deallocate() }
            let got = (try? LocalFiles.readFully(fd, UnsafeMutableRawBufferPointer(rebasing: mine[0..<length]), "local file")) ?? -1
            if got != length || memcmp(mine.baseAddress!, buffer, length) != 0 {
                context.differs = true
                return 0
            }
        case .discard:
            if context.collected.count < 4096 {
                context.collected.append(contentsOf: raw.prefix(4096 - context.collected.count))
            }
        }
        context.bytes += Int64(length)
        return length
    }
}
