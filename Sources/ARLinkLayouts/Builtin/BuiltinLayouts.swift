import Foundation
public import ARLinkCore

/// Which way a file travels, so a name such as `latitude-aim` picks the right layout.
public enum LayoutDirection: String, Sendable, Hashable {
    /// arlink to the partner.
    case portfolio
    /// The partner to arlink.
    case feedback
}

/// The format of a partner's portfolio or feedback files: arlink's own, or a layout.
public enum PartnerFileFormat: Sendable, Hashable {
    /// arlink's JSON Lines (`portfolio.v1` / `feedback.v1`), with its signed header and trailer.
    case arlinkJSONL
    /// arlink's CSV flavour of the same.
    case arlinkCSV
    /// A declarative layout (built in, such as Latitude AIM, or a partner's layout file).
    case layout(Layout)

    /// The name as configured, for messages.
    public var name: String {
        switch self {
        case .arlinkJSONL: "arlink-jsonl"
        case .arlinkCSV: "arlink-csv"
        case .layout(let l): l.name
        }
    }
}

/// The layouts arlink ships, and the resolution of `portfolio_format` / `feedback_format`.
public enum BuiltinLayouts {
    /// Every built-in name that `portfolio_format` and `feedback_format` accept.
    public static let names = ["arlink-jsonl", "arlink-csv", "latitude-aim", "latitude-aim-pipe"]

    /// The built-in layout `name` for `direction`; nil when `name` is no built-in layout.
    /// - Throws: ``LayoutError/Code/badLayout`` if a built-in file does not load (a build defect).
    public static func layout(named name: String, direction: LayoutDirection) throws -> Layout? {
        let base: String
        switch name {
        case "latitude-aim", "latitude-aim-pipe": base = "latitude-aim-\(direction.rawValue).yaml"
        default: return nil
        }
        guard let text = files[base] else { return nil }
        let layout = try Layout(yaml: text, source: "built-in layout \(base)")
        return name.hasSuffix("-pipe") ? try layout.delimitedVariant() : layout
    }

    /// Resolves a configured format: a built-in name, or the path of a layout file
    /// (relative paths against `baseDirectory`, the configuration file's folder).
    /// - Throws: ``LayoutError/Code/badLayout`` naming the file or the name and the fix.
    public static func resolve(_ value: String, direction: LayoutDirection, baseDirectory: String) throws -> PartnerFileFormat {
        switch value {
        case "arlink-jsonl", "jsonl": return .arlinkJSONL
        case "arlink-csv", "csv": return .arlinkCSV
        default: break
        }
        if let layout = try layout(named: value, direction: direction) { return .layout(layout) }
        guard value.hasSuffix(".yaml") || value.hasSuffix(".yml") || value.contains("/") else {
            throw LayoutError(.badLayout, "\"\(value.prefix(60))\" is not a format (expected a built-in one, \(names.joined(separator: ", ")), or a layout file path ending in .yaml)")
        }
        let path = value.hasPrefix("/") ? value : (baseDirectory as NSString).appendingPathComponent(value)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LayoutError(.badLayout, "layout file \(path) cannot be read (check the path in the configuration)")
        }
        guard data.count <= 1_000_000, let text = String(data: data, encoding: .utf8) else {
            throw LayoutError(.badLayout, "layout file \(path) is not UTF-8 text under 1 MB")
        }
        return .layout(try Layout(yaml: text, source: path))
    }
}
