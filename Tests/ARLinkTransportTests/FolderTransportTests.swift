import ARLinkCore
import ARLinkTestSupport
import ARLinkTransport
import Foundation
import Testing

@Suite("Folder transport", .timeLimit(.minutes(10)))
struct FolderTransportTests {
    struct Fixture {
        let root: TransportTestFolder
        let inbox: String
        let outbox: String
        let processed: String
        let transport: FolderTransport

        init(interval: Duration = .zero, marker: String? = nil) throws {
            root = try TransportTestFolder("folder")
            inbox = try root.makeFolder("inbox")
            outbox = try root.makeFolder("outbox")
            processed = root.appending("processed")
            let rules = OutboxRules(namePattern: #"ACME_[A-Z]+_feedback_\d{8}_\d{6}\.jsonl\.p7m"#, stabilityInterval: interval, doneMarkerSuffix: marker)
            transport = try FolderTransport(FolderSettings(inbox: inbox, outbox: outbox, processed: processed, rules: rules))
        }
    }

    static let feedbackName = "ACME_CORP_feedback_20261129_000001.jsonl.p7m"

    @Test func deliversAtomicallyAndLeavesNoPartFile() throws {
        let f = try Fixture()
        defer { f.root.remove() }
        let payload = (0..<300_000).map { UInt8($0 % 251) }
        let local = try f.root.write("local.p7m", payload)
        let outcome = try f.transport.deliver(localFile: local, as: "CORP_ACME_portfolio_20261129_000001.jsonl.p7m")
        #expect(outcome == .delivered)
        #expect(transportTestListing(f.inbox) == ["CORP_ACME_portfolio_20261129_000001.jsonl.p7m"])
        #expect(transportTestRead(f.inbox + "/CORP_ACME_portfolio_20261129_000001.jsonl.p7m") == payload)
    }

    @Test func sameContentIsAlreadyPresentDifferentContentIsConflict() throws {
        let f = try Fixture()
        defer { f.root.remove() }
        let local = try f.root.write("a.p7m", text: "sealed bytes")
        #expect(try f.transport.deliver(localFile: local, as: "X_1.p7m") == .delivered)
        #expect(try f.transport.deliver(localFile: local, as: "X_1.p7m") == .alreadyPresent)
        let other = try f.root.write("b.p7m", text: "sealed byteZ")
        let error = #expect(throws: TransportError.self) { try f.transport.deliver(localFile: other, as: "X_1.p7m") }
        #expect(error?.code == .conflict)
        #expect(error?.exitStatus == .dataError)
        #expect(error?.message.contains("X_1.p7m") == true && error?.message.contains(other) == true)
        #expect(transportTestRead(f.inbox + "/X_1.p7m") == Array("sealed bytes".utf8))
        #expect(transportTestListing(f.inbox) == ["X_1.p7m"])
    }

    @Test func aPartLeftBesideTheFinalNameByACrashIsCleanedUp() throws {
        let f = try Fixture()
        defer { f.root.remove() }
        let local = try f.root.write("a.p7m", text: "whole file")
        try f.root.write("inbox/X_3.p7m", text: "whole file")
        try f.root.write("inbox/X_3.p7m.part", text: "whole file")
        #expect(try f.transport.deliver(localFile: local, as: "X_3.p7m") == .alreadyPresent)
        #expect(transportTestListing(f.inbox) == ["X_3.p7m"])
    }

    @Test func staleDotPartFromACrashedRunIsReplaced() throws {
        let f = try Fixture()
        defer { f.root.remove() }
        try f.root.write("inbox/X_2.p7m.part", text: "half")
        let local = try f.root.write("a.p7m", text: "whole file")
        #expect(try f.transport.deliver(localFile: local, as: "X_2.p7m") == .delivered)
        #expect(transportTestListing(f.inbox) == ["X_2.p7m"])
        #expect(transportTestRead(f.inbox + "/X_2.p7m") == Array("whole file".utf8))
    }

