@testable import ARLinkEnvelope
import Foundation
import Testing

@Suite("BER splitting", .timeLimit(.minutes(10)))
struct BERTests {
    func header(_ bytes: [UInt8]) -> BERHeader.ParseResult {
        bytes.withUnsafeBytes { BERHeader.parse($0) }
    }

    @Test func headers() {
        guard case .header(let h) = header([0x30, 0x82, 0x01, 0x00]) else { Issue.record("no header"); return }
        #expect(h.length == 256 && h.constructed && h.headerLength == 4)
        guard case .header(let i) = header([0xA0, 0x80]) else { Issue.record("no header"); return }
        #expect(i.length == nil && i.isContext(0))
        guard case .header(let big) = header([0x9F, 0x81, 0x00, 0x01, 0x05]) else { Issue.record("no header"); return }
        #expect(big.tagNumber == 128 && big.identifier == [0x9F, 0x81, 0x00])
        #expect(header([0x30]) == .needMore)
        #expect(header([0x30, 0x84, 0x00]) == .needMore)
        if case .invalid = header([0x04, 0x80]) {} else { Issue.record("indefinite primitive accepted") }
        if case .invalid = header([0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {} else { Issue.record("9-octet length accepted") }
        if case .invalid = header([0x30, 0x88, 0xFF, 0, 0, 0, 0, 0, 0, 0]) {} else { Issue.record("absurd length accepted") }
    }

    @Test("an OCTET STRING reads the same primitive, chunked, nested", arguments: [1, 7, 4096])
    func octetStrings(readSize: Int) throws {
        let content = Array((0..<1000).map { UInt8(truncatingIfNeeded: $0) })
        let primitive: [UInt8] = [0x04, 0x82, 0x03, 0xE8] + content
        var chunked: [UInt8] = [0x24, 0x80]
        for start in stride(from: 0, to: 1000, by: 300) {
            let piece = Array(content[start..<min(start + 300, 1000)])
            chunked += [0x04, 0x82, UInt8(piece.count >> 8), UInt8(piece.count & 0xFF)] + piece
        }
        chunked += [0, 0]
        let nested: [UInt8] = [0x24, 0x80] + chunked + [0x04, 0x00, 0x00, 0x00]
        for encoding in [primitive, chunked, nested] {
            let reader = BERStreamReader(source: MemorySource(encoding), bufferSize: 64)
            let h = try reader.readHeader(context: "test")
            let source = OctetStringSource(reader: reader, header: h, name: "test")
            var out: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: readSize)
            while true {
                let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { break }
                out += buffer[0..<n]
            }
            #expect(out == content)
            #expect(try reader.atEnd())
        }
    }

    @Test("inspect over bytes in memory and on a file agree")
    func inspectBytes() throws {
        let f = try Fixture.get()
        let s = try Scratch()
        let sealed = try sealDefault(s, plain: try s.makePlaintext(count: 10_000))
        let fromFile = try Envelope.inspect(input: sealed)
        let fromBytes = try Envelope.inspect(bytes: try s.read(sealed))
        #expect(fromFile == fromBytes)
        #expect(fromFile.contentType == "authEnvelopedData")
        #expect(fromFile.tagBytes == 16)
        #expect(fromFile.recipients.count == 1)
        #expect(fromFile.recipients[0].identifier.contains("CN=Acme Collect Example CA"))
        // A signed (unencrypted) file shows its signer.
        let signed = s.path("signed.der")
        let plain = try s.makePlaintext("p2.bin", count: 5000)
        try #require(Shell.run("openssl cms -sign -binary -nodetach -stream -in '\(plain)' \(Signer.companyEC.cliOptions(f)) -outform DER -out '\(signed)'").status == 0)
        let report = try Envelope.inspect(input: signed)
        #expect(report.contentType == "signedData")
        #expect(report.signers.count == 1)
        #expect(report.signers.first?.subject == "CN=Example Company AR signing,O=Example Company")
        #expect(report.signedBytes == 5000)
    }
}
