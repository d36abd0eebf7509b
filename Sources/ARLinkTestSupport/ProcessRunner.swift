public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The result of running a child process to completion.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// Whether the child was killed (SIGKILL) because it outlived the `timeout` given to ``ProcessRunner/run(_:_:stdin:environment:currentDirectory:timeout:)``.
    public var timedOut = false
}

/// Runs real tools (the built `arlink`, `openssl`, `python3`, `sqlite3`) as child processes.
public enum ProcessRunner {
    /// Runs `executable` with `arguments`, feeding `stdin`, and waits for it.
    /// - Parameters:
    ///   - executable: an absolute path, or a name looked up on `PATH` through `/usr/bin/env`.
    ///   - timeout: seconds after which the child is killed with SIGKILL (the result says
    ///     ``ProcessResult/timedOut``), so a test of something that must not hang fails instead.
    public static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil,
                           currentDirectory: String? = nil, timeout: Double? = nil) throws -> ProcessResult {
        let process = Process()
        if executable.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        // stdout through a pipe read on this thread, stderr into a private file read at the end:
        // nothing waits for a shared queue (a blocked wait on one can starve a small pool).
        let errPath = NSTemporaryDirectory() + "arlink-stderr-\(getpid())-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: errPath, contents: nil, attributes: [.posixPermissions: 0o600]),
              let errFile = FileHandle(forWritingAtPath: errPath) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: errPath])
        }
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = errFile
        process.standardInput = input
        try process.run()
        try? errFile.close()
        // The deadline runs on a thread of its own (never on a shared queue a test may starve).
        let killer = DispatchSemaphore(value: 0)
        let killed = KillFlag()
        if let timeout {
            let pid = process.processIdentifier
            Thread.detachNewThread {
                if killer.wait(timeout: .now() + timeout) == .timedOut {
                    killed.set()
                    kill(pid, SIGKILL)
                }
            }
        }
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
        let outData = readAll(out.fileHandleForReading.fileDescriptor)
        // Not waitUntilExit(): its run loop waits for a wall-clock deadline, which becomes an
        // endless wait under a shifted clock (libfaketime) when the exit lands just before it.
        while !Wait.forExit(process, timeout: .seconds(60)) {}
        killer.signal()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        var result = ProcessResult(status: process.terminationStatus,
                                   stdout: String(decoding: outData, as: UTF8.self),
                                   stderr: String(decoding: errData, as: UTF8.self))
        result.timedOut = killed.value
        return result
    }

    /// Reads a descriptor to its end, retrying interrupted reads.
    static func readAll(_ fd: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { data.append(contentsOf: buffer[0..<n]); continue }
            if n < 0 && errno == EINTR { continue }
            return data
        }
    }

    /// True when `tool` is on `PATH`.
    public static func has(_ tool: String) -> Bool {
        (try? run("/bin/sh", ["-c", "command -v \(tool)"]).status) == 0
    }
}

/// Set once by the deadline thread, read after the child has exited.
private final class KillFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var value: Bool { lock.withLock { flag } }
}