    @Test(arguments: ["../x", "a/b", "", ".hidden", "caf\u{E9}.p7m", String(repeating: "a", count: 201), "a..b", "a b", "x\ny"])
    func refusesBadDeliveryNames(_ name: String) throws {
        let f = try Fixture()
        defer { f.root.remove() }
        let local = try f.root.write("a.p7m", text: "x")
        let error = #expect(throws: TransportError.self) { try f.transport.deliver(localFile: local, as: name) }
        #expect(error?.code == .invalidName)
        #expect(transportTestListing(f.inbox).isEmpty)
        #expect(transportTestListing(f.root.path).contains("x") == false)
    }

    @Test func listsOnlyValidStableMatchingRegularFiles() throws {
        let f = try Fixture()
        defer { f.root.remove() }
        try f.root.write("outbox/" + Self.feedbackName, text: "feedback")
        try f.root.write("outbox/ACME_CORP_feedback_20261129_000002.jsonl.p7m.part", text: "partial")
        try f.root.write("outbox/.ACME_CORP_feedback_20261129_000003.jsonl.p7m", text: "hidden")
        try f.root.write("outbox/README.txt", text: "not ours")
        try f.root.write("target.jsonl.p7m", text: "outside")
        try FileManager.default.createSymbolicLink(atPath: f.outbox + "/ACME_CORP_feedback_20261129_000004.jsonl.p7m", withDestinationPath: f.root.appending("target.jsonl.p7m"))
        try f.root.write("outbox/evil\nACME_CORP_feedback_20261129_000005.jsonl.p7m", text: "newline")
        try f.root.write("outbox/x", text: "")
        // a non-UTF-8 name, created through the raw bytes
        let raw: [UInt8] = Array((f.outbox + "/bad").utf8) + [0xFF, 0xFE, 0x2E, 0x70, 0x37, 0x6D]
        let fd = raw.withUnsafeBufferPointer { buffer -> Int32 in
            var c = buffer.map { CChar(bitPattern: $0) }
            c.append(0)
            return open(c, O_CREAT | O_WRONLY, 0o644)
        }
        #expect(fd >= 0)
        close(fd)

        let listing = try f.transport.list()
        #expect(listing.files == [RemoteFile(name: Self.feedbackName, size: 8)])
        let skipped = Dictionary(listing.skipped.map { ($0.escapedName, $0.reason) }, uniquingKeysWith: { a, _ in a })
        #expect(skipped["ACME_CORP_feedback_20261129_000004.jsonl.p7m"]?.contains("symbolic link") == true)
        #expect(skipped["evil\\x0AACME_CORP_feedback_20261129_000005.jsonl.p7m"]?.contains("control character") == true)
        #expect(skipped["bad\\xFF\\xFE.p7m"]?.contains("non-ASCII") == true)
        #expect(skipped["README.txt"]?.contains("pattern") == true)
        #expect(skipped.keys.contains { $0.contains(".part") || $0.hasPrefix(".") } == false)
    }

    @Test func aFileGrowingBetweenTwoLooksIsNotOffered() throws {
        let f = try Fixture(interval: .milliseconds(600))
        defer { f.root.remove() }
        let path = try f.root.write("outbox/" + Self.feedbackName, text: "first part")
        // The file grows for as long as the listing takes, so its two looks see two sizes.
        let writer = GrowingFile(path: path)
        let listing = try f.transport.list()
        let size = try #require(writer.stop())
        #expect(size > 10)
        #expect(listing.files.isEmpty)
        #expect(listing.skipped.first?.reason.contains("changed size") == true)
        let later = try f.transport.list()
        #expect(later.files == [RemoteFile(name: Self.feedbackName, size: Int64(size))])
    }

    @Test func doneMarkerMakesAFileStableAtOnceAndIsRemovedWithIt() throws {
        let f = try Fixture(interval: .seconds(30), marker: ".done")
        defer { f.root.remove() }
        try f.root.write("outbox/" + Self.feedbackName, text: "feedback")
        try f.root.write("outbox/" + Self.feedbackName + ".done", text: "")
        let clock = ContinuousClock()
        let start = clock.now
        let listing = try f.transport.list()
        #expect(clock.now - start < .seconds(5))
        #expect(listing.files.map(\.name) == [Self.feedbackName])
        try f.transport.finish(listing.files[0], disposition: .delete)
        #expect(transportTestListing(f.outbox).isEmpty)
    }

