import Foundation

/// Runs helper programs for transport tests (ssh-keygen, openssl, sftp) and finds free ports.
public enum TransportProcess {
    /// The result of a finished program.
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs `executable` with `arguments` to completion, capturing its output.
    public static func run(_ executable: String, _ arguments: [String], stdin: String? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs a program and throws unless it exits 0.
    @discardableResult
    public static func check(_ executable: String, _ arguments: [String], stdin: String? = nil) throws -> Output {
        let output = try run(executable, arguments, stdin: stdin)
        guard output.status == 0 else {
            throw TransportTestError("\(executable) \(arguments.joined(separator: " ")) exited \(output.status): \(output.stderr)")
        }
        return output
    }

    /// Starts a long-running server with `posix_spawn` (not Foundation's `Process`, whose child
    /// monitor can block on a process that never exits), stdin from /dev/null, stdout and stderr
    /// appended to `logPath`, and no other inherited descriptors. Reap it with ``stopServer(_:)``.
    public static func spawnServer(_ executable: String, _ arguments: [String], logPath: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        } else {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
                if let fd = Int32(entry), fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
            }
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard status == 0 else { throw TransportTestError("cannot start \(executable): \(String(cString: strerror(status)))") }
        return pid
    }

    /// Stops a server started with ``spawnServer(_:_:logPath:)``: its descendants and itself, then reaps it.
    public static func stopServer(_ pid: Int32, signal: Int32 = 15) {
        killTree(pid, signal: signal)
        let reaped = Wait.until(timeout: .seconds(2), interval: .milliseconds(10)) {
            var status: Int32 = 0
            return waitpid(pid, &status, WNOHANG) != 0
        }
        if reaped { return }
        var status: Int32 = 0
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TransportTestError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TransportTestError("bind failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw TransportTestError("getsockname failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Waits until `port` accepts connections, or the process `pid` has exited, or `timeout` passed.
    public static func waitUntilListening(_ port: Int, pid: Int32, timeout: Double = 10) -> Bool {
        var exited = false
        let ready = Wait.until(timeout: .milliseconds(Int64(timeout * 1000)), interval: .milliseconds(20)) {
            if isListening(port) { return true }
            var status: Int32 = 0
            exited = waitpid(pid, &status, WNOHANG) != 0  // exited (or not our child)
            return exited
        }
        return ready && !exited
    }

    /// The process ids of all descendants of `pid` (children, grandchildren...), from /proc.
    public static func descendants(of pid: Int32) -> [Int32] {
        var parentOf: [Int32: Int32] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parentOf[child] = parent }
        }
        var result: [Int32] = []
        var frontier = [pid]
        while let current = frontier.popLast() {
            for (child, parent) in parentOf where parent == current {
                result.append(child)
                frontier.append(child)
            }
        }
        return result
    }

    /// Sends `signal` to `pid` and all its descendants, then reaps `pid` if it is our child.
    public static func killTree(_ pid: Int32, signal: Int32 = 15) {
        for child in descendants(of: pid) { kill(child, signal) }
        kill(pid, signal)
    }
}
