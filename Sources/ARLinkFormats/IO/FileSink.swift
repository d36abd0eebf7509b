import ARLinkCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A buffered, owner-only output file that counts and hashes what it writes.
///
/// Records are encoded into one 1 MiB buffer while a helper thread hashes (SHA-256) and
/// `write(2)`s the previous one: hashing costs about as much as encoding (pure-Swift SHA-256,
/// ~275 MB/s here), so on two cores the digest comes almost for free. ``finish()`` hands over
/// the last buffer, waits, `fsync`s and closes. An fsync error fails; it is never retried on
/// the same descriptor.
final class FileSink {
    let path: String
    let displayName: String
    private let back: BackgroundWriter
    /// The buffer being filled and its fill level live behind a pointer: class stored `var`s
    /// pay a dynamic exclusivity check on every access, and `append` runs per field.
    private struct State {
        var buffer: UnsafeMutablePointer<UInt8>
        var spare: UnsafeMutablePointer<UInt8>
        var used = 0
    }
    private let st: UnsafeMutablePointer<State>
    private let capacity: Int
    private var closed = false
    private var buffer: UnsafeMutablePointer<UInt8> { st.pointee.buffer }
    private var used: Int {
        get { st.pointee.used }
        set { st.pointee.used = newValue }
    }

    /// Creates (or truncates) `path` with mode 0600; `digest` (if any) sees every byte written.
    init(path: String, mode: mode_t = 0o600, digest: (any PlaintextDigest)?, capacity: Int = 1 << 20) throws {
        self.path = path
        self.displayName = Location.displayName(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else {
            throw FormatError(.writeFailed, "cannot create \(path) (\(LocalIO.describe(errno))): check that its folder exists and is writable")
        }
        // The file may have existed with looser permissions: enforce owner-only.
        _ = fchmod(fd, mode)
        self.capacity = capacity
        st = .allocate(capacity: 1)
        st.initialize(to: State(buffer: .allocate(capacity: capacity), spare: .allocate(capacity: capacity)))
        back = BackgroundWriter(fd: fd, name: path, digest: digest)
        back.start()
    }

    deinit {
        if !closed { back.stop(); close(back.fd) }
        st.pointee.buffer.deallocate()
        st.pointee.spare.deallocate()
        st.deinitialize(count: 1)
        st.deallocate()
    }

    var bytesWritten: Int64 { back.bytesWritten }

    @inline(__always)
    func append(_ byte: UInt8) throws {
        if used == capacity { try flush() }
        buffer[used] = byte
        used += 1
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            if used == capacity { try flush() }
            let n = min(capacity - used, bytes.count - offset)
            (buffer + used).update(from: base.assumingMemoryBound(to: UInt8.self) + offset, count: n)
            used += n
            offset += n
        }
    }

    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    func append(_ string: String) throws {
        var s = string
        try s.withUTF8 { try append(UnsafeRawBufferPointer($0)) }
    }

    /// Room for at least `n` more bytes without a flush, and a pointer to write them.
    @inline(__always)
    func reserve(_ n: Int) throws -> UnsafeMutablePointer<UInt8> {
        if capacity - used < n { try flush() }
        return buffer + used
    }

    @inline(__always)
    func commit(_ n: Int) { used += n }

    /// Hands the filled buffer to the helper thread and continues in the other one.
    func flush() throws {
        guard used > 0 else { return }
        try back.hand(st.pointee.buffer, count: st.pointee.used)
        let filled = st.pointee.buffer
        st.pointee.buffer = st.pointee.spare
        st.pointee.spare = filled
        st.pointee.used = 0
    }

    /// Flushes, waits for the helper, fsyncs and closes. Returns the SHA-256 (lowercase hex,
    /// empty without hashing).
    func finish() throws -> String {
        try flush()
        back.stop()
        closed = true
        if let error = back.error {
            close(back.fd)
            throw error
        }
        let status = fsync(back.fd)
        let err = errno
        close(back.fd)
        guard status == 0 else {
            throw FormatError(.writeFailed, "fsync of \(path) failed (\(LocalIO.describe(err))); the file is not safely written")
        }
        return back.digest()
    }

    /// Closes without syncing and removes the file.
    func abort() {
        if !closed {
            back.stop()
            close(back.fd)
            closed = true
        }
        unlink(path)
    }
}

/// The helper thread of a ``FileSink``: hashes and writes one buffer at a time.
private final class BackgroundWriter: @unchecked Sendable {
    let fd: Int32
    let name: String
    private let digester: (any PlaintextDigest)?
    private let work = DispatchSemaphore(value: 0)
    private let idle = DispatchSemaphore(value: 1)
    private let finished = DispatchSemaphore(value: 0)
    private var pending: UnsafeMutablePointer<UInt8>?
    private var pendingCount = 0
    private var stopping = false
    private var running = false
    /// The first write error; once set, later buffers are dropped.
    private(set) var error: FormatError?
    private(set) var bytesWritten: Int64 = 0

    init(fd: Int32, name: String, digest: (any PlaintextDigest)?) {
        self.fd = fd
        self.name = name
        digester = digest
    }

    func start() {
        running = true
        let thread = Thread { [self] in
            loop()
            finished.signal()
        }
        thread.start()
    }

    /// Waits until the previous buffer is done, then queues `buffer` (which the caller must
    /// not touch until the next `hand` or `stop` returns).
    func hand(_ buffer: UnsafeMutablePointer<UInt8>, count: Int) throws {
        idle.wait()
        if let error {
            idle.signal()
            throw error
        }
        pending = buffer
        pendingCount = count
        work.signal()
    }

    /// Waits for the queued buffer and ends the thread.
    func stop() {
        guard running else { return }
        running = false
        idle.wait()
        stopping = true
        work.signal()
        finished.wait()
        // Back to its initial value: libdispatch traps on freeing a semaphore below it.
        idle.signal()
    }

    func digest() -> String {
        digester?.finalizeHex() ?? ""
    }

    private func loop() {
        while true {
            work.wait()
            if stopping { return }
            if let p = pending, error == nil {
                digester?.update(UnsafeRawBufferPointer(start: p, count: pendingCount))
                var offset = 0
                while offset < pendingCount {
                    let n = write(fd, p + offset, pendingCount - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        error = FormatError(.writeFailed, "writing \(name) failed (\(LocalIO.describe(errno)))")
                        break
                    }
                    offset += n
                }
                bytesWritten += Int64(offset)
            }
            pending = nil
            idle.signal()
        }
    }
}
