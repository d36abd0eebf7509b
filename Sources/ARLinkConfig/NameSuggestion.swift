/// "Did you mean" for names an operator typed: configuration keys, commands.
public enum NameSuggestion {
    /// The name among `candidates` closest to `typed` by edit distance, when it is close
    /// enough to be a likely misspelling (at most 2 edits, or a third of the length).
    public static func nearest(to typed: String, among candidates: [String]) -> String? {
        guard let near = candidates.min(by: { ConfigNode.distance($0, typed) < ConfigNode.distance($1, typed) }) else { return nil }
        return ConfigNode.distance(near, typed) <= max(2, typed.count / 3) ? near : nil
    }
}
