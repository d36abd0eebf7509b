@testable import ARLinkTransport
import Testing

/// Hostile names a real file system cannot hold (`/` inside a name, 4 KB names) can still come
/// from a hostile or broken server's listing; these tests feed such listings to the parser.
@Suite("Outbox listing parser and screen", .timeLimit(.minutes(10)))
struct OutboxScreenTests {
    static let pattern = #"ACME_.*\.p7m"#

    func screen(_ listing: [UInt8]) throws -> OutboxListing {
        let parsed = SFTPListing.parse(listing)
        let screen = OutboxScreen(rules: OutboxRules(namePattern: Self.pattern, stabilityInterval: .zero), pattern: try NamePattern(Self.pattern))
        var look = screen.screen(parsed.entries)
        look.skipped += parsed.skipped
        return screen.listing(first: look, second: nil)
    }

    func line(_ name: [UInt8], size: Int = 10, mode: String = "-rw-r--r--") -> [UInt8] {
        Array("\(mode)    1 partner  partner  \(size) Nov 29 04:00 ".utf8) + name + [0x0A]
    }

    @Test func hostileNamesAreSkippedEscapedAndNeverOffered() throws {
        var listing: [UInt8] = Array("garbage line\n".utf8)
        listing += line(Array("ACME_ok.p7m".utf8), size: 42)
        listing += line(Array("../ACME_up.p7m".utf8))
        listing += line(Array("/etc/ACME_abs.p7m".utf8))
        listing += line(Array("ACME_a\\b.p7m".utf8))
        listing += line(Array(repeating: UInt8(ascii: "A"), count: 4096))
        listing += line(Array("ACME_".utf8) + [0xC3, 0x28] + Array(".p7m".utf8))
        listing += line(Array("ACME_tab\t.p7m".utf8))
        listing += line(Array("ACME_nl".utf8)) + Array("tail.p7m".utf8) + [0x0A]
        listing += line(Array("ACME_link.p7m -> /etc/passwd".utf8), mode: "lrwxrwxrwx")
        listing += line(Array(".".utf8), mode: "drwxr-xr-x") + line(Array("..".utf8), mode: "drwxr-xr-x")

        let result = try screen(listing)
        #expect(result.files == [RemoteFile(name: "ACME_ok.p7m", size: 42)])
        let reasons = Dictionary(result.skipped.map { ($0.escapedName, $0.reason) }, uniquingKeysWith: { a, _ in a })
        #expect(reasons["../ACME_up.p7m"]?.contains("..") == true)
        #expect(reasons["/etc/ACME_abs.p7m"]?.contains("separator") == true)
        #expect(reasons["ACME_a\\x5Cb.p7m"]?.contains("separator") == true)
        #expect(reasons["ACME_\\xC3(.p7m"]?.contains("non-ASCII") == true)
        #expect(reasons["ACME_tab\\x09.p7m"]?.contains("control") == true)
        #expect(reasons["ACME_nl\\x0Atail.p7m"]?.contains("newline") == true)
        #expect(reasons["ACME_link.p7m"]?.contains("symbolic link") == true)
        let long = try #require(reasons.keys.first { $0.hasPrefix("AAAA") })
        #expect(long.count < 200 && long.hasSuffix("(4096 bytes)"))
        #expect(reasons["garbage line"] != nil)
        #expect(result.skipped.allSatisfy { $0.escapedName.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } })
    }

    @Test("a file of the same size but a new modification time in the second look is still being written: not offered")
    func rewrittenBetweenLooksIsNotOffered() throws {
        let screen = OutboxScreen(rules: OutboxRules(namePattern: Self.pattern, stabilityInterval: .seconds(5)), pattern: try NamePattern(Self.pattern))
        let first = screen.screen([OutboxEntry(nameBytes: Array("ACME_1.p7m".utf8), kind: .file, size: 10, modified: 1_000),
                                   OutboxEntry(nameBytes: Array("ACME_2.p7m".utf8), kind: .file, size: 10, modified: 1_000)])
        let second = screen.screen([OutboxEntry(nameBytes: Array("ACME_1.p7m".utf8), kind: .file, size: 10, modified: 2_000),
                                    OutboxEntry(nameBytes: Array("ACME_2.p7m".utf8), kind: .file, size: 10, modified: 1_000)])
        let result = screen.listing(first: first, second: second)
        #expect(result.files == [RemoteFile(name: "ACME_2.p7m", size: 10)])
        #expect(result.skipped.map(\.escapedName) == ["ACME_1.p7m"])
        #expect(result.skipped.first?.reason.contains("modified between two looks") == true)
    }

    @Test(arguments: [
        ("ACME_1.p7m", true), ("../x", false), ("/abs", false), ("a/b", false), ("..", false), ("a..b", false),
        (".hidden", false), ("", false), ("sp ace", false), ("semi;colon", false), ("quote\"", false),
    ])
    func nameRules(_ name: String, _ valid: Bool) {
        #expect((RemoteName.problem(Array(name.utf8)) == nil) == valid)
    }

    @Test func escapingCutsLongNamesAndHexesUnprintables() {
        #expect(RemoteName.escape([0x41, 0x0A, 0xFF, 0x5C, 0x22]) == "A\\x0A\\xFF\\x5C\\x22")
        #expect(RemoteName.escape([UInt8](repeating: 0x41, count: 300)).hasSuffix("...(300 bytes)"))
    }
}
