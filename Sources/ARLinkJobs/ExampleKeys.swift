import Foundation

/// Copies key material (the example keys) into a private folder: folders 0700, files 0600,
/// since arlink refuses private keys that group or others can read.
public enum ExampleKeys {
    /// Copies the `ca`, `company`, `partner` and `ssh` folders of `source` (those present) into `target`.
    public static func copy(from source: String, to target: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: target, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for sub in ["ca", "company", "partner", "ssh"] {
            guard let names = try? fm.contentsOfDirectory(atPath: source + "/" + sub) else { continue }
            try fm.createDirectory(atPath: target + "/" + sub, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for name in names {
                let destination = target + "/" + sub + "/" + name
                try fm.copyItem(atPath: source + "/" + sub + "/" + name, toPath: destination)
                try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: destination)
            }
        }
    }
}
