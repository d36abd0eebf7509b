/// Settings of a drop-folder transport (a local folder or a mounted share).
public struct FolderSettings: Sendable {
    /// The partner's inbox: where deliveries appear (absolute path).
    public var inbox: String
    /// The partner's outbox: where their feedback files are picked up (absolute path).
    public var outbox: String
    /// Where fetched files are moved after the run committed them (absolute path; created if missing).
    public var processed: String
    /// Which outbox names are fetched and when they are complete.
    public var rules: OutboxRules

    /// Creates folder settings.
    public init(inbox: String, outbox: String, processed: String, rules: OutboxRules) {
        self.inbox = inbox
        self.outbox = outbox
        self.processed = processed
        self.rules = rules
    }

    /// Convenience: pattern and interval directly.
    public init(inbox: String, outbox: String, processed: String, namePattern: String, stabilityInterval: Duration = .seconds(5)) {
        self.init(inbox: inbox, outbox: outbox, processed: processed, rules: OutboxRules(namePattern: namePattern, stabilityInterval: stabilityInterval))
    }

    /// Checks that the paths are absolute and distinct, the inbox and outbox exist, and the rules are valid.
    ///
    /// - Throws: ``TransportError`` `.config` naming the key and the fix.
    public func validate() throws {
        for (key, path) in [("inbox", inbox), ("outbox", outbox), ("processed", processed)] {
            guard path.hasPrefix("/") else {
                throw TransportError(.config, "folder transport: \(key) \"\(path)\" must be an absolute path")
            }
        }
        for (key, path) in [("inbox", inbox), ("outbox", outbox)] where !LocalFiles.isDirectory(path) {
            throw TransportError(.config, "folder transport: \(key) folder \(path) does not exist or is not a folder; create it or fix the path")
        }
        if trimmed(outbox) == trimmed(processed) {
            throw TransportError(.config, "folder transport: processed folder must differ from the outbox (\(outbox))")
        }
        try rules.validate()
    }

    private func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
