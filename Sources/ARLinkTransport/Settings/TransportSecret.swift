/// Where a secret (a key passphrase) comes from: never inline in the configuration.
public enum TransportSecret: Sendable, Hashable {
    /// The first line of this file; the file must not be readable by group or others.
    case file(String)
    /// The value of this environment variable.
    case environment(String)

    /// Reads the secret.
    ///
    /// - Throws: ``TransportError`` `.config` when the file or variable is missing or the file is too open.
    func read(purpose: String) throws -> String {
        switch self {
        case .environment(let name):
            guard let value = Environment.value(name), !value.isEmpty else {
                throw TransportError(.config, "\(purpose): environment variable \(name) is not set; export it or use a passphrase file")
            }
            return value
        case .file(let path):
            try LocalFiles.requireOwnerOnly(path, purpose: purpose)
            let text = try LocalFiles.readSmallFile(path, limit: 4096, purpose: purpose)
            let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let trimmed = line.hasSuffix("\r") ? String(line.dropLast()) : line
            guard !trimmed.isEmpty else {
                throw TransportError(.config, "\(purpose): passphrase file \(path) is empty")
            }
            return trimmed
        }
    }
}
