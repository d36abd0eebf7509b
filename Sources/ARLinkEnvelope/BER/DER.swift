/// Minimal DER encoding helpers for rebuilding small skeletons with definite lengths.
enum DER {
    /// Encodes a length in the definite form.
    static func length(_ n: Int) -> [UInt8] {
        if n < 0x80 { return [UInt8(n)] }
        var bytes: [UInt8] = []
        var v = n
        while v > 0 {
            bytes.insert(UInt8(v & 0xFF), at: 0)
            v >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    /// One element: identifier octets, definite length, contents.
    static func element(identifier: [UInt8], contents: [UInt8]) -> [UInt8] {
        identifier + length(contents.count) + contents
    }

    /// Decodes the contents of an OBJECT IDENTIFIER into dotted form, or nil when malformed.
    static func oidString(_ contents: ArraySlice<UInt8>) -> String? {
        guard !contents.isEmpty, contents.count <= 64 else { return nil }
        var arcs: [UInt64] = []
        var value: UInt64 = 0
        var started = false
        for b in contents {
            if !started && b == 0x80 { return nil }
            started = true
            if value > (UInt64.max >> 8) { return nil }
            value = (value << 7) | UInt64(b & 0x7F)
            if b & 0x80 == 0 {
                arcs.append(value)
                value = 0
                started = false
            }
        }
        if started { return nil }
        guard let first = arcs.first else { return nil }
        var parts: [UInt64]
        if first < 40 {
            parts = [0, first]
        } else if first < 80 {
            parts = [1, first - 40]
        } else {
            parts = [2, first - 80]
        }
        parts.append(contentsOf: arcs.dropFirst())
        return parts.map(String.init).joined(separator: ".")
    }
}
