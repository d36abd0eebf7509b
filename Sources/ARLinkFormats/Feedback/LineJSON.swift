/// A parsed JSON value of one exchange-file line. Numbers keep their text (money is never a
/// float); duplicate object keys are refused at parse time.
public enum LineJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number exactly as written.
    case number(String)
    case string(String)
    case array([LineJSON])
    case object([String: LineJSON])

    /// A member of an object, nil for anything else.
    public subscript(key: String) -> LineJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The JSON type name, for messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Parses one line (tests and small documents).
    public static func parse(_ text: String) throws(LineJSONParser.Failure) -> LineJSON {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(LineJSONParser.Failure) in try LineJSONParser.parse(buffer) }
    }
}
