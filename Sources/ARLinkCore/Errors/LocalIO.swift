import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Words for a failed local file operation, shared by every module that writes files.
///
/// A full disk (`ENOSPC`, `EDQUOT`) or a failing one (`EIO`) is ours, never a partner's file's
/// fault, and temporary: the run stops with exit 75, changes nothing it cannot redo, and the
/// message says what to do.
public enum LocalIO {
    /// Whether `code` means the storage is full or failing: exit 75 wherever it strikes.
    public static func isStorageFault(_ code: Int32) -> Bool {
        code == ENOSPC || code == EDQUOT || code == EIO
    }

    /// `errno` in words: for a full or failing disk, what to do as well.
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
}
