public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The result of running a child process to completion.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs real tools (the built `arlink`, `openssl`, `python3`, `sqlite3`) as child processes.
public enum ProcessRunner {
    /// Runs `executable` with `arguments`, feeding `stdin`, and waits for it.
    /// - Parameter executable: an absolute path, or a name looked up on `PATH` through `/usr/bin/env`.
    public static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil,
                           currentDirectory: String? = nil) throws -> ProcessResult {
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
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
        let outData = readAll(out.fileHandleForReading.fileDescriptor)
        process.waitUntilExit()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return ProcessResult(status: process.terminationStatus,
                             stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
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
