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

    /// The value ranges (between the quotes), or `nil` when the bytes are not a flat JSON
    /// object of the canonical shape.
    static func find(_ bytes: UnsafeRawBufferPointer) -> Fields? {
        let count = bytes.count
        guard count >= 2, bytes[0] == UInt8(ascii: "{") else { return nil }
        var fields = Fields()
        var i = 1
        while i < count {
            guard bytes[i] == UInt8(ascii: "\"") else { return nil }
            let keyStart = i + 1
            var j = keyStart
            while j < count, bytes[j] != UInt8(ascii: "\"") { j += 1 }
            guard j + 1 < count, bytes[j + 1] == UInt8(ascii: ":") else { return nil }
            let key = keyStart..<j
            i = j + 2
            guard i < count else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "\""):
                let valueStart = i + 1
                var k = valueStart
                while k < count, bytes[k] != UInt8(ascii: "\"") { k += bytes[k] == UInt8(ascii: "\\") ? 2 : 1 }
                guard k < count else { return nil }
                let value = valueStart..<k
                if matches(bytes, key, "time") { fields.time = value }
                if matches(bytes, key, "action") { fields.action = value }
                if matches(bytes, key, "file_id") { fields.fileID = value }
                i = k + 1
            case UInt8(ascii: "{"):
                var k = i + 1
                var inString = false
                while k < count {
                    let byte = bytes[k]
                    if inString {
                        if byte == UInt8(ascii: "\\") { k += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
                    } else if byte == UInt8(ascii: "\"") {
                        inString = true
                    } else if byte == UInt8(ascii: "}") {
                        break
                    }
                    k += 1
                }
                guard k < count else { return nil }
                i = k + 1
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
        return memcmp(bytes.baseAddress! + range.lowerBound, column.baseAddress!, range.count) == 0
    }
}
