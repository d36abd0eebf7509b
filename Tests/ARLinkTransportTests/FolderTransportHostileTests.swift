import ARLinkCore
import ARLinkTestSupport
import ARLinkTransport
import Foundation
import Testing

/// A partner controls its folders: FIFOs where files belong, files that change between
/// listing, fetch and finish, and moves a crash interrupted. Each call runs under a deadline,
/// so a call that would block for ever fails the test instead of hanging it.
@Suite("Folder transport against a hostile partner", .timeLimit(.minutes(10)))
struct FolderTransportHostileTests {
    static let feedbackName = "ACME_CORP_feedback_20261129_000001.jsonl.p7m"

    /// Runs `body` on a thread of its own and waits at most `seconds` for it. On timeout the
    /// FIFO at `fifo` is opened at both ends (O_RDWR), which releases a thread stuck in
    /// `open(2)` on it, and nil is returned.
    func within<T: Sendable>(_ seconds: Double, fifo: String, _ body: @escaping @Sendable () throws -> T) -> Result<T, any Error>? {
        let box = ResultBox<Result<T, any Error>>()
        let done = DispatchSemaphore(value: 0)
        Thread {
            box.set(Result { try body() })
            done.signal()
        }.start()
        guard done.wait(timeout: .now() + seconds) == .success else {
            _ = open(fifo, O_RDWR | O_NONBLOCK)  // left open: the stuck call finishes against it
            return nil
        }
        return box.get()
    }

