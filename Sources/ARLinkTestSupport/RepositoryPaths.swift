import Foundation

/// Paths inside the repository and the build, found from this source file's location.
public enum RepositoryPaths {
    /// The repository root (the folder holding `Package.swift`).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `keys-example/` in the repository.
    public static var exampleKeys: String { root + "/keys-example" }

    /// `schemas/` in the repository.
    public static var schemas: String { root + "/schemas" }

    /// The built `arlink` executable next to the running test bundle (same build folder).
    public static var arlinkExecutable: String {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("arlink").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("arlink").path,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("arlink").path,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("arlink").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// Copies the example keys into `folder/keys` with owner-only permissions on private keys.
    @discardableResult
    public static func copyExampleKeys(to folder: String) throws -> String {
        let target = folder + "/keys"
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: exampleKeys, toPath: target)
        let enumerator = FileManager.default.enumerator(atPath: target)
        while let relative = enumerator?.nextObject() as? String {
            let path = target + "/" + relative
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            let mode = isDir.boolValue ? 0o700 : 0o600
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        }
        return target
    }
}