    @Test("a large file is fetched byte for byte (copied in the kernel); a file shorter than listed is refused")
    func fetchLargeAndShrunk() throws {
        let f = try Fixture()
        defer { f.root.remove() }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes = [UInt8](unsafeUninitializedCapacity: (5 << 20) + 17) { buffer, count in
            for i in 0..<buffer.count {  // xorshift: cheap and not all zeros
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                buffer[i] = UInt8(truncatingIfNeeded: state)
            }
            count = buffer.count
        }
        try f.root.write("outbox/" + Self.feedbackName, bytes)
        let staging = try f.root.makeFolder("staging")
        let file = try #require(try f.transport.list().files.first)
        #expect(file.size == Int64(bytes.count))
        try f.transport.fetch(file, to: staging + "/got.p7m")
        #expect(transportTestRead(staging + "/got.p7m") == bytes)
        let longer = RemoteFile(name: file.name, size: file.size + 1)
        let error = #expect(throws: TransportError.self) { try f.transport.fetch(longer, to: staging + "/bad.p7m") }
        #expect(error?.code == .sizeMismatch)
        #expect(transportTestListing(staging) == ["got.p7m"], "no partial copy left behind")
    }

    @Test func fetchIsSizeCheckedAndFinishIsIdempotent() throws {
        let f = try Fixture()
        defer { f.root.remove() }
        try f.root.write("outbox/" + Self.feedbackName, text: "feedback bytes")
        let staging = try f.root.makeFolder("staging")
        let listing = try f.transport.list()
        let file = try #require(listing.files.first)
        try f.transport.fetch(file, to: staging + "/got.p7m")
        #expect(transportTestRead(staging + "/got.p7m") == Array("feedback bytes".utf8))

        let wrong = RemoteFile(name: file.name, size: file.size - 1)
        let error = #expect(throws: TransportError.self) { try f.transport.fetch(wrong, to: staging + "/bad.p7m") }
        #expect(error?.code == .sizeMismatch)
        #expect(error?.exitStatus == .tempFailure)
        #expect(transportTestListing(staging) == ["got.p7m"])

        try f.transport.finish(file, disposition: .moveToProcessed)
        try f.transport.finish(file, disposition: .moveToProcessed)
        #expect(transportTestListing(f.outbox).isEmpty)
        #expect(transportTestListing(f.processed) == [Self.feedbackName])
    }

    @Test func fetchRefusesASymlinkEvenWhenAskedByName() throws {
        let f = try Fixture()
        defer { f.root.remove() }
        try f.root.write("secret", text: "do not read")
        try FileManager.default.createSymbolicLink(atPath: f.outbox + "/" + Self.feedbackName, withDestinationPath: f.root.appending("secret"))
        let staging = try f.root.makeFolder("staging")
        #expect(throws: TransportError.self) { try f.transport.fetch(RemoteFile(name: Self.feedbackName, size: 11), to: staging + "/x") }
        #expect(transportTestListing(staging).isEmpty)
    }

    @Test func missingFoldersAndBadPatternsAreConfigurationErrors() throws {
        let root = try TransportTestFolder("folder-config")
        defer { root.remove() }
        let missing = FolderSettings(inbox: root.appending("nope"), outbox: root.path, processed: root.appending("p"), namePattern: ".*")
        let error = #expect(throws: TransportError.self) { _ = try makeTransport(.folder(missing)) }
        #expect(error?.code == .config)
        #expect(error?.exitStatus == .config)
        let badPattern = FolderSettings(inbox: root.path, outbox: root.path, processed: root.appending("p"), namePattern: "([")
        #expect(throws: TransportError.self) { _ = try makeTransport(.folder(badPattern)) }
    }
}
