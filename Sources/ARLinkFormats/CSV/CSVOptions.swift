/// Limits and dialect of a CSV file (RFC 4180 with a configurable delimiter).
public struct CSVOptions: Sendable, Hashable {
    /// The field separator byte: `,` by default, `;` and tab are common in European exports.
    public var delimiter: UInt8
    /// How much is read from the file at a time (default 1 MiB).
    public var chunkSize: Int
    /// The longest record accepted, in bytes, line end included (default 1 MiB).
    public var maxRecordBytes: Int
    /// The most fields a record may have (default 512).
    public var maxFields: Int

    /// - Parameters:
    ///   - delimiter: the field separator byte, `UInt8(ascii: ",")` by default.
    ///   - chunkSize: bytes per `read(2)`, at least 1.
    ///   - maxRecordBytes: cap on one record's length.
    ///   - maxFields: cap on one record's field count.
    public init(delimiter: UInt8 = UInt8(ascii: ","), chunkSize: Int = 1 << 20, maxRecordBytes: Int = 1 << 20, maxFields: Int = 512) {
        self.delimiter = delimiter
        self.chunkSize = max(1, chunkSize)
        self.maxRecordBytes = max(16, maxRecordBytes)
        self.maxFields = max(1, maxFields)
    }

    /// A printable name for a delimiter byte, for messages.
    static func name(of delimiter: UInt8) -> String {
        switch delimiter {
        case 9: "tab"
        case 32...126: "'\(Character(Unicode.Scalar(delimiter)))'"
        default: "byte \(delimiter)"
        }
    }
}
