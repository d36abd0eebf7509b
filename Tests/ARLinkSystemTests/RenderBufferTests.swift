import ARLinkSystem
import Testing

@Suite("RenderBuffer", .timeLimit(.minutes(1)))
struct RenderBufferTests {
    @Test("appends of every short length and growth keep the bytes", arguments: [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 100])
    func appends(length: Int) {
        let buffer = RenderBuffer(capacity: 16)
        var expected: [UInt8] = []
        for round in 0..<50 {
            let piece = (0..<length).map { UInt8(truncatingIfNeeded: round * 7 + $0) }
            buffer.append(piece)
            expected += piece
            buffer.append(UInt8(ascii: ","))
            expected.append(UInt8(ascii: ","))
        }
        #expect(buffer.bytes == expected)
        #expect(buffer.count == expected.count)
        buffer.withBytes { span in #expect(span.count == expected.count) }
    }

    @Test func numbersAndDates() {
        let b = RenderBuffer()
        b.appendDecimal(Int64(-42)); b.append(" ")
        b.appendDecimal(UInt64.max); b.append(" ")
        b.appendDecimal(Int64.min); b.append(" ")
        b.appendDecimal(minorUnits: 1250, exponent: 2); b.append(" ")
        b.appendDecimal(minorUnits: -5, exponent: 2); b.append(" ")
        b.appendDecimal(minorUnits: 7, exponent: 0); b.append(" ")
        b.appendDecimal(minorUnits: 1_250_000, exponent: 3); b.append(" ")
        b.appendISODate(year: 2026, month: 2, day: 9); b.append(" ")
        b.appendHex(0xA7)
        #expect(b.string() == "-42 18446744073709551615 -9223372036854775808 12.50 -0.05 7 1250.000 2026-02-09 a7")
    }

    @Test func exchangeTruncateAndCopy() {
        let a = RenderBuffer(), b = RenderBuffer()
        a.append(utf8: "hello")
        b.append(utf8: "xy")
        a.exchange(with: b)
        #expect(a.string() == "xy" && b.string() == "hello")
        b.truncate(to: 4)
        b.append(contentsOf: b, from: 1)
        #expect(b.string() == "hellell")
        b[0] = UInt8(ascii: "H")
        #expect(b.string(from: 0) == "Hellell" && b.string(from: 5) == "ll")
        b.removeAll()
        #expect(b.count == 0)
    }
}
