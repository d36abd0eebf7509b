import ARLinkCore
import ARLinkFormats
import ARLinkInbound
import ARLinkJobs
@_spi(SQLiteLayout) import ARLinkStore
import ARLinkTestSupport
import Foundation
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Exactly once, proven: `arlink inbound run` is killed with SIGKILL at random moments over a
/// realistic set of feedback files, then run to completion; the end state must equal that of a
/// run that was never interrupted. Replay a failure with `ARLINK_CRASH_SEED=<seed>`.
@Suite("Crash safety: SIGKILL at random moments, then re-run", .serialized, .timeLimit(.minutes(30)))
struct CrashTests {
    static var arlinkAvailable: Bool { FileManager.default.isExecutableFile(atPath: RepositoryPaths.arlinkExecutable) }

    /// The state a finished run leaves, for comparison.
    struct EndState: Equatable {
        var events: Int
        var accepted: [String: Int]
        var rejections: Int
        var paid: Int64
        var promises: Int
        /// Updates recorded in the state database (staged exports).
        var updateCount: Int
        /// Every `update_id` in the exported JSON Lines files, sorted (duplicates kept).
        var updateIDs: [String]
    }

    static func endState(_ f: InboundFixture) throws -> EndState {
        let ids = try f.exportedUpdates().compactMap { if case .string(let s)? = $0["update_id"] { s } else { nil } }.sorted()
        return try f.store().read { db in
            EndState(
                events: try InboundLedger.eventCount(db),
                accepted: try InboundLedger.acceptedCounts(db, partner: f.partner),
                rejections: try Int.fetchOne(db.sqlite, sql: "SELECT COUNT(*) FROM inbound_rejection") ?? -1,
                paid: try Int64.fetchOne(db.sqlite, sql: "SELECT COALESCE(SUM(paid_minor), 0) FROM inbound_invoice_paid") ?? -1,
                promises: try Int.fetchOne(db.sqlite, sql: "SELECT COUNT(*) FROM inbound_promise_v2 WHERE state = 'open'") ?? -1,
                updateCount: try InboundLedger.updateCount(db),
                updateIDs: ids)
        }
    }

    /// Seeds placements and seals `files` feedback files (a story file, then bulk files) into `staging`.
    static func prepare(_ f: InboundFixture, files: Int, eventsPerFile: Int, seed: UInt64, staging: String) throws -> [String] {
        try f.seedPlacements(accounts: 60)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let store = try f.store()
        var previous: String?
        var names: [String] = []
        for sequence in 1...files {
            let header = try f.header(sequence: sequence, previous: previous)
            let plain = f.dir.file("plain-\(sequence).jsonl")
            try FeedbackSimulator.write(to: plain, header: header, store: store, partner: f.partner, today: f.today,
                                        seed: seed &+ UInt64(sequence), eventCount: sequence == 1 ? nil : eventsPerFile)
            previous = try f.sha256(plain)
            try f.seal(plain, as: f.name(sequence), into: staging)
            names.append(f.name(sequence))
        }
        return names
    }

