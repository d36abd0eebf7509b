import ArgumentParser
import ARLinkSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Spawns a child process and reports its wall time and peak memory (`wait4` rusage, which
/// covers the child and the descendants it waited for).
enum Child {
    /// The fastest of `runs` measurements (at least one).
    static func best(runs: Int, _ body: () throws -> Measurement) throws -> Measurement {
        var result = try body()
        for _ in 1..<max(runs, 1) {
            let m = try body()
            if m.seconds < result.seconds { result = m }
        }
        return result
    }

    struct Measurement {
        let seconds: Double
        let maxRSSKB: Int
        /// User plus system CPU time of the child and its waited-for descendants.
        let cpuSeconds: Double
    }

    static func shell(_ script: String, in directory: String) throws -> Measurement {
        try run(["/bin/bash", "-c", "set -o pipefail; cd '\(directory)' && " + script])
    }

    /// Starts `arguments` (the first is the executable's path) with this process's environment,
    /// its standard error appended to the file `standardError` when given.
    /// - Returns: the child's process id.
    static func spawn(_ arguments: [String], standardError: String? = nil) throws -> pid_t {
        var argv: [UnsafeMutablePointer<CChar>?] = unsafe arguments.map { unsafe strdup($0) }
        unsafe argv.append(nil)
        defer { for unsafe pointer in unsafe argv { unsafe free(pointer) } }
        var actions = unsafe posix_spawn_file_actions_t()
        unsafe posix_spawn_file_actions_init(&actions)
        defer { unsafe posix_spawn_file_actions_destroy(&actions) }
        if let standardError {
            unsafe posix_spawn_file_actions_addopen(&actions, 2, standardError, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
        var pid: pid_t = 0
        let code = unsafe posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard code == 0 else { throw ValidationError("cannot start \(arguments[0]): \(Errno.describe(code))") }
        return pid
    }

    /// Waits for child `pid` to exit (retrying `EINTR`).
    /// - Returns: its wait status.
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while unsafe waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return status
    }

    static func run(_ arguments: [String]) throws -> Measurement {
        let start = DispatchTime.now()
        let pid = try spawn(arguments)
        var status: Int32 = 0
        var usage = rusage()
        while unsafe wait4(pid, &status, 0, &usage) < 0 {
            if errno != EINTR { throw ValidationError("wait4 failed") }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let exited = (status & 0x7F) == 0
        let code = (status >> 8) & 0xFF
        guard exited && code == 0 else { throw ValidationError("\(arguments.joined(separator: " ")) failed with status \(status)") }
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return Measurement(seconds: seconds, maxRSSKB: usage.ru_maxrss, cpuSeconds: cpu)
    }
}
