import ARLinkTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM stops an inbound run at the next file boundary (in `arlink serve` and in
/// `arlink inbound run`); `arlink_events_total` by event type; `arlink status`'s last inbound run;
/// progress on a terminal. Part of the serialized serve suite: these tests block their thread
/// for a long time, and two such suites side by side would leave a 2-core machine's pool no
/// thread for the other tests.
extension ServeTests {
    static func files(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test("SIGTERM after the first of several files: that file is applied completely, the others stay untouched for the next run; serve exits 0, inbound run 75; every event applied once")
    func stopAtFileBoundary() throws {
        let (dir, config) = try ServeTests.demo("""
            service:
              listen: 127.0.0.1:0
              schedules:
                - job: inbound
                  every: 1s
            """)
        defer { dir.remove() }
        let demo = dir.file("demo")
        let outbox = demo + "/partner/outbox", processed = demo + "/partner/processed"
        let names = try DemoFeedback.drop(demo: demo, count: 6, eventsPerFile: 40_000)
        let processedBefore = Self.files(processed).count
        let appliedBefore = try DemoFeedback.auditEvents(demo: demo).filter { $0["action"] as? String == "file.applied" }.count

        // arlink serve: SIGTERM as soon as the first new file reached processed/.
        let serve = try ServeProcess(config: config, folder: dir)
        defer { serve.stop() }
        let first = ServeProcess.eventually(timeout: 120) { Self.files(processed).count > processedBefore }
        #expect(first, "no file processed: \(serve.stderr)")
        serve.signal(SIGTERM)
        #expect(serve.wait(timeout: 120) == 0, "\(serve.stderr)")
        let afterServe = Self.files(processed).count - processedBefore
        #expect(afterServe >= 1 && afterServe < names.count, "\(afterServe) of \(names.count) files processed before the stop")
        #expect(Self.files(outbox) == Array(names.suffix(names.count - afterServe)), "the files not started stay in the outbox")
        #expect(serve.stderr.contains("stopping at a file boundary"), "\(serve.stderr)")
        var events = try DemoFeedback.auditEvents(demo: demo)
        #expect(events.filter { $0["action"] as? String == "file.applied" }.count == appliedBefore + afterServe)
        #expect(events.contains { $0["action"] as? String == "run.stopped" })
        #expect(events.last?["action"] as? String == "service.stopped")
        var ids = try DemoFeedback.exportedUpdateIDs(demo: demo)
        #expect(Set(ids).count == ids.count, "an ERP update exported twice")

        // arlink inbound run: the same at the next file boundary, exit 75.
        let run = Process()
        run.executableURL = URL(fileURLWithPath: Self.arlink)
        run.arguments = ["inbound", "run", "--config", config]
        let out = dir.file("run.out"), err = dir.file("run.err")
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        run.standardOutput = FileHandle(forWritingAtPath: out)
        run.standardError = FileHandle(forWritingAtPath: err)
        try run.run()
        let before = Self.files(processed).count
        let next = ServeProcess.eventually(timeout: 120) { Self.files(processed).count > before }
        #expect(next)
        kill(run.processIdentifier, SIGTERM)
        #expect(Wait.forExit(run, timeout: .seconds(300)), "inbound run did not stop after SIGTERM")
        let stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        let stdout = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        let byRun = Self.files(processed).count - before
        #expect(run.terminationReason == .exit && run.terminationStatus == 75, "exit \(run.terminationStatus): \(stdout)\(stderr)")
        #expect(stdout.contains("stopped at a file boundary (SIGTERM)"), "\(stdout)")
        #expect(byRun >= 1 && afterServe + byRun < names.count, "\(byRun) more file(s) processed")
        #expect(Self.files(outbox) == Array(names.suffix(names.count - afterServe - byRun)))

        // The next run applies the rest; every file once, every event once, the log intact.
        let rest = try ProcessRunner.run(Self.arlink, ["inbound", "run", "--config", config], timeout: 600)
        #expect(rest.status == 0, "\(rest.stdout)\(rest.stderr)")
        #expect(Self.files(outbox).isEmpty)
        #expect(Self.files(processed).count == processedBefore + names.count)
        events = try DemoFeedback.auditEvents(demo: demo)
        let applied = events.filter { $0["action"] as? String == "file.applied" }.compactMap { $0["file_name"] as? String }
        #expect(applied.count == appliedBefore + names.count)
        #expect(Set(applied).count == applied.count, "a file applied twice")
        ids = try DemoFeedback.exportedUpdateIDs(demo: demo)
        #expect(Set(ids).count == ids.count, "an ERP update exported twice")
        let verify = try ProcessRunner.run(Self.arlink, ["audit", "verify", "--config", config])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test("arlink_events_total counts a scheduled run's events by their real type and outcome")
    func eventsByType() throws {
        let (dir, config) = try ServeTests.demo("""
            service:
              listen: 127.0.0.1:0
              schedules:
                - job: inbound
                  every: 1s
            """)
        defer { dir.remove() }
        let demo = dir.file("demo")
        try DemoFeedback.drop(demo: demo, count: 1)
        let serve = try ServeProcess(config: config, folder: dir)
        defer { serve.stop() }
        var metrics = ""
        let counted = try ServeProcess.eventually(timeout: 120) {
            metrics = try serve.get("/metrics").body
            return metrics.contains("arlink_events_total{")
        }
        #expect(counted, "\(metrics)\n\(serve.stderr)")
        serve.signal(SIGTERM)
        #expect(serve.wait(timeout: 60) == 0)
        // What the file's own audit entry says: records per type, events accepted and rejected.
        let applied = try #require(try DemoFeedback.auditEvents(demo: demo).last { $0["action"] as? String == "file.applied" })
        let detail = try #require(applied["detail"] as? [String: String])
        var byType: [String: (applied: Double, rejected: Double)] = [:]
        for line in metrics.split(separator: "\n") where line.hasPrefix("arlink_events_total{") {
            #expect(line.contains(#"partner="acme-collect""#))
            #expect(!line.contains(#"type="feedback""#), "\(line)")
            let type = String(line.split(separator: "type=\"").last?.prefix { $0 != "\"" } ?? "")
            let value = try #require(line.split(separator: " ").last.flatMap { Double($0) })
            if line.contains(#"outcome="applied""#) { byType[type, default: (0, 0)].applied += value }
            else if line.contains(#"outcome="rejected""#) { byType[type, default: (0, 0)].rejected += value }
            else { Issue.record("unexpected outcome: \(line)") }
        }
        #expect(byType.count >= 4, "types: \(byType.keys.sorted())")
        for type in ["payment", "promise", "dispute", "risk"] { #expect(byType[type] != nil, "\(type) missing: \(byType.keys.sorted())") }
        for (type, counts) in byType {
            #expect(Int(counts.applied + counts.rejected) == Int(detail[type] ?? "") , "\(type): \(counts) against the file's \(detail[type] ?? "none")")
        }
        let accepted = byType.values.reduce(0) { $0 + $1.applied }
        #expect(Int(accepted) == Int(detail["events_accepted"] ?? ""), "applied \(accepted), the audit entry says \(detail["events_accepted"] ?? "")")
    }

    @Test("arlink status: the last inbound run moves with every completed run, even with nothing to fetch; silence still counts from the last feedback")
    func lastInboundRun() throws {
        let (dir, config) = try ServeTests.demo("")
        defer { dir.remove() }
        func partner() throws -> [String: Any] {
            let json = try ProcessRunner.run(Self.arlink, ["status", "--config", config, "--log-format", "json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)\(json.stderr)")
            return try #require((object["partners"] as? [[String: Any]])?.first)
        }
        let first = try partner()
        let run1 = try #require(first["last_inbound"] as? String, "the demo's inbound run: \(first)")
        let feedback = try #require(first["last_feedback"] as? String)
        Thread.sleep(forTimeInterval: 1.2)
        let empty = try ProcessRunner.run(Self.arlink, ["inbound", "run", "--config", config])
        #expect(empty.status == 0 && empty.stdout.contains("0 file(s) processed"), "\(empty.stdout)\(empty.stderr)")
        let second = try partner()
        let run2 = try #require(second["last_inbound"] as? String)
        #expect(run2 > run1, "a run with nothing to fetch is still a run: \(run1) then \(run2)")
        #expect(second["last_feedback"] as? String == feedback)
        // Silence is about the partner: a run just completed, and the partner is still silent.
        try ServeTests.write(config, base: config, "alerts:\n  silence_alert_after: 1s")
        let silent = try ProcessRunner.run(Self.arlink, ["status", "--config", config])
        #expect(silent.status == 65, "\(silent.stdout)")
        #expect(silent.stdout.contains("partner acme-collect: no feedback since \(feedback)"), "\(silent.stdout)")
        #expect(silent.stdout.contains("last inbound run:       \(run2)"), "\(silent.stdout)")
        // A refused run (its partner's folder gone) does not count as a run.
        try FileManager.default.moveItem(atPath: dir.file("demo/partner/outbox"), toPath: dir.file("demo/partner/outbox.away"))
        let failed = try ProcessRunner.run(Self.arlink, ["inbound", "run", "--config", config])
        #expect(failed.status != 0)
        #expect(try partner()["last_inbound"] as? String == run2)
    }

    @Test("outbound run: a progress bar with rate and time left on a terminal (a pseudo-terminal through script), none without one",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "script (util-linux) is missing"))
    func progressOnTerminal() throws {
        let dir = try TemporaryDirectory("progress")
        defer { dir.remove() }
        let made = try ProcessRunner.run(Self.arlink, ["demo", "--workdir", dir.file("demo"), "--customers", "12000", "--open-items", "250000"], timeout: 900)
        #expect(made.status == 0, "\(made.stderr)")
        let config = dir.file("demo/arlink.yaml")
        // A dry run for tomorrow reads the whole extract and writes nothing, so both runs do the same work.
        let tomorrow = Date().addingTimeInterval(86_400).formatted(Date.ISO8601FormatStyle().year().month().day())
        let command = "'\(Self.arlink)' outbound run --config '\(config)' --dry-run --as-of \(tomorrow)"
        let tty = try ProcessRunner.run("/usr/bin/script", ["-qfec", command, "/dev/null"], timeout: 600)
        #expect(tty.status == 0, "\(tty.stdout)")
        let lines = tty.stdout.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).map(String.init)
        let bars = lines.filter { $0.hasPrefix("reading open_items.csv [") }
        #expect(!bars.isEmpty, "no progress line on the terminal:\n\(tty.stdout.prefix(3000))")
        #expect(bars.contains { $0.contains("% ") && $0.contains(" MB/s") && ($0.contains("ETA ") || $0.contains("done in ")) }, "\(bars)")
        #expect(bars.contains { $0.contains("100%") }, "the bar ends full: \(bars)")
        let plain = try ProcessRunner.run(Self.arlink, ["outbound", "run", "--config", config, "--dry-run", "--as-of", tomorrow], timeout: 600)
        #expect(plain.status == 0)
        #expect(plain.stderr.contains("read 250000 open items"), "the same work without a terminal: \(plain.stderr)")
        #expect(!plain.stderr.contains("reading open_items.csv [") && !plain.stderr.contains("\r"), "\(plain.stderr.prefix(2000))")
        #expect(!plain.stdout.contains("reading open_items.csv ["))
    }
}
