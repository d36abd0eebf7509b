import Yams
import Foundation

/// A cursor over one YAML mapping that remembers its key path, reads typed values with
/// precise errors, and refuses keys nobody read (with a "did you mean" suggestion).
struct ConfigNode {
    let path: String
    private let pairs: [(key: String, value: Node)]
    private var used: Set<String> = []
    let baseDirectory: String
    let configFile: String

    init(node: Node, path: String, baseDirectory: String, configFile: String) throws {
        self.path = path
        self.baseDirectory = baseDirectory
        self.configFile = configFile
        guard case .mapping(let mapping) = node else {
            throw ConfigError(.invalidValue, "\(ConfigNode.describe(path, in: configFile)): expected a mapping of keys to values")
        }
        var pairs: [(String, Node)] = []
        for (k, v) in mapping {
            guard let key = k.string else {
                throw ConfigError(.invalidValue, "\(ConfigNode.describe(path, in: configFile)): keys must be strings")
            }
            pairs.append((key, v))
        }
        self.pairs = pairs
    }

    static func describe(_ path: String, in file: String) -> String {
        path.isEmpty ? file : path
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private mutating func raw(_ key: String) -> Node? {
        used.insert(key)
        guard let node = pairs.first(where: { $0.key == key })?.value else { return nil }
        if case .scalar(let s) = node, s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) { return nil }
        return node
    }

    func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    mutating func optionalString(_ key: String) throws -> String? {
        guard let node = raw(key) else { return nil }
        guard case .scalar(let s) = node else {
            throw ConfigError(.invalidValue, "\(keyPath(key)): expected a single value, found a \(ConfigNode.kind(node))")
        }
        return s.string
    }

    mutating func string(_ key: String, hint: String = "") throws -> String {
        guard let value = try optionalString(key) else {
            throw missing(key, "missing required key" + (hint.isEmpty ? "" : " (\(hint))"))
        }
        return value
    }

    mutating func optionalInt(_ key: String, range: ClosedRange<Int>? = nil) throws -> Int? {
        guard let text = try optionalString(key) else { return nil }
        guard let value = Int(text) else {
            throw ConfigError(.invalidValue, "\(keyPath(key)): \"\(text.prefix(40))\" is not a whole number")
        }
        if let range, !range.contains(value) {
            throw ConfigError(.invalidValue, "\(keyPath(key)): \(value) is out of range (expected \(range.lowerBound) to \(range.upperBound))")
        }
        return value
    }

    mutating func int(_ key: String, default value: Int, range: ClosedRange<Int>? = nil) throws -> Int {
        try optionalInt(key, range: range) ?? value
    }

    mutating func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let text = try optionalString(key) else { return value }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ConfigError(.invalidValue, "\(keyPath(key)): \"\(text.prefix(40))\" is not true or false")
        }
    }

    mutating func optionalChild(_ key: String) throws -> ConfigNode? {
        guard let node = raw(key) else { return nil }
        return try ConfigNode(node: node, path: keyPath(key), baseDirectory: baseDirectory, configFile: configFile)
    }

    mutating func child(_ key: String) throws -> ConfigNode {
        guard let child = try optionalChild(key) else {
            throw missing(key, "missing required section")
        }
        return child
    }

    mutating func optionalList(_ key: String) throws -> [Node]? {
        guard let node = raw(key) else { return nil }
        guard case .sequence(let seq) = node else {
            throw ConfigError(.invalidValue, "\(keyPath(key)): expected a list (\"- item\" lines or [a, b])")
        }
        return Array(seq)
    }

    mutating func stringList(_ key: String) throws -> [String]? {
        guard let nodes = try optionalList(key) else { return nil }
        return try nodes.enumerated().map { index, node in
            guard case .scalar(let s) = node else {
                throw ConfigError(.invalidValue, "\(keyPath(key))[\(index)]: expected a single value")
            }
            return s.string
        }
    }

    mutating func childList(_ key: String) throws -> [ConfigNode]? {
        guard let nodes = try optionalList(key) else { return nil }
        return try nodes.enumerated().map { index, node in
            try ConfigNode(node: node, path: "\(keyPath(key))[\(index)]", baseDirectory: baseDirectory, configFile: configFile)
        }
    }

    /// All keys and scalar values of this mapping (for free-form maps such as column renames).
    mutating func scalarMap() throws -> [String: String] {
        var out: [String: String] = [:]
        for (key, node) in pairs {
            used.insert(key)
            guard case .scalar(let s) = node else {
                throw ConfigError(.invalidValue, "\(keyPath(key)): expected a single value")
            }
            out[key] = s.string
        }
        return out
    }

    /// A path value, resolved against the configuration file's folder when relative.
    mutating func optionalPath(_ key: String, mustExist: Bool = false) throws -> String? {
        guard let text = try optionalString(key) else { return nil }
        let resolved = ConfigNode.resolve(text, against: baseDirectory)
        if mustExist && !FileManager.default.fileExists(atPath: resolved) {
            throw ConfigError(.missingFile, "\(keyPath(key)): file \(resolved) does not exist (paths are relative to the folder of \(configFile))")
        }
        return resolved
    }

    mutating func path(_ key: String, mustExist: Bool = false) throws -> String {
        guard let value = try optionalPath(key, mustExist: mustExist) else {
            throw missing(key, "missing required key (a file path, relative to the configuration file's folder)")
        }
        return value
    }

    static func resolve(_ path: String, against base: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: base).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    /// Refuses inline secrets: `passphrase` and similar keys must come from a file or env var.
    func refuseInlineSecrets(_ keys: [String] = ["passphrase", "password", "secret"]) throws {
        for key in keys where has(key) {
            throw ConfigError(.inlineSecret, "\(keyPath(key)): secrets are never written inline in the configuration; use \(key)_file (a file readable only by arlink's user) or \(key)_env (an environment variable name)")
        }
    }

    /// The error for a required `key` that is absent; when a key of this mapping is a likely
    /// misspelling of it (`databse` for `database`), the message says so.
    func missing(_ key: String, _ what: String) -> ConfigError {
        if let near = NameSuggestion.nearest(to: key, among: pairs.map(\.key).filter { $0 != key && !used.contains($0) }) {
            return ConfigError(.missingKey, "\(keyPath(key)): \(what); the file has \(keyPath(near)): did you mean \(key)?")
        }
        return ConfigError(.missingKey, "\(keyPath(key)): \(what)")
    }

    /// Throws for the first key that was never read, suggesting the closest known key.
    func finish(known: [String] = []) throws {
        for (key, _) in pairs where !used.contains(key) {
            let candidates = Array(used) + known
            let suggestion = candidates.min { ConfigNode.distance($0, key) < ConfigNode.distance($1, key) }
            var message = "\(keyPath(key)): unknown key"
            if let suggestion, ConfigNode.distance(suggestion, key) <= max(2, key.count / 3) {
                message += "; did you mean \(suggestion)?"
            } else {
                message += "; known keys here: \(used.sorted().joined(separator: ", "))"
            }
            throw ConfigError(.unknownKey, message)
        }
    }

    static func kind(_ node: Node) -> String {
        switch node {
        case .scalar: "value"
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        }
    }

    /// Levenshtein edit distance, for "did you mean" suggestions.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
