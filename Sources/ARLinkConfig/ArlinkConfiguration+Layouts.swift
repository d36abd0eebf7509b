import ARLinkCore
public import ARLinkLayouts

/// A partner's file layouts (issue 14), from `portfolio_format`, `feedback_format` and
/// `layout_note_codes`.
public struct PartnerLayouts: Sendable, Hashable {
    /// The layout portfolios are written through; nil for arlink's JSON Lines or CSV.
    public var portfolio: Layout?
    /// The layout feedback is read through; nil for arlink's JSON Lines or CSV.
    public var feedback: Layout?
    /// The configured names, as given (built-in name or layout file path), for messages.
    public var portfolioName = "arlink-jsonl"
    public var feedbackName = "arlink-jsonl"
    /// Note code to meaning (`promise`, `dispute`, `status:<status>`), replacing the feedback
    /// layout's own note codes when not empty.
    public var noteCodes: [String: String] = [:]

    public init() {}
}

extension ArlinkConfiguration {
    /// Reads `portfolio_format` and `feedback_format` (a built-in name or a layout file path,
    /// relative to the configuration file) and `layout_note_codes`.
    /// - Returns: the arlink format the outbound writer uses (`jsonl` or `csv`; `jsonl` for a
    ///   layout partner, whose arlink file becomes the signed sidecar manifest), and the layouts.
    static func parsePartnerLayouts(_ node: inout ConfigNode) throws -> (String, PartnerLayouts) {
        var layouts = PartnerLayouts()
        var format = "jsonl"
        for (key, direction) in [("portfolio_format", LayoutDirection.portfolio), ("feedback_format", .feedback)] {
            guard let value = try node.optionalString(key) else { continue }
            let resolved: PartnerFileFormat
            do {
                resolved = try BuiltinLayouts.resolve(value, direction: direction, baseDirectory: node.baseDirectory)
            } catch let e as LayoutError {
                throw ConfigError(.invalidValue, "\(node.keyPath(key)): \(e.message)")
            }
            switch (direction, resolved) {
            case (.portfolio, .arlinkCSV): format = "csv"
            case (.portfolio, .layout(let l)): layouts.portfolio = l
            case (.feedback, .layout(let l)): layouts.feedback = l
            default: break
            }
            if direction == .portfolio { layouts.portfolioName = value } else { layouts.feedbackName = value }
        }
        if var codes = try node.optionalChild("layout_note_codes") {
            for (code, meaning) in try codes.scalarMap() {
                let ok = meaning == "promise" || meaning == "dispute" || (meaning.hasPrefix("status:") && PartnerStatus(rawValue: String(meaning.dropFirst(7))) != nil)
                guard ok else {
                    throw ConfigError(.invalidValue, "\(codes.keyPath(code)): \"\(meaning.prefix(30))\" is not a note meaning (expected promise, dispute or status:<one of \(PartnerStatus.allCases.map(\.rawValue).joined(separator: ", "))>)")
                }
                layouts.noteCodes[code] = meaning
            }
        }
        return (format, layouts)
    }
}
