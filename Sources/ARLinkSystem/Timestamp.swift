public import Foundation

/// UTC timestamps as written in headers, the ledger and the audit log.
public enum Timestamp {
    /// ISO 8601 in UTC with seconds and `Z`: `2026-11-29T04:40:08Z`.
    public static func iso8601(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .gmt))
    }
}
