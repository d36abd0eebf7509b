/// Validation and safe display of file names that come from (or go to) a partner.
///
/// A valid name is 1...``maximumLength`` bytes of `A-Z a-z 0-9 . _ - + = @ , ~`, does not
/// start with a dot, contains no `..`, and (when a pattern is given) matches the partner's
/// pattern as a whole. Such a name has no path separator, needs no quoting in an SFTP quote
/// command or a URL, and cannot leave the folder it is joined to.
public enum RemoteName {
    /// Longest accepted name in bytes; file systems allow 255, we keep room for `.part` and suffixes.
    public static let maximumLength = 200

    /// Why `bytes` is not an acceptable name, or `nil` when it is (pattern not checked here).
    public static func problem(_ bytes: some Collection<UInt8>) -> String? {
        if bytes.isEmpty { return "is empty" }
        if bytes.count > maximumLength { return "is \(bytes.count) bytes long (at most \(maximumLength))" }
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") { return "contains a path separator" }
            if byte >= 0x80 { return "contains a non-ASCII byte" }
            if byte < 0x20 || byte == 0x7F { return "contains a control character" }
            if !isAllowed(byte) { return "contains the character '\(Character(Unicode.Scalar(byte)))'" }
            if byte == UInt8(ascii: "."), previous == UInt8(ascii: ".") { return "contains '..'" }
            previous = byte
        }
        if bytes.first == UInt8(ascii: ".") { return "starts with a dot" }
        return nil
    }

    /// Checks a name and the partner's pattern; returns the name as a `String`.
    ///
    /// - Throws: ``TransportError`` `.invalidName` naming the escaped name and the rule it breaks.
    public static func validated(_ name: String, pattern: NamePattern?) throws -> String {
        if let problem = problem(Array(name.utf8)) {
            throw TransportError(.invalidName, "file name \"\(escape(Array(name.utf8)))\" \(problem); names may use A-Z a-z 0-9 . _ - + = @ , ~ only")
        }
        if let pattern, !pattern.matches(name) {
            throw TransportError(.invalidName, "file name \"\(name)\" does not match the partner's name pattern \(pattern.source)")
        }
        return name
    }

    /// The bytes with everything outside printable ASCII (and the backslash and quote) written as `\xNN`.
    ///
    /// Over-long input is cut to 120 bytes followed by `...(N bytes)` so logs stay readable.
    public static func escape(_ bytes: some Collection<UInt8>) -> String {
        var out = ""
        var count = 0
        for byte in bytes {
            if count == 120 {
                out += "...(\(bytes.count) bytes)"
                break
            }
            count += 1
            if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\"), byte != UInt8(ascii: "\"") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "\\x" + hex(byte)
            }
        }
        return out
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "="),
            UInt8(ascii: "@"), UInt8(ascii: ","), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
