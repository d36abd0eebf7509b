/// The identifier and length octets of one BER element (X.690 section 8.1).
struct BERHeader: Equatable {
    /// Tag class: 0 universal, 1 application, 2 context-specific, 3 private.
    let tagClass: UInt8
    /// Whether the element is constructed (holds other elements).
    let constructed: Bool
    /// The tag number.
    let tagNumber: UInt32
    /// Content length, or nil for the indefinite form (ended by an end-of-contents element).
    let length: Int64?
    /// The identifier octets as they appeared, reused when re-encoding with a definite length.
    let identifier: [UInt8]
    /// Number of identifier plus length octets.
    let headerLength: Int

    /// The end-of-contents marker `00 00`.
    var isEndOfContents: Bool { tagClass == 0 && !constructed && tagNumber == 0 && length == 0 }

    func isUniversal(_ number: UInt32, constructed: Bool) -> Bool {
        tagClass == 0 && tagNumber == number && self.constructed == constructed
    }

    func isContext(_ number: UInt32) -> Bool { tagClass == 2 && tagNumber == number }

    /// Universal tag numbers used here.
    enum Universal {
        static let integer: UInt32 = 2
        static let octetString: UInt32 = 4
        static let null: UInt32 = 5
        static let oid: UInt32 = 6
        static let sequence: UInt32 = 16
        static let set: UInt32 = 17
    }

    /// Result of trying to parse a header from the front of a buffer.
    enum ParseResult: Equatable {
        case header(BERHeader)
        /// More bytes are needed (at most 2 + 4 + 1 + 8 are ever needed).
        case needMore
        case invalid(String)
    }

    /// The most octets a header we accept can occupy: 1 + 4 tag-number octets + 1 + 8 length octets.
    static let maximumLength = 14

    /// Parses a header from the start of `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> ParseResult {
        guard bytes.count >= 1 else { return .needMore }
        let first = bytes[0]
        let tagClass = first >> 6
        let constructed = first & 0x20 != 0
        var tagNumber = UInt32(first & 0x1F)
        var index = 1
        if tagNumber == 0x1F {
            tagNumber = 0
            var count = 0
            while true {
                guard index < bytes.count else { return .needMore }
                let b = bytes[index]
                index += 1
                count += 1
                if count > 4 { return .invalid("tag number longer than 4 octets") }
                if count == 1 && b == 0x80 { return .invalid("tag number with a leading zero octet") }
                tagNumber = (tagNumber << 7) | UInt32(b & 0x7F)
                if b & 0x80 == 0 { break }
            }
        }
        let identifierEnd = index
        guard index < bytes.count else { return .needMore }
        let lengthByte = bytes[index]
        index += 1
        var length: Int64?
        if lengthByte == 0x80 {
            guard constructed else { return .invalid("indefinite length on a primitive element") }
            length = nil
        } else if lengthByte & 0x80 == 0 {
            length = Int64(lengthByte)
        } else {
            let count = Int(lengthByte & 0x7F)
            if count == 0x7F { return .invalid("reserved length octet 0xFF") }
            if count > 8 { return .invalid("length of \(count) octets (at most 8 accepted)") }
            guard index + count <= bytes.count else { return .needMore }
            var value: UInt64 = 0
            for i in 0..<count { value = (value << 8) | UInt64(bytes[index + i]) }
            index += count
            if value > UInt64(Int64.max >> 1) { return .invalid("length \(value) is absurd") }
            length = Int64(value)
        }
        let identifier = Array(bytes[0..<identifierEnd])
        return .header(
            BERHeader(
                tagClass: tagClass, constructed: constructed, tagNumber: tagNumber, length: length,
                identifier: identifier, headerLength: index
            )
        )
    }
}
