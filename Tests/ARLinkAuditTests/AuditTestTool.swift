import Foundation

/// Runs `openssl` and `sqlite3` for these tests with output captured in temporary files,
/// not pipes: many tests run in parallel, and Foundation's `readDataToEndOfFile` on a pipe
/// traps when a SIGCHLD interrupts its `read` (EINTR).
enum AuditTestTool {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> Result {
        let base = NSTemporaryDirectory() + "arlink-audit-tool-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: base + ".out", contents: nil)
        FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let stdout = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}
