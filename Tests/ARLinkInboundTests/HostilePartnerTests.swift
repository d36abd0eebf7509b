import ARLinkCore
import ARLinkFormats
@testable import ARLinkInbound
import ARLinkJobs
import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing

/// A partner controls its folders and may be hostile or careless: a FIFO or a file where our
/// receipt goes, a file written in place, a name used twice. The run must not hang, must not
/// stop the other partners, and must keep every piece of evidence.
@Suite("Inbound run against hostile and careless partners", .serialized, .timeLimit(.minutes(10)))
struct HostilePartnerTests {
    /// Seconds a run of the built executable may take before the test kills it and fails.
    static let deadline = 60.0

    /// The name of our next receipt to `partner` (predictable: company, partner, today, sequence).
    static func receiptName(partner: String = "acme-collect", sequence: Int = 1) -> String {
        let day = LocalDate(daysSinceEpoch: Int32((Date().timeIntervalSince1970 / 86_400).rounded(.down))).iso.filter { $0 != "-" }
        return "acme-corp_\(partner)_receipt_\(day)_" + String(format: "%06d", sequence) + ".jsonl.p7m"
    }

    func runBinary(_ f: InboundFixture) throws -> ProcessResult {
        try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["inbound", "run", "--config", f.configPath, "--log-format", "json"],
                              timeout: Self.deadline)
    }

    @Test("a FIFO at the .part name of our next receipt does not hang the run: the receipt replaces it, exit 0",
          .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests (swift build --build-tests)"))
    func fifoAtTheReceiptPartName() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        try f.drop(sequence: 1, previous: nil, [Events.risk("R1", f.accountRef(1), score: 3)])
        let part = f.inbox + "/" + Self.receiptName() + ".part"
        #expect(mkfifo(part, 0o666) == 0)
        let r = try runBinary(f)
        #expect(!r.timedOut, "the run blocked on the FIFO at \(part) and was killed after \(Self.deadline) s")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"files_processed\":1"), "\(r.stdout)")
        #expect(f.files(f.inbox) == [Self.receiptName()])
        #expect(try f.openReceipt(Self.receiptName()).first?.contains("\"schema\":\"receipt.v1\"") == true)
        #expect(f.files(f.processed) == [f.name(1)])
    }

    /// Adds a second partner, `beta-collect`, with its own folders under `beta/` and the same
    /// example certificates.
    func addBeta(_ f: InboundFixture) throws {
        var yaml = try String(contentsOfFile: f.configPath, encoding: .utf8)
        let start = try #require(yaml.range(of: "  - id: acme-collect\n"))
        let beta = String(yaml[start.lowerBound...])
            .replacingOccurrences(of: "id: acme-collect", with: "id: beta-collect")
            .replacingOccurrences(of: ": partner/", with: ": beta/")
        yaml += beta
        try f.dir.write("arlink.yaml", yaml)
        for folder in ["beta/inbox", "beta/outbox", "beta/processed"] {
            try FileManager.default.createDirectory(atPath: f.dir.file(folder), withIntermediateDirectories: true)
        }
    }

    @Test("a file or symlink at one partner's next receipt name stops that partner only: the other's file is applied, exit 65",
          .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests (swift build --build-tests)"),
          arguments: ["file", "symlink"])
    func onePartnerDoesNotStopAll(_ kind: String) throws {
        let f = try InboundFixture()
        try addBeta(f)
        try f.seedPlacements(accounts: 2)
        try f.drop(sequence: 1, previous: nil, [Events.risk("R1", f.accountRef(1), score: 3)])
        let planted = f.inbox + "/" + Self.receiptName()
        if kind == "file" {
            try "not a receipt".write(toFile: planted, atomically: false, encoding: .utf8)
        } else {
            try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: f.dir.file("arlink.yaml"))
        }
        let betaName = "beta-collect_acme-corp_feedback_20260630_000001.jsonl.p7m"
        let plain = try f.plaintext(try f.header(sequence: 1, previous: nil, sender: "beta-collect"), [Events.risk("B1", "C0001", score: 2)])
        try f.seal(plain.path, as: betaName, into: f.dir.file("beta/outbox"))

        let r = try runBinary(f)
        #expect(!r.timedOut)
        #expect(r.status == 65, "\(r.stderr)")
        // acme-collect: its file was applied, its receipt could not be delivered; reported for it.
        #expect(r.stdout.contains("\"failure\":{\"code\":\"transport.conflict\""), "\(r.stdout)")
        #expect(r.stderr.contains("partner acme-collect: stopped:") && r.stderr.contains(planted), "\(r.stderr)")
        // beta-collect: applied, receipt delivered, moved to processed.
        #expect(r.stdout.contains("{\"partner\":\"beta-collect\",\"files_processed\":1"), "\(r.stdout)")
        #expect(f.files(f.dir.file("beta/processed")) == [betaName])
        #expect(f.files(f.dir.file("beta/inbox")) == [Self.receiptName(partner: "beta-collect")])
        // The planted entry is untouched.
        if kind == "file" {
            #expect(try String(contentsOfFile: planted, encoding: .utf8) == "not a receipt")
        } else {
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: planted) == f.dir.file("arlink.yaml"))
        }
    }

    /// Every copy kept under `folder` (`<folder>/<sha256>/<name>`), as (sha256, name) pairs.
    func kept(_ f: InboundFixture, _ folder: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for sha in f.files(f.work + "/" + folder) { out[sha] = f.files(f.work + "/" + folder + "/" + sha) }
        return out
    }

    @Test("two applied files under the same name are both archived, each under its SHA-256")
    func archiveNeverOverwritten() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        let first = try f.plaintext(try f.header(sequence: 1, previous: nil), [Events.risk("R1", f.accountRef(1), score: 3)])
        let a = try f.seal(first.path, as: f.name(1))
        let shaA = try f.sha256(a)
        #expect(try f.run().exitStatus.rawValue == 0)
        // The partner reuses the name for its next file.
        let second = try f.plaintext(try f.header(sequence: 2, previous: first.sha256), [Events.risk("R2", f.accountRef(2), score: 4)])
        let shaB = try f.sha256(try f.seal(second.path, as: f.name(1)))
        let report = try f.run()
        #expect(report.exitStatus.rawValue == 0)
        #expect(report.partners.first?.processed == [f.name(1)])
        #expect(kept(f, "archive") == [shaA: [f.name(1)], shaB: [f.name(1)]])
        #expect(try f.sha256(f.work + "/archive/\(shaA)/" + f.name(1)) == shaA)
        #expect(try f.sha256(f.work + "/archive/\(shaB)/" + f.name(1)) == shaB)
        #expect(f.files(f.processed) == [f.name(1), f.name(1) + ".1"])
    }

    @Test("two quarantined files under the same name keep both copies and both reason files")
    func quarantineNeverOverwritten() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        var shas: [String] = []
        for n in 1...2 {
            let p = try f.plaintext(try f.header(sequence: 1, previous: nil), [Events.risk("R\(n)", f.accountRef(n), score: n)], omitTrailer: true)
            shas.append(try f.sha256(try f.seal(p.path, as: f.name(1))))
            let report = try f.run()
            #expect(report.exitStatus.rawValue == 65)
            #expect(report.partners.first?.quarantined.map(\.code) == ["feedback.missing_trailer"])
        }
        #expect(kept(f, "quarantine") == [shas[0]: [f.name(1), f.name(1) + ".reason.json"], shas[1]: [f.name(1), f.name(1) + ".reason.json"]])
        for sha in shas {
            let reason = try String(contentsOfFile: f.work + "/quarantine/\(sha)/" + f.name(1) + ".reason.json", encoding: .utf8)
            #expect(reason.contains("\"sha256\":\"\(sha)\""))
        }
    }

    /// One in-process run that calls `afterFetch` right after each file was fetched (the job,
    /// and with it the run's lock, is gone when this returns).
    func run(_ f: InboundFixture, afterFetch: @escaping () -> Void) throws -> InboundReport {
        let job = InboundJob(context: try f.context())
        job.afterFetch = { _ in afterFetch() }
        return try job.run(.init(partner: f.partner))
    }

    @Test("a file still being written when fetched: the half is quarantined, the whole file stays and is applied by the next run")
    func writtenInPlace() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        let p = try f.plaintext(try f.header(sequence: 1, previous: nil), [Events.risk("R1", f.accountRef(1), score: 3)])
        let sealed = try f.seal(p.path, as: "staged.p7m", into: f.dir.path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: sealed))
        let target = f.outbox + "/" + f.name(1)
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: target))
        let first = try run(f) {
            // The partner's writer finishes the file right after our copy was taken.
            if let handle = FileHandle(forWritingAtPath: target) {
                handle.seekToEndOfFile()
                handle.write(bytes.dropFirst(bytes.count / 2))
                try? handle.close()
            }
        }
        let p1 = try #require(first.partners.first)
        #expect(p1.quarantined.count == 1)
        #expect(p1.retry.map(\.code) == ["transport.changed"], "\(p1.retry)")
        #expect(first.exitStatus.rawValue == 65)
        #expect(f.files(f.processed).isEmpty)
        #expect(f.files(f.outbox) == [f.name(1)])
        let second = try f.run()
        #expect(second.partners.first?.processed == [f.name(1)], "\(second.partners)")
        #expect(second.exitStatus.rawValue == 0)
        #expect(f.files(f.processed) == [f.name(1)])
    }

    @Test("a file rewritten (new modification time) after it was fetched and applied stays in the outbox: exit 75, then a duplicate")
    func rewrittenAfterFetch() throws {
        let f = try InboundFixture()
        try f.seedPlacements(accounts: 2)
        try f.drop(sequence: 1, previous: nil, [Events.risk("R1", f.accountRef(1), score: 3)])
        let target = f.outbox + "/" + f.name(1)
        let first = try run(f) {
            var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
            _ = utimensat(AT_FDCWD, target, &times, 0)
        }
        #expect(first.partners.first?.processed == [f.name(1)])
        #expect(first.partners.first?.retry.map(\.code) == ["transport.changed"])
        #expect(first.exitStatus.rawValue == 75)
        #expect(f.files(f.outbox) == [f.name(1)])
        let second = try f.run()
        #expect(second.partners.first?.duplicates == [f.name(1)])
        #expect(second.exitStatus.rawValue == 0)
        #expect(f.files(f.outbox).isEmpty)
        #expect(f.files(f.processed) == [f.name(1)])
    }
}
