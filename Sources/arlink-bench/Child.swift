import ArgumentParser
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

    static func run(_ arguments: [String]) throws -> Measurement {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let start = DispatchTime.now()
        let spawned = posix_spawn(&pid, arguments[0], nil, nil, argv, environ)
        guard spawned == 0 else { throw ValidationError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
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
