/// An ISO 4217 currency code with its minor-unit exponent.
///
/// Only codes in ``Currency/exponents`` are accepted; an unknown code is bad input, not a
/// guess. The exponent decides how amounts are written in files (IDR "1250000", USD "12.50").
/// Stored in 5 bytes (the three letters packed, and the exponent), so a ``Money`` is 16 bytes:
/// extracts hold millions of them.
public struct Currency: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The three ASCII letters, first letter in the highest byte (so integer order is code order).
    private let packed: UInt32
    private let minorDigits: UInt8

    /// The three-letter code, e.g. `EUR`.
    public var code: String {
        let bytes: [UInt8] = [UInt8(truncatingIfNeeded: packed >> 16), UInt8(truncatingIfNeeded: packed >> 8), UInt8(truncatingIfNeeded: packed)]
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The three ASCII letters of the code, as bytes (no String built).
    public var letters: (UInt8, UInt8, UInt8) {
        (UInt8(truncatingIfNeeded: packed >> 16), UInt8(truncatingIfNeeded: packed >> 8), UInt8(truncatingIfNeeded: packed))
    }

    /// Digits after the decimal separator (2 for EUR, 0 for JPY, 3 for KWD).
    public var exponent: Int { Int(minorDigits) }

    /// Creates a currency from its three-letter ISO 4217 code.
    /// - Throws: ``CoreError/Code/unknownCurrency`` when the code is not an active ISO 4217 code.
    public init(_ code: String) throws {
        let upper = code.uppercased()
        let letters = Array(upper.utf8)
        guard letters.count == 3, let exponent = Currency.exponents[upper] else {
            throw CoreError(.unknownCurrency, "\"\(code.prefix(16))\" is not an ISO 4217 currency code (expected three letters such as EUR, USD, IDR)")
        }
        self.packed = UInt32(letters[0]) << 16 | UInt32(letters[1]) << 8 | UInt32(letters[2])
        self.minorDigits = UInt8(exponent)
    }

    /// A currency from the three upper-case ASCII letters of its code, without building a
    /// String (ledger texts hold hundreds of thousands of codes); nil when they are not an
    /// active ISO 4217 code.
    @unsafe
    public init?(uppercaseASCII bytes: UnsafeBufferPointer<UInt8>) {
        self.init(uppercaseASCII: unsafe bytes.span)
    }

    /// A currency from the three upper-case ASCII letters of its code (see the pointer variant).
    public init?(uppercaseASCII bytes: Span<UInt8>) {
        guard bytes.count == 3 else { return nil }
        let packed = UInt32(bytes[0]) << 16 | UInt32(bytes[1]) << 8 | UInt32(bytes[2])
        guard let digits = Currency.exponentsByPacked[packed] else { return nil }
        self.packed = packed
        minorDigits = digits
    }

    /// ``exponents`` keyed by the packed letters.
    static let exponentsByPacked: [UInt32: UInt8] = {
        var table: [UInt32: UInt8] = [:]
        for (code, exponent) in exponents {
            let u = Array(code.utf8)
            table[UInt32(u[0]) << 16 | UInt32(u[1]) << 8 | UInt32(u[2])] = UInt8(exponent)
        }
        return table
    }()

    public var description: String { code }
    public static func < (lhs: Currency, rhs: Currency) -> Bool { lhs.packed < rhs.packed }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        try self.init(try c.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(code)
    }

    /// Active ISO 4217 codes and their minor-unit exponents (ISO 4217 list, amendment 176).
    public static let exponents: [String: Int] = {
        var table: [String: Int] = [:]
        let zero = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
        let three = "BHD IQD JOD KWD LYD OMR TND"
        let four = "CLF UYW"
        let two = """
            AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD \
            CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL \
            GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD \
            LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN \
            PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL \
            THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD YER ZAR ZMW ZWL
            """
        for code in two.split(separator: " ") { table[String(code)] = 2 }
        for code in zero.split(separator: " ") { table[String(code)] = 0 }
        for code in three.split(separator: " ") { table[String(code)] = 3 }
        for code in four.split(separator: " ") { table[String(code)] = 4 }
        return table
    }()
}
