public import Foundation

/// A small tmpfs mounted over a folder, to fill the disk under one part of a run for real.
///
/// `mount -t tmpfs -o size=… tmpfs FOLDER` needs root (CAP_SYS_ADMIN); where it cannot be
/// mounted, ``unavailableReason`` says why and the tests that need it are skipped with that
/// reason. Unmount it with ``unmount()`` (the tests do it in a `defer`).
public final class SmallFileSystem {
    public let path: String
    private var mounted = true
    private var fillers = 0

    /// Mounts a tmpfs of `size` (`mount` syntax: `4m`) over `path`, which must exist.
    public init(mountingAt path: String, size: String = "4m") throws {
        self.path = path
        let result = try ProcessRunner.run("mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0700", "tmpfs", path])
        guard result.status == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "mount -t tmpfs over \(path) failed: \(result.stderr)"])
        }
    }

    deinit { unmount() }

    /// Why tmpfs cannot be mounted here, or nil when it can (checked once, on a scratch folder).
    public static let unavailableReason: String? = {
        guard getuid() == 0 else { return "mounting a small tmpfs to fill it needs root" }
        let scratch = NSTemporaryDirectory() + "arlink-tmpfs-probe-\(getpid())"
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        guard let result = try? ProcessRunner.run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", scratch]) else { return "mount cannot be run" }
        guard result.status == 0 else { return "mount -t tmpfs is not allowed here: \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))" }
        _ = try? ProcessRunner.run("umount", [scratch])
        return nil
    }()

    /// Free bytes left.
    public var freeBytes: Int64 {
        ((try? FileManager.default.attributesOfFileSystem(forPath: path))?[.systemFreeSize] as? NSNumber)?.int64Value ?? 0
    }

    /// Writes hidden filler files until at most `leaving` bytes are free (all of it when 0).
    public func fill(leaving: Int64 = 0) throws {
        let blocks = max(0, (freeBytes - leaving) / 4096)
        fillers += 1
        var arguments = ["if=/dev/zero", "of=\(path)/.filler\(fillers)", "bs=4096", "status=none"]
        if leaving > 0 { arguments.append("count=\(blocks)") }
        _ = try ProcessRunner.run("dd", arguments)  // exits 1 at ENOSPC when filling it all
    }

    /// Removes the filler files: the space is free again.
    public func free() {
        for n in stride(from: fillers, to: 0, by: -1) { try? FileManager.default.removeItem(atPath: "\(path)/.filler\(n)") }
        fillers = 0
    }

    /// Unmounts the tmpfs (what was written on it is gone; the folder beneath shows again).
    public func unmount() {
        guard mounted else { return }
        mounted = false
        _ = try? ProcessRunner.run("umount", ["-l", path])
    }
}
