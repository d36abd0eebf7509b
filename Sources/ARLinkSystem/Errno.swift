#if canImport(Glibc)
public import Glibc
#elseif canImport(Darwin)
public import Darwin
#endif

/// `errno` values and their meaning: the one place that reads `errno` and `strerror(3)`.
public enum Errno {
    /// The calling thread's `errno`.
    public static var current: Int32 { errno }

    /// Whether `code` means the storage is full or failing (ENOSPC, EDQUOT, EIO).
    public static func isStorageFault(_ code: Int32) -> Bool {
        code == ENOSPC || code == EDQUOT || code == EIO
    }

    /// `code` in words (`strerror(3)` plus the number); for a full or failing disk, what to do as well.
    public static func describe(_ code: Int32) -> String {
        switch code {
        case ENOSPC: return "no space left on the device (ENOSPC); temporary failure: free space, the next run finishes"
        case EDQUOT: return "disk quota exceeded (EDQUOT); temporary failure: free space, the next run finishes"
        case EIO: return "input/output error (EIO); temporary failure: check the disk, the next run finishes"
        default:
            guard let text = strerror(code) else { return "errno \(code)" }
            return "\(String(cString: text)) (errno \(code))"
        }
    }

    /// Runs `call` (a system call returning -1 and setting `errno` on failure) again for as
    /// long as it fails with `EINTR`.
    /// - Returns: the call's result, or `.failure(errno)`.
    @inlinable
    public static func retrying<T: BinaryInteger>(_ call: () -> T) -> Result<T, SystemCallError> {
        while true {
            let result = call()
            if result >= 0 { return .success(result) }
            let code = errno
            if code != EINTR { return .failure(SystemCallError(code: code)) }
        }
    }
}

/// A failed system call: its `errno`.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: Int32

    public init(code: Int32) { self.code = code }

    /// Whether the storage is full or failing: the caller should report a temporary failure.
    public var isStorageFault: Bool { Errno.isStorageFault(code) }

    public var description: String { Errno.describe(code) }
}

/// Thin wrappers over the system calls the modules above make with paths and byte arrays, so
/// that they pass no pointers themselves. Each returns what the call returns (-1 or nil on
/// failure, with ``Errno/current`` set).
public enum Syscall {
    /// `open(2)`.
    public static func open(_ path: String, _ flags: Int32, _ mode: UInt32 = 0) -> Int32 {
        Glibc.open(path, flags, mode_t(mode))
    }

    /// `lstat(2)`: the entry itself, not what a symbolic link points to.
    public static func lstat(_ path: String) -> stat? {
        var info = stat()
        return Glibc.lstat(path, &info) == 0 ? info : nil
    }

    /// `pwrite(2)` of all of `bytes` at `offset` (repeated for short writes and `EINTR`).
    /// - Returns: false when a write failed.
    public static func pwriteAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int64) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            done += n
        }
        return true
    }

    /// `pread(2)` of up to `count` bytes at `offset`; nil on failure.
    public static func pread(_ fd: Int32, count: Int, at offset: Int64) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress, count, off_t(offset)) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            return Array(buffer[0..<n])
        }
    }
}
