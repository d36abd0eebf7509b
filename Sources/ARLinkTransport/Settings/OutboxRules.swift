/// How the partner's outbox is read: which names, and when a file counts as complete.
public struct OutboxRules: Sendable {
    /// Regular expression a remote name must match as a whole to be fetched.
    public var namePattern: String
    /// Time between the two looks that must see the same size before a file is fetched.
    /// Default 5 seconds.
    public var stabilityInterval: Duration
    /// When set (for example `.done`), a file whose `NAME` + suffix marker exists counts as
    /// complete without waiting; the marker is removed together with the file.
    public var doneMarkerSuffix: String?

    /// Creates outbox rules.
    public init(namePattern: String, stabilityInterval: Duration = .seconds(5), doneMarkerSuffix: String? = nil) {
        self.namePattern = namePattern
        self.stabilityInterval = stabilityInterval
        self.doneMarkerSuffix = doneMarkerSuffix
    }

    /// Checks the pattern compiles, the interval is sane and the marker suffix is a valid name part.
    public func validate() throws {
        _ = try NamePattern(namePattern)
        if stabilityInterval < .zero || stabilityInterval > .seconds(3600) {
            throw TransportError(.config, "stability_interval must be between 0 and 3600 seconds")
        }
        if let suffix = doneMarkerSuffix {
            if suffix.isEmpty || !suffix.hasPrefix(".") || RemoteName.problem(Array(("x" + suffix).utf8)) != nil {
                throw TransportError(.config, "done_marker_suffix \"\(RemoteName.escape(Array(suffix.utf8)))\" must start with a dot and use A-Z a-z 0-9 . _ - only, for example \".done\"")
            }
        }
    }
}
