/// The two flavours of a portfolio file (docs/portfolio-format.md).
public enum PortfolioFormat: String, Sendable, Hashable, CaseIterable, Codable {
    /// JSON Lines: one JSON object per line, `record_type` first (schemas/portfolio.v1.schema.json).
    case jsonl
    /// CSV with a record-type first column: `H` header, `D` account, `I` invoice, `B` balance,
    /// `A` aging, `T` trailer.
    case csv

    /// The file-name extension: `jsonl` or `csv`.
    public var fileExtension: String { rawValue }
}

/// Record-type names and their trailer count keys.
enum PortfolioVocabulary {
    static let recordTypes = ["place", "update", "recall"]
    static let headerFieldCount = 14
}
