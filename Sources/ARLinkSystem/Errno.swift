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
