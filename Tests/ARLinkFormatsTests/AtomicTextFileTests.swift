@testable import ARLinkFormats
import ARLinkSystem
import ARLinkTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Atomic text files, buffered and with direct I/O", .timeLimit(.minutes(10)))
struct AtomicTextFileTests {
    /// Lines of many lengths: short ones, ones that straddle 4 KiB blocks and 1 MiB buffers,
    /// and one longer than the buffer (which then grows), in a fixed pseudo-random order.
    static func lines(count: Int) -> [String] {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        var out: [String] = []
        for n in 0..<count {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = n == count / 2 ? 3 << 20 : Int(seed >> 52)  // 0..4095, once 3 MiB
            let letter = Character(UnicodeScalar(UInt8(97 + n % 26)))
            out.append("\(n):" + String(repeating: letter, count: length) + "é")
        }
        return out
    }

    /// Whether `folder`'s file system takes `O_DIRECT` (tmpfs does not).
    static func takesDirectIO(_ folder: String) -> Bool {
        let probe = folder + "/.probe"
        let fd = open(probe, O_WRONLY | O_CREAT | O_CLOEXEC | oDirect, 0o600)
        defer { unlink(probe) }
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }

    static func contents(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test("direct and buffered writing give the same bytes, a line at a time and two files in step", arguments: [false, true])
    func sameBytes(direct: Bool) throws {
        let dir = try TemporaryDirectory()
        let lines = Self.lines(count: 6_000)
        let one = try AtomicTextFile(path: dir.file("one.txt"), direct: direct)
        let left = try AtomicTextFile(path: dir.file("left.txt"), direct: direct)
        let right = try AtomicTextFile(path: dir.file("right.txt"), direct: direct)
        #expect(one.usesDirectIO == (direct && Self.takesDirectIO(dir.path)))
        for line in lines {
            try one.writeLine(line)
            try left.writeLines(alongside: right) { l, r in
                l.append(utf8: line)
                r.append(utf8: String(line.reversed()))
            }
        }
        let expected = Array((lines.joined(separator: "\n") + "\n").utf8)
        #expect(try one.stage() == Int64(expected.count))
        try left.commit()
        #expect(try right.stage() > 0)
        #expect(try Self.contents(AtomicTextFile.temporaryPath(for: dir.file("one.txt"))) == expected)
        #expect(try Self.contents(dir.file("left.txt")) == expected)
        let reversed = Array((lines.map { String($0.reversed()) }.joined(separator: "\n") + "\n").utf8)
        #expect(try Self.contents(AtomicTextFile.temporaryPath(for: dir.file("right.txt"))) == reversed)
    }

    @Test("a file shorter than one block, and an empty one, come out whole with direct I/O")
    func shortFiles() throws {
        let dir = try TemporaryDirectory()
        let short = try AtomicTextFile(path: dir.file("short.txt"), direct: true)
        try short.writeLine("just one line")
        try short.commit()
        #expect(try String(contentsOfFile: dir.file("short.txt"), encoding: .utf8) == "just one line\n")
        let empty = try AtomicTextFile(path: dir.file("empty.txt"), direct: true)
        try empty.commit()
        #expect(try Self.contents(dir.file("empty.txt")).isEmpty)
    }

    @Test("a file dropped before it is staged leaves nothing behind, with blocks still in flight")
    func discardedWhileWriting() throws {
        let dir = try TemporaryDirectory()
        do {
            let file = try AtomicTextFile(path: dir.file("dropped.txt"), direct: true)
            for line in Self.lines(count: 3_000) { try file.writeLine(line) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}

@Suite("Byte buffers", .timeLimit(.minutes(10)))
struct ByteBufferTests {
    @Test("appending runs of every length from 0 to 80, at every offset of a source, gives the bytes in order")
    func appendEveryLength() {
        let source = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let buffer = ByteBuffer(capacity: 3)  // grows many times on the way
        var expected: [UInt8] = []
        source.withUnsafeBufferPointer { all in
            for length in 0...80 {
                for offset in stride(from: 0, through: 200 - length, by: 13) {
                    buffer.append(UnsafeBufferPointer(rebasing: all[offset..<(offset + length)]))
                    expected.append(contentsOf: source[offset..<(offset + length)])
                }
            }
        }
        #expect(buffer.count == expected.count)
        #expect(buffer.bytes == expected)
    }

    @Test("exchanging trades content and memory, and both buffers keep working")
    func exchange() {
        let a = ByteBuffer(capacity: 64, alignment: 4096)
        let b = ByteBuffer(capacity: 64, alignment: 4096)
        a.append("first")
        b.append("second")
        a.exchange(with: b)
        #expect(a.bytes == Array("second".utf8))
        #expect(b.bytes == Array("first".utf8))
        #expect(Int(bitPattern: a.base) % 4096 == 0 && Int(bitPattern: b.base) % 4096 == 0)
        for _ in 0..<100 { a.append(" more") }  // grows, keeping the alignment
        #expect(Int(bitPattern: a.base) % 4096 == 0)
        #expect(a.count == 6 + 500)
    }
}
