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
    static func find(_ bytes: UnsafeRawBufferPointer) -> Fields? {
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
                if matches(bytes, key, "time") {
                    fields.time = value
                } else if matches(bytes, key, "action") {
                    fields.action = value
                } else if matches(bytes, key, "file_id") {
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
    private static let laterKeys: [StaticString] = ["file_name", "plaintext_sha256", "sealed_sha256", "record_count", "totals", "error_code", "detail"]

    /// The index of the quote closing the string whose first byte is at `start` (memchr for
    /// quotes, skipping escaped ones).
    private static func stringEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var position = start
        while position < bytes.count {
            guard let found = memchr(base + position, Int32(UInt8(ascii: "\"")), bytes.count - position) else { return nil }
            let index = base.distance(to: UnsafeRawPointer(found))
            var backslashes = 0
            while index - backslashes - 1 >= start, bytes[index - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
            if backslashes % 2 == 0 { return index }
            position = index + 1
        }
        return nil
    }

    private static func matches(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ name: StaticString) -> Bool {
        guard range.count == name.utf8CodeUnitCount else { return false }
        return name.withUTF8Buffer { expected in
            for (offset, byte) in expected.enumerated() where bytes[range.lowerBound + offset] != byte { return false }
            return true
        }
    }

    /// Whether the column bytes equal the value at `range` (both absent counts as equal).
    static func equal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>?, _ column: UnsafeRawBufferPointer?) -> Bool {
        guard let range else { return column == nil }
        guard let column, column.count == range.count else { return false }
        guard !range.isEmpty else { return true }
        return memcmp(bytes.baseAddress! + range.lowerBound, column.baseAddress!, range.count) == 0
    }
}
