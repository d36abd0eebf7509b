/// A short, file-name-safe identifier for a party (our company or a partner): `acme-collect`.
///
/// Lowercase ASCII letters, digits and `-`, 2 to 40 characters, starting with a letter. It
/// appears in file names (`{sender}_{recipient}_...`), so `_` and separators are refused.
public struct PartyID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String

    /// - Throws: ``CoreError/Code/invalidIdentifier`` naming the rule broken.
    public init(_ rawValue: String) throws {
        let bytes = Array(rawValue.utf8)
        let ok = (2...40).contains(bytes.count)
            && bytes.first.map { $0 >= 97 && $0 <= 122 } == true
            && bytes.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
        guard ok else {
            throw CoreError(.invalidIdentifier, "\"\(rawValue.prefix(48))\" is not a valid party id (expected 2-40 lowercase letters, digits or '-', starting with a letter)")
        }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
    public static func < (lhs: PartyID, rhs: PartyID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
