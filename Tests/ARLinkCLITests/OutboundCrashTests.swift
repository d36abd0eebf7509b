import ARLinkTestSupport
import Foundation
import Testing

/// Kills `arlink outbound run` with SIGKILL at random moments, re-runs it, and checks that every
/// as-of date ends with exactly one delivered file, every account was placed exactly once, and
/// nothing half-done is left behind (design section 7, crash safety).
@Suite("Outbound crash safety (SIGKILL at random moments)", .serialized, .timeLimit(.minutes(20)))
struct OutboundCrashTests {
    @Test("10 kills, then completion: one batch and one delivered file per as-of date, each account placed once")
    func killAndResume() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["ARLINK_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64(Date().timeIntervalSince1970))
        print("outbound crash test seed: \(seed) (replay with ARLINK_CRASH_SEED=\(seed))")
        var rng = SplitMix(seed: seed)
        let dir = try TemporaryDirectory("crash")
        defer { dir.remove() }
        let arlink = RepositoryPaths.arlinkExecutable
        let demo = try ProcessRunner.run(arlink, ["demo", "--workdir", dir.file("d"), "--customers", "1500", "--open-items", "30000"],
                                         currentDirectory: RepositoryPaths.root)
        try #require(demo.status == 0, "\(demo.stderr)")
        let config = dir.file("d/arlink.yaml")
        // Later as-of dates, 15 days apart: more invoices become overdue each time, so every run has work.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let dates = (1...5).map { k in formatter.string(from: Date().addingTimeInterval(Double(k * 15) * 86_400)) }
        var kills = 0
        var leftPending = 0
        var typicalRun = 1.0
        let db = dir.file("d/state/arlink.sqlite")
        func sql(_ query: String) throws -> String {
            try ProcessRunner.run("sqlite3", [db, query]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        for date in dates {
            for _ in 0..<2 {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: arlink)
                process.arguments = ["outbound", "run", "--config", config, "--as-of", date]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                // Kill somewhere in the later part of a typical run, where batches are built, sealed and delivered.
                let window = max(typicalRun, 0.2)
                let delay = window * 0.3 + Double(rng.next() % 1000) / 1000 * window * 0.8
                Wait.forExit(process, timeout: .microseconds(Int64(delay * 1_000_000)))
                if process.isRunning { kill(process.processIdentifier, SIGKILL); kills += 1 }
                process.waitUntilExit()
                if try sql("SELECT COUNT(*) FROM outbound_batch WHERE state IN ('built', 'sealed')") != "0" { leftPending += 1 }
            }
            let started = Date()
            let finish = try ProcessRunner.run(arlink, ["outbound", "run", "--config", config, "--as-of", date])
            typicalRun = Date().timeIntervalSince(started)
            #expect(finish.status == 0, "run for \(date) after kills: \(finish.stderr)")
        }
        print("outbound crash test: \(kills) kills landed mid-run; \(leftPending) left a built or sealed batch for the next run to finish")
        // The demo's own date plus the five later ones: one delivered batch each, sequences 1...6.
        #expect(try sql("SELECT COUNT(*) FROM outbound_batch") == "6")
        #expect(try sql("SELECT COUNT(*) FROM outbound_batch WHERE state IN ('delivered', 'acknowledged')") == "6")
        #expect(try sql("SELECT group_concat(sequence, ',') FROM (SELECT sequence FROM outbound_batch ORDER BY sequence)") == "1,2,3,4,5,6")
        // Each account placed exactly once (the extract never changes, so no recall and re-place).
        #expect(try sql("SELECT COUNT(*) - COUNT(DISTINCT account_ref) FROM placement_event WHERE action = 'place'") == "0")
        // The partner's inbox: exactly the six final names, no partial files; each opens with openssl.
        let inbox = try FileManager.default.contentsOfDirectory(atPath: dir.file("d/partner/inbox")).filter { !$0.contains("_receipt_") }.sorted()
        #expect(inbox.count == 6, "\(inbox)")
        #expect(inbox.allSatisfy { $0.hasSuffix(".jsonl.p7m") })
        let names = try sql("SELECT group_concat(file_name, ',') FROM (SELECT file_name FROM outbound_batch ORDER BY file_name)")
        #expect(names == inbox.joined(separator: ","))
        for name in inbox {
            let keys = dir.file("d/keys")
            let opened = try ProcessRunner.run("/bin/sh", ["-c",
                "openssl cms -decrypt -binary -inform DER -in '\(dir.file("d/partner/inbox/" + name))' -recip \(keys)/partner/encryption.crt -inkey \(keys)/partner/encryption.key"
                + " | openssl cms -verify -binary -inform DER -CAfile \(keys)/ca/company-ca.crt -purpose any > /dev/null"])
            #expect(opened.status == 0, "\(name): \(opened.stderr)")
        }
        // No plaintext left in the work folder.
        let work = try FileManager.default.contentsOfDirectory(atPath: dir.file("d/state/work/outbound/acme-collect"))
        #expect(work.allSatisfy { $0.hasSuffix(".p7m") }, "\(work)")
    }
}

@Suite("Outbound crash safety (SIGKILL at every step)", .serialized, .timeLimit(.minutes(20)))
struct OutboundFailpointTests {
    @Test("killed at each step, the next run finishes the same batch: one file, same sequence, no plaintext left")
    func everyStep() throws {
        let dir = try TemporaryDirectory("failpoint")
        defer { dir.remove() }
        let arlink = RepositoryPaths.arlinkExecutable
        let demo = try ProcessRunner.run(arlink, ["demo", "--workdir", dir.file("d"), "--customers", "200", "--open-items", "2000"],
                                         currentDirectory: RepositoryPaths.root)
        try #require(demo.status == 0, "\(demo.stderr)")
        let config = dir.file("d/arlink.yaml")
        let db = dir.file("d/state/arlink.sqlite")
        func sql(_ query: String) throws -> String {
            try ProcessRunner.run("sqlite3", [db, query]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        for (k, point) in ["outbound.plaintext_written", "outbound.built", "outbound.sealed_file_written", "outbound.sealed",
                           "outbound.delivered_file", "outbound.delivered"].enumerated() {
            let date = formatter.string(from: Date().addingTimeInterval(Double((k + 1) * 15) * 86_400))
            let killed = try ProcessRunner.run(arlink, ["outbound", "run", "--config", config, "--as-of", date], environment: ["ARLINK_FAILPOINT": point])
            #expect(killed.status == 9 || killed.status == 137 || killed.status == 128 + 9, "\(point): expected death by SIGKILL, got \(killed.status)")
            let finished = try ProcessRunner.run(arlink, ["outbound", "run", "--config", config, "--as-of", date])
            #expect(finished.status == 0, "\(point): \(finished.stderr)")
            #expect(try sql("SELECT COUNT(*) FROM outbound_batch WHERE as_of = '\(date)' AND state IN ('delivered', 'acknowledged')") == "1", "\(point)")
            #expect(try sql("SELECT COUNT(*) FROM outbound_batch WHERE state IN ('built', 'sealed')") == "0", "\(point)")
            let inbox = try FileManager.default.contentsOfDirectory(atPath: dir.file("d/partner/inbox")).filter { !$0.contains("_receipt_") }
            #expect(inbox.count == k + 2, "\(point): \(inbox)")
            #expect(!inbox.contains { $0.hasSuffix(".part") }, "\(point)")
            let work = try FileManager.default.contentsOfDirectory(atPath: dir.file("d/state/work/outbound/acme-collect"))
            #expect(work.allSatisfy { $0.hasSuffix(".p7m") }, "\(point): plaintext left: \(work)")
        }
        #expect(try sql("SELECT group_concat(sequence, ',') FROM (SELECT sequence FROM outbound_batch ORDER BY sequence)") == "1,2,3,4,5,6,7")
        #expect(try sql("SELECT COUNT(*) - COUNT(DISTINCT account_ref) FROM placement_event WHERE action = 'place'") == "0")
    }
}
