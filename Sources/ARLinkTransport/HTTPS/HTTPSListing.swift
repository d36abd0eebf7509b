import Foundation

/// Parses a feedback folder listing served over HTTPS: a JSON array of objects with `name`,
/// `type` (`file`, `directory`, other) and `size`, as nginx writes with `autoindex_format json`.
enum HTTPSListing {
    static func parse(_ bytes: [UInt8], url: String) throws -> [OutboxEntry] {
        guard let array = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [Any] else {
            throw TransportError(.protocolError, "the listing at \(url) is not a JSON array (expected nginx autoindex_format json)")
        }
        var entries: [OutboxEntry] = []
        for item in array {
            guard let object = item as? [String: Any], let name = object["name"] as? String else { continue }
            let kind: OutboxEntry.Kind
            switch object["type"] as? String {
            case "file": kind = .file
            case "directory": kind = .directory
            default: kind = .other
            }
            let size = (object["size"] as? NSNumber)?.int64Value ?? -1
            entries.append(OutboxEntry(nameBytes: Array(name.utf8), kind: size < 0 && kind == .file ? .other : kind, size: size))
        }
        return entries
    }
}
