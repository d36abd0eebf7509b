/// The partner's file-name pattern: a regular expression that must match a whole name.
///
/// Kept as the source string (which is `Sendable`) and compiled when used.
public struct NamePattern: Sendable, Hashable {
    /// The regular expression as configured, for example `^ACME_.*_feedback_\d{8}_\d{6}\.jsonl\.p7m$`.
    public let source: String

    /// Compiles `source` once to check it.
    ///
    /// - Throws: ``TransportError`` `.config` when the expression does not compile.
    public init(_ source: String) throws {
        do {
            _ = try Regex(source)
        } catch {
            throw TransportError(.config, "name pattern \"\(source)\" is not a valid regular expression (\(error)); fix the partner's name_pattern")
        }
        self.source = source
    }

    /// Whether the whole of `name` matches.
    public func matches(_ name: String) -> Bool {
        guard let regex = try? Regex(source) else { return false }
        return (try? regex.wholeMatch(in: name)) != nil
    }
}
