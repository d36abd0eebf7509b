import ARLinkTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A running `arlink serve` child process: its port, its output files, signals, HTTP with curl.
final class ServeProcess {
    let process: Process
    let stdoutPath: String
    let stderrPath: String
    private(set) var port = 0

    /// Starts `arlink serve --config CONFIG` and waits (at most `timeout` seconds) until it listens.
    init(config: String, folder: TemporaryDirectory, statusInterval: Int = 1, timeout: Double = 60) throws {
        stdoutPath = folder.file("serve.out")
        stderrPath = folder.file("serve.err")
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.arlinkExecutable)
        process.arguments = ["serve", "--config", config, "--status-interval", String(statusInterval)]
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date() + timeout
        while Date() < deadline {
            if let line = stdout.split(separator: "\n").first(where: { $0.contains("listening on port ") }),
               let port = Int(line.split(separator: " ").last ?? "") {
                self.port = port
                return
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        stop()
        throw ServeError("arlink serve did not start listening: \(stderr)")
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits up to `timeout` seconds for the process to end; its exit status, or nil when it still runs.
    func wait(timeout: Double) -> Int32? {
        let deadline = Date() + timeout
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGKILL if it still runs (test clean-up).
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); Wait.forExit(process, timeout: .seconds(30)) }
    }

    /// GET `path` with the curl CLI: the status code and body.
    func get(_ path: String, token: String? = nil) throws -> (status: Int, body: String) {
        var args = ["-s", "-m", "10", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"]
        if let token { args += ["-H", "Authorization: Bearer \(token)"] }
        let result = try ProcessRunner.run("curl", args, timeout: 20)
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let code = Int(lines.popLast() ?? "") ?? 0
        return (code, lines.joined(separator: "\n").trimmingCharacters(in: .newlines))
    }

    /// Polls `condition` every 0.2 s for up to `timeout` seconds.
    static func eventually(timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date() + timeout
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return try condition()
    }

    /// The value of the sample `name{labels}` in a Prometheus text exposition (labels as written, sorted by the exporter).
    static func sample(_ metrics: String, _ prefix: String) -> Double? {
        for line in metrics.split(separator: "\n") where line.hasPrefix(prefix) {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
        }
        return nil
    }

    deinit { stop() }
}

struct ServeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A loopback HTTP receiver (Python's http.server) that writes each POST as one JSON line
/// (headers and body) to a file; answers with the status codes given in order, then 200.
final class WebhookReceiver {
    let process: Process
    let logPath: String
    private(set) var port = 0

    init(folder: TemporaryDirectory, statuses: [Int] = []) throws {
        logPath = folder.file("webhook.jsonl")
        let script = """
            import http.server, json, sys
            log, statuses = sys.argv[1], [int(s) for s in sys.argv[2:]]
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get('Content-Length', '0'))).decode()
                    code = statuses.pop(0) if statuses else 200
                    with open(log, 'a') as f:
                        f.write(json.dumps({'path': self.path, 'headers': dict(self.headers), 'body': body, 'answered': code}) + '\\n')
                    self.send_response(code); self.send_header('Content-Length', '0'); self.end_headers()
                def log_message(self, *a): pass
            s = http.server.HTTPServer(('127.0.0.1', 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
        let out = folder.file("webhook.port")
        FileManager.default.createFile(atPath: out, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, logPath] + statuses.map(String.init)
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let found = ServeProcess.eventually(timeout: 20) {
            Int(((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) != nil
        }
        guard found, let port = Int(((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw ServeError("the webhook receiver did not start")
        }
        self.port = port
    }

    /// Every request received so far.
    var requests: [[String: Any]] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    deinit {
        // SIGKILL: a child of the test process may inherit a mask that blocks SIGTERM.
        if process.isRunning { kill(process.processIdentifier, SIGKILL); Wait.forExit(process, timeout: .seconds(30)) }
    }
}
