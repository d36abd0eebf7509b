import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Crash injection for the crash-safety tests: when the environment variable
/// `ARLINK_FAILPOINT` names a point, the process kills itself with SIGKILL there, exactly as a
/// power cut or `kill -9` would. Unset in production, so every check is a string compare.
public enum Failpoint {
    private static let armed: String? = ProcessInfo.processInfo.environment["ARLINK_FAILPOINT"]

    /// The points the jobs pass, in order, for documentation and tests.
    public static let outboundPoints = [
        "outbound.plaintext_written", "outbound.built", "outbound.sealed_file_written", "outbound.sealed",
        "outbound.delivered_file", "outbound.delivered",
    ]
    public static let inboundPoints = [
        "inbound.staged", "inbound.applied", "inbound.published", "inbound.receipt_sealed_file_written", "inbound.receipt_delivered",
    ]

    /// Dies with SIGKILL if `name` is the armed failpoint.
    public static func hit(_ name: String) {
        guard let armed, armed == name else { return }
        kill(getpid(), SIGKILL)
    }
}
