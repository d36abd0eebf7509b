import ARLinkSystem
import ARLinkTestSupport
import Foundation
import Testing

@Suite("SHA-256", .timeLimit(.minutes(1)))
struct SHA256Tests {
    @Test("FIPS 180 vectors and odd split points, against sha256sum", arguments: [0, 1, 55, 56, 63, 64, 65, 1000])
    func vectors(length: Int) throws {
        let data = [UInt8]((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        var whole = SHA256()
        whole.update(data)
        var pieces = SHA256()
        var i = 0
        while i < data.count {
            let n = min(13, data.count - i)
            pieces.update(Array(data[i..<i + n]).span)
            i += n
        }
        let a = whole.finalizeHex(), b = pieces.finalizeHex()
        #expect(a == b)
        let dir = try TemporaryDirectory("sha")
        defer { dir.remove() }
        let path = dir.file("d.bin")
        try Data(data).write(to: URL(fileURLWithPath: path))
        #expect(try ProcessRunner.run("sha256sum", [path]).stdout.hasPrefix(a))
    }

    @Test func knownAnswers() {
        var empty = SHA256()
        #expect(empty.finalizeHex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var abc = SHA256()
        abc.update(utf8: "abc")
        #expect(abc.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let digest = SHA256Digest()
        digest.update(Array("abc".utf8).span)
        #expect(digest.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

@Suite("Hex and SplitMix64", .timeLimit(.minutes(1)))
struct SmallToolTests {
    @Test func hexRoundTrip() {
        let bytes: [UInt8] = [0x00, 0x0f, 0x10, 0xab, 0xff]
        #expect(Hex.encode(bytes) == "000f10abff")
        #expect(Hex.decode("000F10abFF") == bytes)
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.encode(UInt64(0x0123_4567_89ab_cdef)) == "0123456789abcdef")
        #expect(Hex.encode(UInt64(1)) == "0000000000000001")
    }

    /// Reference values of SplitMix64 seeded with 1234567 (the published test vector).
    @Test func splitMixVector() {
        var random = SplitMix64(seed: 1_234_567)
        let expected: [UInt64] = [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423]
        #expect((0..<3).map { _ in random.next() } == expected)
        var again = SplitMix64(seed: 1_234_567)
        _ = again.next()
        #expect(SplitMix64.mix(1_234_567 &+ 0x9E37_79B9_7F4A_7C15) == 6_457_827_717_110_365_317)
        #expect(again.state == 1_234_567 &+ 0x9E37_79B9_7F4A_7C15)
    }
}
