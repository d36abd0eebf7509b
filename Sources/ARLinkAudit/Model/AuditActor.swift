import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who caused an audit entry: the operating-system user and the host it ran on.
public struct AuditActor: Sendable, Hashable, Codable {
    public var user: String
    public var host: String

    public init(user: String, host: String) {
        self.user = user
        self.host = host
    }

    /// The effective user (from the password database, else `$USER`, else the numeric uid)
    /// and the host name of this process.
    public static func current() -> AuditActor {
        var user = ""
        if let entry = unsafe getpwuid(geteuid()), let name = unsafe entry.pointee.pw_name {
            user = unsafe String(cString: name)
        }
        if user.isEmpty { user = ProcessInfo.processInfo.environment["USER"] ?? "uid-\(geteuid())" }
        var buffer = [CChar](repeating: 0, count: 256)
        var host = "unknown-host"
        if unsafe gethostname(&buffer, buffer.count - 1) == 0 {
            let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !name.isEmpty { host = name }
        }
        return AuditActor(user: user, host: host)
    }
}