    @Test("every event applied once, every ERP update exported once, no file lost or half-moved",
          .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests (swift build --build-tests)"))
    func killAndRerun() throws {
        let seed = ProcessInfo.processInfo.environment["ARLINK_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("crash test seed: \(seed) (replay with ARLINK_CRASH_SEED=\(seed))")
        var random = SplitMix(seed)
        let f = try InboundFixture()
        let staging = f.dir.file("staging")
        let prepared = try Self.prepare(f, files: 40, eventsPerFile: 900, seed: seed, staging: staging)

        // The partner drops the files one or two at a time; arlink is killed at a random moment
        // of a typical run while it works on them, and started again. Each kill is counted by the
        // phase it interrupted (what the killed run left behind), and files keep coming until
        // every phase has had its kills, however fast or slow the machine is.
        var released = 0
        var kills: [KillPhase: Int] = [:]
        var runs = 0
        var window = 0.7
        let clock = ContinuousClock()
        func enough() -> Bool { released >= 8 && KillPhase.allCases.allSatisfy { kills[$0, default: 0] >= $0.wanted } }
        while runs < 600 {
            if f.files(f.outbox).isEmpty {
                if enough() || released == prepared.count { break }
                let batch = min(prepared.count - released, 1 + Int(random.next() % 2))
                for name in prepared[released..<(released + batch)] {
                    try FileManager.default.copyItem(atPath: staging + "/" + name, toPath: f.outbox + "/" + name)
                }
                released += batch
            }
            runs += 1
            let processedBefore = f.files(f.processed).count
            let started = clock.now
            // Between files is a narrow moment that random timing may seldom hit: while that phase
            // still lacks kills and one file waits, every second run is killed as soon as the
            // file has been moved to processed, while the run finishes (the phase is still judged
            // by what the run left).
            // Likewise, while "before any file" lacks kills, every third run is killed within its
            // first 30 ms (starting, checking folders, listing).
            let targeted = kills[.betweenFiles, default: 0] < KillPhase.betweenFiles.wanted && f.files(f.outbox).count == 1 && runs % 2 == 0
            let early = !targeted && kills[.beforeAnyFile, default: 0] < KillPhase.beforeAnyFile.wanted && runs % 3 == 1
            let outcome = targeted
                ? try Self.runArlink(f, killWhen: { f.files(f.processed).count > processedBefore })
                : try Self.runArlink(f, killAfter: Double(random.next() % 1_000_000) / 1_000_000 * (early ? 0.03 : window))
            if outcome == .killed {
                let phase = try Self.phase(f, processedBefore: processedBefore)
                kills[phase, default: 0] += 1
                // No file finished: the next run gets longer, so a slow machine still makes progress.
                if phase != .betweenFiles && !targeted && !early { window *= 1.25 }
            } else {
                // A run that finished its files: the next kills fall within such a run.
                let (seconds, attoseconds) = (clock.now - started).components
                window = max(0.05, Double(seconds) + Double(attoseconds) / 1e18)
            }
        }
        let names = Array(prepared.prefix(released))
        let counts = KillPhase.allCases.map { "\($0.rawValue) \(kills[$0, default: 0])" }.joined(separator: ", ")
        print("crash test: kills by phase: \(counts); \(runs) runs over \(names.count) files (seed \(seed))")
        for phase in KillPhase.allCases {
            #expect(kills[phase, default: 0] >= phase.wanted, "kills \(phase.rawValue): \(kills[phase, default: 0])")
        }

        // The reference: the same sealed files, applied by runs that are never interrupted.
        let reference = try InboundFixture()
        try reference.seedPlacements(accounts: 60)
        for name in names { try FileManager.default.copyItem(atPath: staging + "/" + name, toPath: reference.outbox + "/" + name) }
        _ = try reference.run()
        let expected = try Self.endState(reference)
        #expect(expected.events > (names.count - 1) * 900)
        #expect(expected.updateIDs.count == expected.updateCount)
        #expect(Set(expected.updateIDs).count == expected.updateIDs.count)
        // Run to completion, twice (the second must find nothing to do).
        #expect(try Self.runArlink(f, killAfter: nil) == .finished)
        #expect(try Self.runArlink(f, killAfter: nil) == .finished)

        let state = try Self.endState(f)
        #expect(state == expected)
        // Every ERP update id exactly once across the export files, in both formats (the JSON
        // ids are compared through the end state: same ids as the uninterrupted reference, no repeats).
        #expect(Set(state.updateIDs).count == state.updateIDs.count)
        var csvIDs: [String] = []
        for name in f.files(f.updatesFolder) where name.hasSuffix(".csv") {
            for line in try String(contentsOfFile: f.updatesFolder + "/" + name, encoding: .utf8).split(separator: "\n") where line.hasPrefix("update,") {
                csvIDs.append(String(line.split(separator: ",", omittingEmptySubsequences: false)[1]))
            }
        }
        #expect(csvIDs.sorted() == expected.updateIDs)
        // No file lost or half-moved.
        #expect(f.files(f.outbox).isEmpty)
        #expect(f.files(f.processed) == names)
        #expect(f.keptNames(f.work + "/archive") == names)
        #expect(f.files(f.work + "/incoming").isEmpty)
        #expect(f.files(f.work + "/quarantine").isEmpty)
        #expect(f.files(f.work + "/plain").isEmpty)
        #expect(f.files(f.work + "/receipts").isEmpty)
        #expect(f.files(f.inbox).count == names.count)
        #expect(f.files(f.inbox).allSatisfy { $0.hasSuffix(".jsonl.p7m") })
        let unfinished = try f.store().read { db in try InboundLedger.unfinished(db, partner: f.partner) }
        #expect(unfinished.isEmpty)
    }

    @Test("killed at each inbound failpoint, then re-run: the same end state as an uninterrupted run",
          .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests (swift build --build-tests)"),
          arguments: Failpoint.inboundPoints)
    func failpoint(_ point: String) throws {
        let f = try InboundFixture()
        let staging = f.dir.file("staging")
        let names = try Self.prepare(f, files: 2, eventsPerFile: 300, seed: 7, staging: staging)
        let reference = try InboundFixture()
        try reference.seedPlacements(accounts: 60)
        for name in names { try FileManager.default.copyItem(atPath: staging + "/" + name, toPath: reference.outbox + "/" + name) }
        _ = try reference.run()
        let expected = try Self.endState(reference)

        for name in names { try FileManager.default.copyItem(atPath: staging + "/" + name, toPath: f.outbox + "/" + name) }
        let killed = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["inbound", "run", "--config", f.configPath],
                                           environment: ["ARLINK_FAILPOINT": point])
        #expect(killed.status != 0, "the run must have died at \(point)")
        if point == "inbound.staged" {
            // Died inside the transaction: staged files exist that no record names.
            #expect(try FileManager.default.contentsOfDirectory(atPath: f.updatesFolder).contains { $0.hasPrefix(".arlink_erp_updates_") },
                    "staged files left behind")
            #expect(try f.store().read { db in try InboundLedger.eventCount(db) } == 0)
        }
        #expect(try Self.runArlink(f, killAfter: nil) == .finished)
        #expect(try Self.runArlink(f, killAfter: nil) == .finished)
        #expect(try Self.endState(f) == expected)
        let left = try FileManager.default.contentsOfDirectory(atPath: f.updatesFolder)
        #expect(left.allSatisfy { !$0.hasPrefix(".") }, "no staged file left: \(left)")
        #expect(left.count == 4, "one JSON and one CSV export per applied file, two files: \(left)")
        #expect(f.files(f.processed) == names)
        #expect(try f.store().read { db in try InboundLedger.stagedExports(db) }.isEmpty)
        // Every receipt that left has its seal recorded before it was delivered, under its file id.
        let (sealed, delivered) = try f.store().read { db in
            (try String.fetchAll(db.sqlite, sql: "SELECT file_id FROM audit_entry WHERE action = 'receipt.sealed'"),
             try String.fetchAll(db.sqlite, sql: "SELECT file_id FROM audit_entry WHERE action = 'receipt.delivered'"))
        }
        #expect(Set(delivered).count == names.count, "\(point): \(delivered)")
        #expect(Set(delivered).isSubset(of: Set(sealed)), "\(point): delivered \(delivered), sealed \(sealed)")
    }