    @Test("a FIFO at the .part name of a delivery is replaced by the file, not waited on")
    func fifoAtThePartName() throws {
        let f = try FolderTransportTests.Fixture()
        defer { f.root.remove() }
        let local = try f.root.write("a.p7m", text: "receipt bytes")
        let part = f.inbox + "/X_1.p7m.part"
        #expect(mkfifo(part, 0o644) == 0)
        nonisolated(unsafe) let transport = f.transport
        let result = try #require(within(10, fifo: part) { try transport.deliver(localFile: local, as: "X_1.p7m") },
                                  "deliver blocked on the FIFO at \(part)")
        #expect(try result.get() == .delivered)
        #expect(transportTestRead(f.inbox + "/X_1.p7m") == Array("receipt bytes".utf8))
        #expect(transportTestListing(f.inbox) == ["X_1.p7m"])
    }

    @Test("a FIFO at the final name of a delivery is a conflict (exit 65), not a wait")
    func fifoAtTheFinalName() throws {
        let f = try FolderTransportTests.Fixture()
        defer { f.root.remove() }
        let local = try f.root.write("a.p7m", text: "receipt bytes")
        let final = f.inbox + "/X_1.p7m"
        #expect(mkfifo(final, 0o644) == 0)
        nonisolated(unsafe) let transport = f.transport
        let result = try #require(within(10, fifo: final) { try transport.deliver(localFile: local, as: "X_1.p7m") },
                                  "deliver blocked on the FIFO at \(final)")
        let error = try #require(throws: TransportError.self) { try result.get() }
        #expect(error.code == .conflict)
        #expect(error.exitStatus.rawValue == 65)
        #expect(error.message.contains(final) && error.message.contains("FIFO"), "\(error.message)")
        #expect(transportTestListing(f.inbox) == ["X_1.p7m"])
    }

    @Test("an outbox file swapped for a FIFO between listing and fetch is refused, not waited on")
    func fifoSwappedInAfterListing() throws {
        let f = try FolderTransportTests.Fixture()
        defer { f.root.remove() }
        let path = try f.root.write("outbox/" + Self.feedbackName, text: "feedback")
        let listing = try f.transport.list()
        let file = try #require(listing.files.first)
        #expect(unlink(path) == 0 && mkfifo(path, 0o644) == 0)
        let staging = try f.root.makeFolder("staging")
        nonisolated(unsafe) let transport = f.transport
        let result = try #require(within(10, fifo: path) { try transport.fetch(file, to: staging + "/copy") },
                                  "fetch blocked on the FIFO at \(path)")
        let error = try #require(throws: TransportError.self) { try result.get() }
        #expect(error.code == .invalidName)
        #expect(error.message.contains("FIFO"), "\(error.message)")
        #expect(transportTestListing(staging).isEmpty)
    }

    @Test("a file rewritten after listing (same size, new modification time) is not fetched: exit 75")
    func changedAfterListing() throws {
        let f = try FolderTransportTests.Fixture()
        defer { f.root.remove() }
        let path = try f.root.write("outbox/" + Self.feedbackName, text: "first version")
        let file = try #require(try f.transport.list().files.first)
        try f.root.write("outbox/" + Self.feedbackName, text: "later version")
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        let staging = try f.root.makeFolder("staging")
        let error = try #require(throws: TransportError.self) { try f.transport.fetch(file, to: staging + "/copy") }
        #expect(error.code == .changed)
        #expect(error.exitStatus.rawValue == 75)
        #expect(transportTestListing(staging).isEmpty)
        #expect(transportTestRead(path) == Array("later version".utf8))
    }

    @Test("a file that changed after it was fetched is not moved to processed: it stays for the next run")
    func changedAfterFetch() throws {
        let f = try FolderTransportTests.Fixture()
        defer { f.root.remove() }
        let path = try f.root.write("outbox/" + Self.feedbackName, text: "half of the ")
        let file = try #require(try f.transport.list().files.first)
        let staging = try f.root.makeFolder("staging")
        try f.transport.fetch(file, to: staging + "/copy")
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("whole file".utf8))
        try handle.close()
        let error = try #require(throws: TransportError.self) { try f.transport.finish(file, disposition: .moveToProcessed) }
        #expect(error.code == .changed)
        #expect(error.exitStatus.rawValue == 75)
        #expect(transportTestRead(path) == Array("half of the whole file".utf8))
        #expect(transportTestListing(f.processed).isEmpty)
    }

    @Test("a move to processed interrupted between link and unlink is finished without an identical NAME.1")
    func interruptedMoveIsIdempotent() throws {
        let f = try FolderTransportTests.Fixture()
        defer { f.root.remove() }
        let path = try f.root.write("outbox/" + Self.feedbackName, text: "feedback")
        let file = try #require(try f.transport.list().files.first)
        // The state a crash leaves after link(2) and before unlink(2): two names, one inode.
        _ = try f.root.makeFolder("processed")
        #expect(link(path, f.processed + "/" + Self.feedbackName) == 0)
        // The next run (a new transport, which has not listed the file) finishes it.
        let next = try FolderTransport(FolderSettings(inbox: f.inbox, outbox: f.outbox, processed: f.processed,
                                                      rules: OutboxRules(namePattern: #"ACME_[A-Z]+_feedback_\d{8}_\d{6}\.jsonl\.p7m"#, stabilityInterval: .zero)))
        try next.finish(file, disposition: .moveToProcessed)
        #expect(transportTestListing(f.processed) == [Self.feedbackName])
        #expect(transportTestListing(f.outbox).isEmpty)
        #expect(transportTestRead(f.processed + "/" + Self.feedbackName) == Array("feedback".utf8))
    }

    @Test("a different file of the same name in processed is never replaced: the new one becomes NAME.1")
    func processedNeverReplaced() throws {
        let f = try FolderTransportTests.Fixture()
        defer { f.root.remove() }
        try f.root.write("outbox/" + Self.feedbackName, text: "second file")
        _ = try f.root.makeFolder("processed")
        try f.root.write("processed/" + Self.feedbackName, text: "first file!")
        let file = try #require(try f.transport.list().files.first)
        try f.transport.finish(file, disposition: .moveToProcessed)
        #expect(transportTestListing(f.processed) == [Self.feedbackName, Self.feedbackName + ".1"])
        #expect(transportTestRead(f.processed + "/" + Self.feedbackName) == Array("first file!".utf8))
        #expect(transportTestRead(f.processed + "/" + Self.feedbackName + ".1") == Array("second file".utf8))
    }
}

