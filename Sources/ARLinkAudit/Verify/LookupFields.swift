import Foundation

/// Finds the top-level `time`, `action` and `file_id` values in canonical entry bytes
/// without a JSON parser, so verification can check the lookup columns (`recorded_at`,
/// `action`, `file_id`) that reports and proofs use to find entries. Editing those columns
/// could otherwise hide an entry from a report or a proof without touching its bytes.
enum LookupFields {
    struct Fields {
        var time: Range<Int>?
        var action: Range<Int>?
        var fileID: Range<Int>?
    }

    /// The value ranges (between the quotes), or `nil` when the bytes are not a JSON object
    /// of the canonical shape up to `file_id`.
    ///
    /// Top-level keys come in a fixed order (see ``CanonicalJSONWriter``), so the walk stops
    /// at `file_id` or at the first key that can only follow it: the digests, totals and
    /// detail that make up most of an entry are not scanned.
    static func find(_ bytes: Span<UInt8>) -> Fields? {
        let count = bytes.count
        guard count >= 2, bytes[0] == UInt8(ascii: "{") else { return nil }
        var fields = Fields()
        var i = 1
        while i < count {
            guard bytes[i] == UInt8(ascii: "\"") else { return nil }
            guard let keyEnd = stringEnd(bytes, from: i + 1), keyEnd + 1 < count, bytes[keyEnd + 1] == UInt8(ascii: ":") else { return nil }
            let key = (i + 1)..<keyEnd
            if laterKeys.contains(where: { matches(bytes, key, $0) }) { return fields }
            i = keyEnd + 2
            guard i < count else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "\""):
                guard let valueEnd = stringEnd(bytes, from: i + 1) else { return nil }
                let value = (i + 1)..<valueEnd
                if matches(bytes, key, timeKey) {
                    fields.time = value
                } else if matches(bytes, key, actionKey) {
                    fields.action = value
                } else if matches(bytes, key, fileIDKey) {
                    fields.fileID = value
                    return fields
                }
                i = valueEnd + 1
            case UInt8(ascii: "{"):
                // A flat object of strings (actor): skip string by string to its brace.
                i += 1
                while i < count, bytes[i] != UInt8(ascii: "}") {
                    if bytes[i] == UInt8(ascii: "\"") {
                        guard let end = stringEnd(bytes, from: i + 1) else { return nil }
                        i = end + 1
                    } else {
                        i += 1
                    }
                }
                guard i < count else { return nil }
                i += 1
            default:
                while i < count, bytes[i] != UInt8(ascii: ","), bytes[i] != UInt8(ascii: "}") { i += 1 }
            }
            guard i < count else { return nil }
            if bytes[i] == UInt8(ascii: "}") { return i == count - 1 ? fields : nil }
            guard bytes[i] == UInt8(ascii: ",") else { return nil }
            i += 1
        }
        return nil
    }

    /// Keys that come after `file_id` in the canonical order.
    private static let laterKeys: [[UInt8]] = ["file_name", "plaintext_sha256", "sealed_sha256", "record_count", "totals", "error_code", "detail"]
        .map { Array($0.utf8) }
    private static let timeKey = Array("time".utf8)
    private static let actionKey = Array("action".utf8)
    private static let fileIDKey = Array("file_id".utf8)

    /// The index of the quote closing the string whose first byte is at `start` (skipping
    /// escaped quotes).
    private static func stringEnd(_ bytes: Span<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\"") {
                var backslashes = 0
                while index - backslashes - 1 >= start, bytes[index - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
                if backslashes % 2 == 0 { return index }
            }
            index += 1
        }
        return nil
    }

    private static func matches(_ bytes: Span<UInt8>, _ range: Range<Int>, _ name: [UInt8]) -> Bool {
        guard range.count == name.count else { return false }
        for (offset, byte) in name.enumerated() where bytes[range.lowerBound + offset] != byte { return false }
        return true
    }

    /// Whether the column bytes equal the value at `range` (both absent counts as equal).
    static func equal(_ bytes: Span<UInt8>, _ range: Range<Int>?, _ column: Span<UInt8>?) -> Bool {
        guard let range else { return column == nil }
        guard let column, column.count == range.count else { return false }
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != column[offset] { return false }
        return true
    }
}
