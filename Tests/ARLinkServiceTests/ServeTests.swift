import ARLinkTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `arlink serve` as a process: endpoints, scheduled runs in the metrics, reloads, graceful
/// shutdown during a run, alerts to a real loopback receiver; `arlink status`. They also run
/// under libfaketime (scripts/test-clock-shift.sh): the children inherit the shifted wall clock.
@Suite("arlink serve and status", .serialized)
struct ServeTests {

    static var arlink: String { RepositoryPaths.arlinkExecutable }

    /// A demo installation (one batch delivered, its feedback applied) with `extra` appended to its configuration.
    static func demo(_ extra: String, replacing: [(String, String)] = []) throws -> (dir: TemporaryDirectory, config: String) {
        let dir = try TemporaryDirectory("serve")
        let result = try ProcessRunner.run(arlink, ["demo", "--workdir", dir.file("demo"), "--customers", "200", "--open-items", "2000"], timeout: 300)
        #expect(result.status == 0, "demo failed: \(result.stderr)")
        let config = dir.file("demo/arlink.yaml")
        try write(config, base: config, extra, replacing: replacing)
        return (dir, config)
    }

    /// Writes the demo configuration plus `extra` to `path` (keeping the original beside it).
    static func write(_ path: String, base: String, _ extra: String, replacing: [(String, String)] = []) throws {
        let original = base + ".orig"
        if !FileManager.default.fileExists(atPath: original) { try FileManager.default.copyItem(atPath: base, toPath: original) }
        var text = try String(contentsOfFile: original, encoding: .utf8)
        for (old, new) in replacing { text = text.replacingOccurrences(of: old, with: new) }
        try (text + "\n" + extra + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The action names in the audit log, oldest first (read with Python's sqlite3).
    static func auditActions(_ dir: TemporaryDirectory) throws -> [String] {
        let script = """
            import sqlite3, sys, json
            db = sqlite3.connect(sys.argv[1])
            for (entry,) in db.execute('SELECT entry FROM audit_entry ORDER BY leaf_index'):
                print(json.loads(entry)['event']['action'] if 'event' in json.loads(entry) else json.loads(entry).get('action'))
            """
        let result = try ProcessRunner.run("python3", ["-c", script, dir.file("demo/state/arlink.sqlite")])
        return result.stdout.split(separator: "\n").map(String.init)
    }

    static func metricLine(_ metrics: String, _ name: String, _ labels: [String]) -> Double? {
        for line in metrics.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            guard labels.allSatisfy({ line.contains($0) }) else { continue }
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
        }
        return nil
    }

    @Test("healthz and readyz answer; a scheduled run shows in /metrics and /status; SIGHUP with a bad file keeps the old configuration, with a good one applies it; SIGTERM exits 0")
    func serveLifecycle() throws {
        let service = { (instance: String, every: String) in
            """
            service:
              listen: 127.0.0.1:0
              instance: \(instance)
              schedules:
                - job: inbound
                  every: \(every)
            """
        }
        let (dir, config) = try Self.demo(service("test-one", "2s"))
        defer { dir.remove() }
        let serve = try ServeProcess(config: config, folder: dir)
        defer { serve.stop() }
        #expect(try serve.get("/healthz") == (200, "ok"))
        #expect(try serve.get("/readyz") == (200, "ready"))
        #expect(try serve.get("/nothing").status == 404)
        // A scheduled inbound run, counted with its outcome and duration.
        var metrics = ""
        let ran = try ServeProcess.eventually(timeout: 60) {
            metrics = try serve.get("/metrics").body
            return (Self.metricLine(metrics, "arlink_job_runs_total", [#"job="inbound""#, #"outcome="success""#]) ?? 0) >= 1
        }
        #expect(ran, "no inbound run in the metrics:\n\(metrics)\n\(serve.stderr)")
        for name in ["arlink_job_duration_seconds_bucket", "arlink_job_last_success_timestamp_seconds", "arlink_quarantined_files",
                     "arlink_held_files", "arlink_certificate_expiry_timestamp_seconds", "arlink_leader"] {
            #expect(metrics.contains(name), "\(name) missing from /metrics")
        }
        #expect(Self.metricLine(metrics, "arlink_leader", []) == 1)
        let success = try #require(Self.metricLine(metrics, "arlink_job_last_success_timestamp_seconds", [#"job="inbound""#]))
        #expect(abs(success - Date().timeIntervalSince1970) < 120)
        // /status: the same facts as `arlink status`.
        let status = try #require(try JSONSerialization.jsonObject(with: Data(serve.get("/status").body.utf8)) as? [String: Any])
        #expect(status["instance"] as? String == "test-one")
        let partner = try #require((status["partners"] as? [[String: Any]])?.first)
        #expect(partner["partner"] as? String == "acme-collect")
        #expect(partner["last_inbound"] is String, "the demo's feedback was applied: \(partner)")
        #expect((partner["next_runs"] as? [[String: Any]])?.first?["job"] as? String == "inbound")

        // SIGHUP with a file that does not validate: refused, counted, the old configuration stays.
        try Self.write(config, base: config, service("test-two", "2x"))
        serve.signal(SIGHUP)
        let refused = try ServeProcess.eventually(timeout: 30) {
            Self.metricLine(try serve.get("/metrics").body, "arlink_config_reload_failures_total", []) == 1
        }
        #expect(refused, "\(serve.stderr)")
        #expect(serve.stderr.contains("reload refused"))
        #expect(serve.stderr.contains("service.schedules[0].every"))
        let still = try JSONSerialization.jsonObject(with: Data(serve.get("/status").body.utf8)) as? [String: Any]
        #expect(still?["instance"] as? String == "test-one")
        #expect(try serve.get("/readyz").status == 200)

        // SIGHUP with a good file: applied.
        try Self.write(config, base: config, service("test-two", "1h"))
        serve.signal(SIGHUP)
        let applied = try ServeProcess.eventually(timeout: 30) {
            (try JSONSerialization.jsonObject(with: Data(serve.get("/status").body.utf8)) as? [String: Any])?["instance"] as? String == "test-two"
        }
        #expect(applied, "\(serve.stderr)")

        serve.signal(SIGTERM)
        #expect(serve.wait(timeout: 60) == 0, "\(serve.stderr)")
        let actions = try Self.auditActions(dir)
        for action in ["service.started", "service.reload_refused", "service.reloaded", "service.stopped"] {
            #expect(actions.contains(action), "\(action) not in the audit log: \(actions.suffix(20))")
        }
        #expect(actions.last == "service.stopped")
        let verify = try ProcessRunner.run(Self.arlink, ["audit", "verify", "--config", config])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test("SIGTERM during a run: the run finishes, the service exits 0, nothing is applied twice and the lock is free")
    func shutdownDuringRun() throws {
        let (dir, config) = try Self.demo("""
            service:
              listen: 127.0.0.1:0
              schedules:
                - job: inbound
                  every: 1s
            """, replacing: [("stable_seconds: 0", "stable_seconds: 4")])
        defer { dir.remove() }
        // The partner's feedback file comes again: the run waits 4 s for it to be stable, then finds it applied before.
        let processed = try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/partner/processed"))
        let feedback = try #require(processed.first)
        try FileManager.default.copyItem(atPath: dir.file("demo/partner/processed/\(feedback)"), toPath: dir.file("demo/partner/outbox/\(feedback)"))
        let exportsBefore = try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/erp/import")).sorted()
        let serve = try ServeProcess(config: config, folder: dir)
        defer { serve.stop() }
        let started = ServeProcess.eventually(timeout: 60) { serve.stderr.contains("inbound: run started") }
        #expect(started, "\(serve.stderr)")
        Thread.sleep(forTimeInterval: 1)
        serve.signal(SIGTERM)
        #expect(serve.wait(timeout: 90) == 0, "\(serve.stderr)")
        let log = serve.stderr
        let ended = try #require(log.range(of: "inbound: run ended"), "the run did not finish: \(log)")
        let stopping = try #require(log.range(of: "no new runs are started"), "\(log)")
        #expect(ended.lowerBound < stopping.lowerBound, "the current run finished before the service stopped")
        #expect(log.components(separatedBy: "inbound: run started").count == 2, "exactly one run: \(log)")
        // Exactly once: no new ERP update file, the replay recorded, the log intact, the lock free.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/erp/import")).sorted() == exportsBefore)
        let actions = try Self.auditActions(dir)
        #expect(actions.filter { $0 == "file.applied" }.count == 1, "\(actions)")
        #expect(actions.last == "service.stopped")
        let again = try ProcessRunner.run(Self.arlink, ["inbound", "run", "--config", config], timeout: 120)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("demo/erp/import")).sorted() == exportsBefore)
        let verify = try ProcessRunner.run(Self.arlink, ["audit", "verify", "--config", config])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test("a silent partner raises one signed webhook alert (retried after a 500), and a resolved message when a reload clears it")
    func webhookAlert() throws {
        let dir0 = try TemporaryDirectory("hook")
        defer { dir0.remove() }
        let receiver = try WebhookReceiver(folder: dir0, statuses: [500])
        let secret = "s3cret-\(UUID().uuidString)"
        let alerts = { (silence: String) in
            """
            service:
              listen: 127.0.0.1:0
              instance: alert-test
            alerts:
              silence_alert_after: \(silence)
              webhook:
                url: http://127.0.0.1:\(receiver.port)/hook
                secret_file: webhook.key
                retry_delay: 1s
                timeout: 5s
            """
        }
        let (dir, config) = try Self.demo(alerts("1s"))
        defer { dir.remove() }
        _ = try dir.write("demo/webhook.key", secret + "\n", mode: 0o600)
        Thread.sleep(forTimeInterval: 1.5)
        let serve = try ServeProcess(config: config, folder: dir)
        defer { serve.stop() }
        let fired = ServeProcess.eventually(timeout: 60) { receiver.requests.contains { ($0["answered"] as? Int) == 200 } }
        #expect(fired, "no alert delivered: \(receiver.requests)\n\(serve.stderr)")
        let requests = receiver.requests
        let first = try #require(requests.first)
        #expect(first["answered"] as? Int == 500)
        let delivered = try #require(requests.first { ($0["answered"] as? Int) == 200 })
        #expect(delivered["body"] as? String == first["body"] as? String, "the retry sends the same message")
        let body = try #require(delivered["body"] as? String)
        let alert = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(alert["kind"] as? String == "partner_silent")
        #expect(alert["state"] as? String == "firing")
        #expect(alert["partner"] as? String == "acme-collect")
        #expect(alert["instance"] as? String == "alert-test")
        // The signature is HMAC-SHA256 of the body with the secret, as the openssl CLI computes it.
        let headers = try #require(delivered["headers"] as? [String: String])
        let signature = try #require(headers.first { $0.key.lowercased() == "x-arlink-signature" }?.value)
        let openssl = try ProcessRunner.run("openssl", ["dgst", "-sha256", "-hmac", secret], stdin: Data(body.utf8))
        let expected = try #require(openssl.stdout.split(separator: " ").last).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(signature == "sha256=" + expected)
        #expect(!serve.stderr.contains(secret))
        // No storm: the condition lasts, nothing more is sent.
        Thread.sleep(forTimeInterval: 3)
        #expect(receiver.requests.count == 2, "\(receiver.requests.count) requests")
        // A reload that makes the partner no longer silent: one resolved message.
        try Self.write(config, base: config, alerts("3d"))
        serve.signal(SIGHUP)
        let resolved = ServeProcess.eventually(timeout: 60) {
            receiver.requests.contains { (($0["body"] as? String) ?? "").contains(#""state":"resolved""#) }
        }
        #expect(resolved, "\(receiver.requests)\n\(serve.stderr)")
        serve.signal(SIGTERM)
        #expect(serve.wait(timeout: 60) == 0, "\(serve.stderr)")
    }

    @Test("an alert e-mail reaches a real SMTP server through STARTTLS", .enabled(if: SMTPReceiver.available, "Python's aiosmtpd is not installed (scripts/setup.sh installs it)"))
    func emailAlert() throws {
        let dir0 = try TemporaryDirectory("smtp")
        defer { dir0.remove() }
        let smtp = try SMTPReceiver(folder: dir0)
        let (dir, config) = try Self.demo("""
            service:
              listen: 127.0.0.1:0
            alerts:
              silence_alert_after: 1s
              email:
                url: smtp://127.0.0.1:\(smtp.port)
                from: arlink@acme.example
                to: [ops@acme.example, finance@acme.example]
                ca_file: \(smtp.certificatePath)
                timeout: 10s
            """)
        defer { dir.remove() }
        Thread.sleep(forTimeInterval: 1.5)
        let serve = try ServeProcess(config: config, folder: dir)
        defer { serve.stop() }
        let got = ServeProcess.eventually(timeout: 60) { !smtp.messages.isEmpty }
        #expect(got, "\(serve.stderr)")
        let message = try #require(smtp.messages.first)
        #expect(message["from"] as? String == "arlink@acme.example")
        #expect(message["to"] as? [String] == ["ops@acme.example", "finance@acme.example"])
        let data = try #require(message["data"] as? String)
        #expect(data.contains("Subject: [arlink "))
        #expect(data.contains("ALERT: partner acme-collect: no feedback since"))
        #expect(data.contains("kind: partner_silent"))
        Thread.sleep(forTimeInterval: 2)
        #expect(smtp.messages.count == 1, "one message while the condition lasts")
        serve.signal(SIGTERM)
        #expect(serve.wait(timeout: 60) == 0, "\(serve.stderr)")
    }

    @Test("a partner job failing the same way dead_letter_after times is parked (audit, metric, status, exit 65) until a reload")
    func deadLetter() throws {
        let (dir, config) = try Self.demo("""
            service:
              listen: 127.0.0.1:0
              schedules:
                - job: inbound
                  every: 1s
            alerts:
              dead_letter_after: 2
            """)
        defer { dir.remove() }
        // The partner's drop folder is gone: every inbound run fails the same way for this partner.
        try FileManager.default.moveItem(atPath: dir.file("demo/partner/outbox"), toPath: dir.file("demo/partner/outbox.away"))
        let serve = try ServeProcess(config: config, folder: dir)
        defer { serve.stop() }
        let parked = try ServeProcess.eventually(timeout: 60) {
            Self.metricLine(try serve.get("/metrics").body, "arlink_parked_jobs", [#"partner="acme-collect""#]) == 1
        }
        #expect(parked, "\(serve.stderr)")
        #expect(serve.stderr.contains("inbound/acme-collect: parked after 2 runs failing with"))
        // Parked: no further runs while the firings go on.
        let runs = serve.stderr.components(separatedBy: "run started").count
        Thread.sleep(forTimeInterval: 3)
        #expect(serve.stderr.components(separatedBy: "run started").count == runs, "\(serve.stderr)")
        let status = try ProcessRunner.run(Self.arlink, ["status", "--config", config, "--log-format", "json"])
        #expect(status.status == 65, "\(status.stdout)\(status.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let partner = try #require((object["partners"] as? [[String: Any]])?.first)
        #expect((partner["parked"] as? [[String: Any]])?.first?["job"] as? String == "inbound")
        // The cause fixed and the configuration reloaded: the job runs again.
        try FileManager.default.moveItem(atPath: dir.file("demo/partner/outbox.away"), toPath: dir.file("demo/partner/outbox"))
        serve.signal(SIGHUP)
        let resumed = try ServeProcess.eventually(timeout: 60) {
            (Self.metricLine(try serve.get("/metrics").body, "arlink_job_runs_total", [#"job="inbound""#, #"outcome="success""#]) ?? 0) >= 1
        }
        #expect(resumed, "\(serve.stderr)")
        serve.signal(SIGTERM)
        #expect(serve.wait(timeout: 60) == 0, "\(serve.stderr)")
        let actions = try Self.auditActions(dir)
        #expect(actions.contains("job.parked") && actions.contains("job.unparked"), "\(actions.suffix(30))")
        let after = try ProcessRunner.run(Self.arlink, ["status", "--config", config])
        #expect(!after.stdout.contains("parked "), "\(after.stdout)")
    }

    @Test("arlink status: all is well (exit 0), then a silent partner needs a person (exit 65), in text and JSON")
    func statusCommand() throws {
        let (dir, config) = try Self.demo("""
            service:
              schedules:
                - job: outbound
                  cron: "0 2 * * 1-5"
                  time_zone: Asia/Jakarta
            """)
        defer { dir.remove() }
        let ok = try ProcessRunner.run(Self.arlink, ["status", "--config", config])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("partner acme-collect:"))
        #expect(ok.stdout.contains("next outbound run: "))
        #expect(ok.stdout.contains("all is well"))
        #expect(ok.stdout.contains("company signing: "))
        let json = try ProcessRunner.run(Self.arlink, ["status", "--config", config, "--log-format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["exit_status"] as? Int == 0)
        let partner = try #require((object["partners"] as? [[String: Any]])?.first)
        #expect(partner["last_outbound"] is String)
        let next = try #require((partner["next_runs"] as? [[String: Any]])?.first?["at"] as? String)
        #expect(next.hasSuffix("T19:00:00Z"), "02:00 in Jakarta is 19:00 UTC: \(next)")
        #expect(((object["certificates"] as? [[String: Any]]) ?? []).count >= 3)
        // The partner goes silent.
        try Self.write(config, base: config, "alerts:\n  silence_alert_after: 1s")
        Thread.sleep(forTimeInterval: 1.5)
        let silent = try ProcessRunner.run(Self.arlink, ["status", "--config", config])
        #expect(silent.status == 65, "\(silent.stdout)\(silent.stderr)")
        #expect(silent.stdout.contains("partner acme-collect: no feedback since"))
    }
}
