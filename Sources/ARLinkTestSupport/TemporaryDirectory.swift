import Foundation

/// A fresh folder under the system temporary folder, removed by ``remove()``.
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// Creates `/tmp/arlink-test-<prefix>-<uuid>` with mode 0700.
    public init(_ prefix: String = "t") throws {
        path = NSTemporaryDirectory() + "arlink-test-\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// `path/relative`.
    public func file(_ relative: String) -> String { path + "/" + relative }

    /// Writes text to `relative` (creating folders), returning the absolute path.
    @discardableResult
    public func write(_ relative: String, _ text: String, mode: Int = 0o600) throws -> String {
        let full = file(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: full)
        return full
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
