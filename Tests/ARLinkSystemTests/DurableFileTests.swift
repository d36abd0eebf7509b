@testable import ARLinkSystem
import ARLinkTestSupport
import Foundation
import Testing

@Suite("DurableFile", .timeLimit(.minutes(1)))
struct DurableFileTests {
    /// Several MB with a partial last block, so direct I/O writes whole blocks and the tail.
    static func content(_ seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        return (0..<60_000).map { i in "line \(i) " + String(repeating: "x", count: Int(random.next() % 90)) }
    }

    func write(_ lines: [String], to path: String, directIO: Bool, refusal: DurableFile.SimulatedRefusal) throws -> (DurableFile, String) {
        let file = try DurableFile(path: path, mode: 0o640, directIO: directIO, digest: SHA256Digest(), simulating: refusal)
        #expect(FileManager.default.fileExists(atPath: file.temporaryPath))
        for line in lines { try file.writeLine(line) }
        #expect(!FileManager.default.fileExists(atPath: path), "the final name appears only at commit")
        try file.commit()
        return (file, file.digestHex())
    }

    func check(_ path: String, _ lines: [String], digest: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data == Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(try ProcessRunner.run("sha256sum", [path]).stdout.hasPrefix(digest))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o640)
        #expect(!FileManager.default.fileExists(atPath: DurableFile.temporaryPath(for: path)))
    }

    @Test func bufferedWrite() throws {
        let dir = try TemporaryDirectory("durable")
        defer { dir.remove() }
        let lines = Self.content(1), path = dir.file("plain.txt")
        let (file, digest) = try write(lines, to: path, directIO: false, refusal: .none)
        #expect(!file.openedWithDirectIO && !file.usesDirectIO)
        try check(path, lines, digest: digest)
    }

    /// Where `O_DIRECT` is refused at open (tmpfs), the file is written through the page cache.
    @Test func directIORefusedAtOpen() throws {
        let dir = try TemporaryDirectory("durable")
        defer { dir.remove() }
        let lines = Self.content(2), path = dir.file("refused.txt")
        let (file, digest) = try write(lines, to: path, directIO: true, refusal: .atOpen)
        #expect(!file.openedWithDirectIO && !file.usesDirectIO)
        try check(path, lines, digest: digest)
    }

    /// A file system that opens with `O_DIRECT` but refuses the first direct write: the file
    /// continues through the page cache, byte for byte. Where the folder refuses `O_DIRECT`
    /// already at open, the write goes buffered from the start and the content is checked alike.
    @Test func directIORefusedAtFirstWrite() throws {
        let dir = try TemporaryDirectory("durable")
        defer { dir.remove() }
        let lines = Self.content(3), path = dir.file("midway.txt")
        let (file, digest) = try write(lines, to: path, directIO: true, refusal: .atFirstWrite)
        #expect(!file.usesDirectIO, "the refused write leaves direct I/O")
        try check(path, lines, digest: digest)
    }

    /// Direct I/O as the file system gives it: whole blocks direct, the tail buffered.
    @Test func directIO() throws {
        let dir = try TemporaryDirectory("durable")
        defer { dir.remove() }
        let lines = Self.content(4), path = dir.file("direct.txt")
        let (file, digest) = try write(lines, to: path, directIO: true, refusal: .none)
        #expect(file.usesDirectIO == file.openedWithDirectIO)
        try check(path, lines, digest: digest)
    }

    @Test func stageThenPublish() throws {
        let dir = try TemporaryDirectory("durable")
        defer { dir.remove() }
        let path = dir.file("staged.txt")
        let file = try DurableFile(path: path)
        try file.writeLine("one")
        let size = try file.stage()
        #expect(size == 4 && !FileManager.default.fileExists(atPath: path))
        #expect(throws: DurableFileError.self) { try DurableFile.publish(path: path, expectedBytes: 5) }
        #expect(try DurableFile.publish(path: path, expectedBytes: 4))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one\n")
        #expect(try !DurableFile.publish(path: path, expectedBytes: 4), "published before")
    }

    @Test func discardLeavesNothing() throws {
        let dir = try TemporaryDirectory("durable")
        defer { dir.remove() }
        let path = dir.file("gone.txt")
        do {
            let file = try DurableFile(path: path)
            try file.writeLine("partial")
            file.discard()
        }
        do {
            let file = try DurableFile(path: path)
            try file.writeLine("dropped without commit")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func missingFolderIsAClearError() throws {
        let dir = try TemporaryDirectory("durable")
        defer { dir.remove() }
        let error = #expect(throws: DurableFileError.self) { try DurableFile(path: dir.file("no/such/file.txt")) }
        #expect(error?.code == ENOENT)
        #expect(error?.description.contains("no/such/.file.txt.tmp") == true)
    }
}

@Suite("BackgroundPipe", .timeLimit(.minutes(1)))
struct BackgroundPipeTests {
    final class Log: @unchecked Sendable {
        let lock = NSLock()
        var values: [Int] = []
        func add(_ v: Int) { lock.lock(); values.append(v); lock.unlock() }
    }

    struct Stop: Error {}

    @Test func runsInOrder() throws {
        let pipe = BackgroundPipe(label: "test", depth: 2)
        let log = Log()
        for i in 0..<100 { try pipe.submit { log.add(i) } }
        try pipe.finish()
        #expect(log.values == Array(0..<100))
    }

    @Test func firstFailureStopsThePipe() throws {
        let pipe = BackgroundPipe(label: "test")
        let log = Log()
        try pipe.submit { log.add(1) }
        try pipe.submit { throw Stop() }
        pipe.drain()
        #expect(throws: Stop.self) { try pipe.submit { log.add(3) } }
        #expect(throws: Stop.self) { try pipe.finish() }
        #expect(log.values == [1])
    }
}
