import ARLinkCore
import Foundation

/// The demo's working folder: created fresh, marked as made by the demo, keys copied privately.
struct DemoFolder {
    let path: String
    var configPath: String { path + "/arlink.yaml" }
    static let marker = ".arlink-demo"

    /// Creates `path` fresh. An existing folder is emptied only if an earlier demo made it.
    static func prepare(_ raw: String) throws -> DemoFolder {
        let path = URL(fileURLWithPath: raw, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            let contents = (try? fm.contentsOfDirectory(atPath: path)) ?? []
            if !contents.isEmpty && !contents.contains(marker) {
                throw DemoError("\(path) exists and was not made by arlink demo; choose an empty or new folder")
            }
            try fm.removeItem(atPath: path)
        }
        try fm.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        fm.createFile(atPath: path + "/" + marker, contents: Data("made by arlink demo; safe to delete\n".utf8))
        for folder in ["partner/inbox", "partner/outbox", "partner/processed", "partner/received", "erp/import"] {
            try fm.createDirectory(atPath: path + "/" + folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        return DemoFolder(path: path)
    }

    /// `keys-example/` in the current folder, or in a parent of the running executable (a `swift build` tree).
    static func findExampleKeys() throws -> String {
        let fm = FileManager.default
        var candidates = [fm.currentDirectoryPath + "/keys-example"]
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<6 {
            url.deleteLastPathComponent()
            candidates.append(url.path + "/keys-example")
        }
        if let found = candidates.first(where: { fm.fileExists(atPath: $0 + "/company/signing.crt") }) { return found }
        throw DemoError("cannot find the example keys (keys-example/); run the demo from the arlink repository or pass --keys DIR")
    }

    /// Writes the demo configuration: `text`, by default the same as `config/demo.yaml`.
    func writeConfiguration(_ text: String = DemoConfiguration.yaml) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: configPath))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: configPath)
    }
}

/// A problem with the demo's own setup (usage error, exit 64).
struct DemoError: ARLinkFailure {
    let message: String
    init(_ message: String) { self.message = message }
    var codeName: String { "demo.setup" }
    var exitStatus: ExitStatus { .usage }
}
