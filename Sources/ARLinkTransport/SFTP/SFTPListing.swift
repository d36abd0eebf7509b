/// Parses the long directory listing libcurl returns for an SFTP folder URL.
///
/// Each line is the server's `ls -l` style long name (`-rw-r--r-- 1 owner group 1234 Nov 29 04:00 NAME`),
/// with ` -> TARGET` appended by libcurl for symbolic links. A name containing a newline splits
/// into a line that does not parse: that line and the entry before it are reported together as
/// one skipped, escaped name instead of being trusted.
enum SFTPListing {
    struct Parsed {
        var entries: [OutboxEntry] = []
        var skipped: [SkippedName] = []
    }

    static func parse(_ bytes: [UInt8]) -> Parsed {
        var result = Parsed()
        var lastEntryIndex: Int? = nil
        var lastEntryBytes: [UInt8] = []
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
            if let entry = parseLine(Array(line)) {
                result.entries.append(entry)
                lastEntryIndex = result.entries.count - 1
                lastEntryBytes = entry.nameBytes
                continue
            }
            // A continuation: the previous name contained a newline.
            if let index = lastEntryIndex, index == result.entries.count - 1 {
                result.entries.removeLast()
                lastEntryBytes += [0x0A] + Array(line)
                result.skipped.append(SkippedName(escapedName: RemoteName.escape(lastEntryBytes), reason: "name contains a control character (newline)"))
                lastEntryIndex = nil
            } else if let last = result.skipped.popLast(), lastEntryIndex == nil, !lastEntryBytes.isEmpty {
                lastEntryBytes += [0x0A] + Array(line)
                result.skipped.append(SkippedName(escapedName: RemoteName.escape(lastEntryBytes), reason: last.reason))
            } else {
                result.skipped.append(SkippedName(escapedName: RemoteName.escape(Array(line)), reason: "listing line could not be parsed"))
            }
        }
        return result
    }

    /// One `ls -l` style line: mode, links, owner, group, size, three date fields, name.
    static func parseLine(_ line: [UInt8]) -> OutboxEntry? {
        var fields: [[UInt8]] = []
        var index = 0
        while fields.count < 8 {
            while index < line.count, line[index] == 0x20 { index += 1 }
            guard index < line.count else { return nil }
            let start = index
            while index < line.count, line[index] != 0x20 { index += 1 }
            fields.append(Array(line[start..<index]))
        }
        guard index < line.count, line[index] == 0x20 else { return nil }
        var name = Array(line[(index + 1)...])
        let mode = fields[0]
        guard mode.count >= 10, let type = mode.first, "-dlcbps".utf8.contains(type),
            let size = Int64(String(decoding: fields[4], as: UTF8.self)), size >= 0
        else { return nil }
        let kind: OutboxEntry.Kind
        switch type {
        case UInt8(ascii: "-"): kind = .file
        case UInt8(ascii: "d"): kind = .directory
        case UInt8(ascii: "l"):
            kind = .symlink
            let arrow = Array(" -> ".utf8)
            if let cut = firstIndex(of: arrow, in: name) { name = Array(name[..<cut]) }
        default: kind = .other
        }
        guard !name.isEmpty else { return nil }
        return OutboxEntry(nameBytes: name, kind: kind, size: size)
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<start + needle.count]) == needle {
            return start
        }
        return nil
    }
}
