/// Collects bad rows and enforces `maxBadRows`: throws on the first bad row when it is 0,
/// otherwise after more than `maxBadRows`.
final class ProblemLog {
    private(set) var problems: [RowProblem] = []
    let maxBadRows: Int

    init(maxBadRows: Int) { self.maxBadRows = maxBadRows }

    func add(_ problem: RowProblem) throws {
        problems.append(problem)
        guard problems.count > maxBadRows else { return }
        if maxBadRows == 0 { throw FormatError(problem) }
        throw FormatError(
            .tooManyBadRows,
            "more than \(maxBadRows) bad rows (max_bad_rows is \(maxBadRows)); the last one: \(problem.message)",
            problem: problem, problems: problems)
    }
}

/// Finds the logical columns in a header line.
struct HeaderIndex<Column: Hashable & RawRepresentable & CaseIterable & Sendable>: Sendable where Column.RawValue == String {
    /// Field index per column, -1 when absent.
    private var indices: [Column: Int] = [:]
    /// Header name per column as it appears in the file.
    private(set) var names: [Column: String] = [:]
    let fieldCount: Int

    init(header: [String], mapping: [Column: String]) {
        fieldCount = header.count
        var position: [String: Int] = [:]
        for (i, name) in header.enumerated() {
            let key = name.lowercased()
            if position[key] == nil { position[key] = i }
        }
        for column in Column.allCases {
            guard let name = mapping[column], !name.isEmpty,
                  let i = position[name.trimmingSpaces().lowercased()] else { continue }
            indices[column] = i
            names[column] = header[i]
        }
    }

    subscript(_ column: Column) -> Int { indices[column] ?? -1 }
    func has(_ column: Column) -> Bool { indices[column] != nil }

    /// The header name, or the mapped name, or the logical name, for messages.
    func name(_ column: Column, mapping: [Column: String]) -> String {
        names[column] ?? mapping[column] ?? column.rawValue
    }

    /// Throws ``FormatError/Code/missingColumn`` for the first required column that is absent.
    func require(_ required: [Column], mapping: [Column: String], file: String, header: [String], preset hint: String) throws {
        for column in required where !has(column) {
            let wanted = mapping[column] ?? column.rawValue
            let listed = header.prefix(24).map { "\"\($0)\"" }.joined(separator: ", ")
            throw FormatError(.missingColumn, "\(file) line 1: the required column \"\(wanted)\" (\(column.rawValue)) is missing from the header (\(hint); the header has \(listed)\(header.count > 24 ? ", ..." : ""))")
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