    enum RunOutcome: Equatable { case finished, killed, failed(Int32) }

    /// What a killed run was doing, told by what it left behind.
    enum KillPhase: String, CaseIterable {
        /// Nothing done yet: starting, checking folders, listing (no file fetched or applied).
        case beforeAnyFile = "before any file"
        /// A file half-way: fetched, opened, applied or exported but not finished.
        case midFile = "mid-file"
        /// Between files or finishing: a file completed, nothing half-way.
        case betweenFiles = "between files"

        /// The kills each phase must have had.
        var wanted: Int {
            switch self {
            case .beforeAnyFile: 3
            case .midFile: 8
            case .betweenFiles: 3
            }
        }
    }

    /// The phase a killed run was in: a file half-way (work files, staged exports or unfinished
    /// records left), a file completed since `processedBefore`, or neither.
    static func phase(_ f: InboundFixture, processedBefore: Int) throws -> KillPhase {
        let staged = ((try? FileManager.default.contentsOfDirectory(atPath: f.updatesFolder)) ?? []).contains { $0.hasPrefix(".") }
        let unfinished = try f.store().read { db in try InboundLedger.unfinished(db, partner: f.partner) }
        if staged || !unfinished.isEmpty || !f.files(f.work + "/incoming").isEmpty || !f.files(f.work + "/plain").isEmpty {
            return .midFile
        }
        return f.files(f.processed).count > processedBefore ? .betweenFiles : .beforeAnyFile
    }

    /// Runs `arlink inbound run` and kills it with SIGKILL as soon as `condition` holds (checked
    /// every millisecond) while it still runs.
    static func runArlink(_ f: InboundFixture, killWhen condition: () -> Bool) throws -> RunOutcome {
        let process = try startArlink(f)
        let deadline = ContinuousClock.now + .seconds(120)
        while process.isRunning && ContinuousClock.now < deadline {
            if condition() {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return .killed
            }
            usleep(1000)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        return outcome(process)
    }

    /// Starts `arlink inbound run` on the fixture, its output discarded.
    static func startArlink(_ f: InboundFixture) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.arlinkExecutable)
        process.arguments = ["inbound", "run", "--config", f.configPath, "--log-format", "json"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits for `process` and tells how it ended.
    static func outcome(_ process: Process) -> RunOutcome {
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal { return .killed }
        return process.terminationStatus == 0 ? .finished : .failed(process.terminationStatus)
    }

    /// Runs `arlink inbound run`; kills it with SIGKILL after `killAfter` seconds if still running.
    static func runArlink(_ f: InboundFixture, killAfter: Double?) throws -> RunOutcome {
        let process = try startArlink(f)
        if let killAfter {
            Wait.forExit(process, timeout: .microseconds(Int64(killAfter * 1_000_000)))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return .killed
            }
        }
        return outcome(process)
    }
}
