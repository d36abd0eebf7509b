import Foundation
public import ARLinkCore

/// The signed sidecar manifest that travels with a file written in a partner layout.
///
/// A layout such as Latitude AIM has no place for arlink's signed header (file id, sequence,
/// sender, recipient, recipient key, previous file's digest, audit checkpoint) or for its
/// control totals per record type and currency. They travel in a small JSON Lines file
/// sealed (signed, then encrypted) like the data file and delivered with it, named after it
/// with `.manifest.jsonl` added:
///
/// 1. the header record of arlink's own format, exactly as arlink's JSON Lines file has it;
/// 2. a `layout_data` record: the layout's name, the data file's name, its SHA-256 and size;
/// 3. the trailer record of arlink's own format: counts per record type, totals per currency.
///
/// On receipt the data file must have the digest and size the manifest states; the header
/// and the trailer then go through arlink's ordinary checks, with the data file's records in
/// between (``LayoutFeedbackConversion``).
public struct SidecarManifest: Sendable, Hashable {
    /// The header record's JSON text.
    public var headerLine: String
    public var layoutName: String
    public var dataFileName: String
    /// SHA-256 of the data file (lowercase hex).
    public var dataSHA256: String
    public var dataBytes: Int
    /// The trailer record's JSON text.
    public var trailerLine: String

    public init(headerLine: String, layoutName: String, dataFileName: String, dataSHA256: String, dataBytes: Int, trailerLine: String) {
        self.headerLine = headerLine; self.layoutName = layoutName; self.dataFileName = dataFileName
        self.dataSHA256 = dataSHA256; self.dataBytes = dataBytes; self.trailerLine = trailerLine
    }

    /// The manifest's file name for a data file's name.
    public static func fileName(for dataFileName: String) -> String { dataFileName + ".manifest.jsonl" }

    /// A manifest for `data`, from arlink's own file of the same content (its first and last lines).
    public init(arlinkFileText text: String, layoutName: String, dataFileName: String, data: [UInt8]) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.count >= 2, lines.first!.contains("\"record_type\":\"header\""), lines.last!.contains("\"record_type\":\"trailer\"") else {
            throw LayoutError(.cannotRender, "arlink's file for \(dataFileName) has no header and trailer to put in its manifest")
        }
        var h = SHA256()
        h.update(data)
        self.init(headerLine: String(lines.first!), layoutName: layoutName, dataFileName: dataFileName, dataSHA256: h.finalizeHex(),
                  dataBytes: data.count, trailerLine: String(lines.last!))
    }

    /// The manifest file's text.
    public var text: String {
        let data: [String: Any] = ["record_type": "layout_data", "layout": layoutName, "file_name": dataFileName, "sha256": dataSHA256, "bytes": dataBytes]
        let json = (try? JSONSerialization.data(withJSONObject: data, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return headerLine + "\n" + String(decoding: json, as: UTF8.self) + "\n" + trailerLine + "\n"
    }

    /// Reads a manifest file's text.
    /// - Throws: ``LayoutError/Code/badLine`` naming `name` and what is wrong.
    public init(text: String, name: String) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard lines.count == 3 else {
            throw LayoutError(.badLine, "manifest \(name) has \(lines.count) lines (expected 3: header, layout_data, trailer)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any],
              object["record_type"] as? String == "layout_data",
              let layout = object["layout"] as? String, let file = object["file_name"] as? String,
              let sha = object["sha256"] as? String, let bytes = object["bytes"] as? Int else {
            throw LayoutError(.badLine, "manifest \(name) line 2 is not a layout_data record (expected layout, file_name, sha256 and bytes)")
        }
        guard lines[0].contains("\"record_type\":\"header\"") else { throw LayoutError(.missingHeader, "manifest \(name) line 1 is not a header record") }
        guard lines[2].contains("\"record_type\":\"trailer\"") else { throw LayoutError(.missingTrailer, "manifest \(name) line 3 is not a trailer record") }
        self.init(headerLine: lines[0], layoutName: layout, dataFileName: file, dataSHA256: sha, dataBytes: bytes, trailerLine: lines[2])
    }

    /// Checks that `data`, received as `dataFileName`, is the file this manifest describes.
    /// - Throws: ``LayoutError/Code/badLine`` when the name, size or digest differ (the data
    ///   file was substituted, truncated or changed).
    public func check(data: [UInt8], dataFileName name: String) throws {
        guard name == dataFileName else {
            throw LayoutError(.badLine, "manifest names data file \(dataFileName), not \(name)")
        }
        guard data.count == dataBytes else {
            throw LayoutError(.badLine, "\(name) has \(data.count) bytes, its signed manifest says \(dataBytes); the file is refused")
        }
        var h = SHA256()
        h.update(data)
        let digest = h.finalizeHex()
        guard digest == dataSHA256 else {
            throw LayoutError(.badLine, "\(name) has SHA-256 \(digest.prefix(12))…, its signed manifest says \(dataSHA256.prefix(12))…; the file is refused")
        }
    }
}
