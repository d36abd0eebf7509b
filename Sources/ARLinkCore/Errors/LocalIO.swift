import ARLinkSystem

/// Words for a failed local file operation, shared by every module that writes files.
///
/// A full disk (`ENOSPC`, `EDQUOT`) or a failing one (`EIO`) is ours, never a partner's file's
/// fault, and temporary: the run stops with exit 75, changes nothing it cannot redo, and the
/// message says what to do. (The words come from ``Errno`` in ARLinkSystem.)
public enum LocalIO {
    /// Whether `code` means the storage is full or failing: exit 75 wherever it strikes.
    public static func isStorageFault(_ code: Int32) -> Bool { Errno.isStorageFault(code) }

    /// `errno` in words: for a full or failing disk, what to do as well.
    public static func describe(_ code: Int32) -> String { Errno.describe(code) }
}
