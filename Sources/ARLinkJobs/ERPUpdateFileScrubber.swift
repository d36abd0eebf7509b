public import ARLinkFormats
import Foundation

/// Finds and removes one debtor's personal data in the ERP update files arlink wrote
/// (`erp.updates.folder`): the `contact`, `comment`, `risk_score` and `risk_segment` values of
/// the account's lines. Ids, statuses, amounts and dates stay: the ERP de-duplicates by them.
public struct ERPUpdateFileScrubber {
    /// One file's lines about the account.
    public struct Finding: Sendable, Hashable {
        public var path: String
        public var lines: Int
        /// The personal fields that hold a value in those lines, sorted.
        public var personalFields: [String]
        /// The event types of those lines, sorted.
        public var eventTypes: [String]
    }

    static let jsonPersonal = ["comment", "contact", "risk_score", "risk_segment"]
    static let csvPersonal = ["comment", "contact_street", "contact_postal_code", "contact_city", "contact_country", "contact_phone",
                              "contact_email", "risk_score", "risk_segment"]

    public let folder: String
    public let accountRef: String

    public init(folder: String, accountRef: String) {
        self.folder = folder
        self.accountRef = accountRef
    }

    /// The update files of the folder (`arlink_erp_updates_*.jsonl|csv`), sorted.
    public func files() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix("arlink_erp_updates_") && ($0.hasSuffix(".jsonl") || $0.hasSuffix(".csv")) }
            .sorted().map { folder + "/" + $0 }
    }

    /// Every file with lines about the account.
    public func scan() throws -> [Finding] {
        try files().compactMap { path in try process(path, scrub: false) }
    }

    /// Blanks the personal values of the account's lines, rewriting each file that holds any
    /// (atomically: a temporary file, fsync, rename). Returns the files rewritten.
    public func scrub() throws -> [String] {
        try files().compactMap { path in
            guard let finding = try process(path, scrub: true), !finding.personalFields.isEmpty else { return nil }
            return path
        }
    }

    /// Reads one file; with `scrub`, rewrites it when the account's lines hold personal values.
    func process(_ path: String, scrub: Bool) throws -> Finding? {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JobError(.io, "cannot read ERP update file \(path)")
        }
        let text = String(decoding: data, as: UTF8.self)
        var finding = Finding(path: path, lines: 0, personalFields: [], eventTypes: [])
        var personal: Set<String> = []
        var types: Set<String> = []
        var output: [String] = []
        if path.hasSuffix(".jsonl") {
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                guard line.contains(accountRef), var object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                      object["account_ref"] as? String == accountRef else {
                    output.append(String(line))
                    continue
                }
                finding.lines += 1
                if let type = object["source_event_type"] as? String { types.insert(type) }
                for key in Self.jsonPersonal where object[key] != nil && !(object[key] is NSNull) {
                    personal.insert(key)
                    object[key] = nil
                }
                let rewritten = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                output.append(String(decoding: rewritten, as: UTF8.self))
            }
        } else {
            let rows = Self.parseCSV(text)
            guard let header = rows.first, let refIndex = header.firstIndex(of: "account_ref") else { return nil }
            let typeIndex = header.firstIndex(of: "source_event_type")
            let personalIndices = Self.csvPersonal.compactMap { name in header.firstIndex(of: name).map { (name, $0) } }
            output.append(CSVText.row(header, guardFormulas: false))
            for var row in rows.dropFirst() {
                if row.count > refIndex, row[refIndex] == accountRef, row.first != "header" {
                    finding.lines += 1
                    if let typeIndex, row.count > typeIndex { types.insert(row[typeIndex]) }
                    for (name, index) in personalIndices where row.count > index && !row[index].isEmpty {
                        personal.insert(name)
                        row[index] = ""
                    }
                }
                output.append(CSVText.row(row, guardFormulas: false))
            }
        }
        guard finding.lines > 0 else { return nil }
        finding.personalFields = personal.sorted()
        finding.eventTypes = types.sorted()
        if scrub && !personal.isEmpty {
            let file = try AtomicTextFile(path: path)
            for line in output { try file.writeLine(line) }
            let bytes = try file.stage()
            try AtomicTextFile.publish(path: path, expectedBytes: bytes)
        }
        return finding
    }

    /// Rows of an RFC 4180 text (quoted fields may hold commas, quotes and line breaks).
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = text.makeIterator()
        var pending: Character?
        func next() -> Character? {
            if let p = pending { pending = nil; return p }
            return chars.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let after = next() {
                        if after == "\"" { field.append("\"") } else { quoted = false; pending = after }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" || c == "\r\n" {
                row.append(field); field = ""
                rows.append(row); row = []
            } else if c != "\r" {
                field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
