import ARLinkCore
import Foundation

/// UTC times in ISO 8601 with milliseconds, `2026-11-29T04:45:00.123Z`, written without a
/// formatter object (fast, locale-free).
enum UTCTimestamp {
    static func string(from date: Date = Date()) -> String {
        let interval = date.timeIntervalSince1970
        let seconds = Int64(interval.rounded(.down))
        let millis = Int((interval - Double(seconds)) * 1000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = LocalDate(daysSinceEpoch: Int32(clamping: days)).components
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(min(999, max(0, millis)), 3))Z"
    }
}
