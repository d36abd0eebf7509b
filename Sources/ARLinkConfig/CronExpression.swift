public import Foundation

/// A standard five-field cron expression (`minute hour day-of-month month day-of-week`),
/// validated at load and evaluated in a time zone.
///
/// Each field takes `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, and comma lists of
/// those. Months are 1-12 (or `jan`-`dec`), days of the week 0-7 (0 and 7 are Sunday, or
/// `sun`-`sat`). When both day fields are restricted, a day matching either one fires (the
/// classic cron rule). A wall-clock time that does not exist on a day (the hour skipped when
/// daylight-saving time starts) does not fire on that day.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public var description: String { text }

    /// Parses `text`.
    /// - Throws: ``CronError`` naming the field and what was expected.
    public init(_ text: String) throws {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw CronError("\"\(text.prefix(60))\" has \(fields.count) field(s); a cron expression has five: minute hour day-of-month month day-of-week (e.g. \"0 2 * * 1-5\")")
        }
        self.text = fields.joined(separator: " ")
        minutes = try Self.field(fields[0], name: "minute", range: 0...59, names: [:])
        hours = try Self.field(fields[1], name: "hour", range: 0...23, names: [:])
        daysOfMonth = try Self.field(fields[2], name: "day-of-month", range: 1...31, names: [:])
        let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        months = try Self.field(fields[3], name: "month", range: 1...12,
                                names: Dictionary(uniqueKeysWithValues: monthNames.enumerated().map { ($1, $0 + 1) }))
        let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        let weekdays = try Self.field(fields[4], name: "day-of-week", range: 0...7,
                                      names: Dictionary(uniqueKeysWithValues: dayNames.enumerated().map { ($1, $0) }))
        daysOfWeek = Set(weekdays.map { $0 == 7 ? 0 : $0 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    private static func field(_ text: String, name: String, range: ClosedRange<Int>, names: [String: Int]) throws -> Set<Int> {
        func number(_ s: Substring) throws -> Int {
            if let n = Int(s), range.contains(n) { return n }
            if let n = names[s.lowercased()] { return n }
            throw CronError("\(name) field \"\(text.prefix(30))\": \"\(s.prefix(10))\" is not a value from \(range.lowerBound) to \(range.upperBound)")
        }
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let spec = pieces.first, !spec.isEmpty else {
                throw CronError("\(name) field \"\(text.prefix(30))\": \"\(part.prefix(20))\" is not a value, a range a-b, * or a step */n")
            }
            var step = 1
            if pieces.count == 2 {
                guard let n = Int(pieces[1]), n >= 1, n <= range.upperBound else {
                    throw CronError("\(name) field \"\(text.prefix(30))\": the step \"\(pieces[1].prefix(10))\" is not a whole number from 1 to \(range.upperBound)")
                }
                step = n
            }
            let low: Int, high: Int
            if spec == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = spec.firstIndex(of: "-") {
                low = try number(spec[..<dash])
                high = try number(spec[spec.index(after: dash)...])
                guard low <= high else {
                    throw CronError("\(name) field \"\(text.prefix(30))\": the range \(spec) runs backwards")
                }
            } else {
                low = try number(spec)
                high = pieces.count == 2 ? range.upperBound : low
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values
    }

    /// Whether the calendar day (`day` of `month`, `weekday` 0 = Sunday) matches the day fields.
    func matchesDay(day: Int, month: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): return daysOfMonth.contains(day) || daysOfWeek.contains(weekday)
        case (true, false): return daysOfMonth.contains(day)
        case (false, true): return daysOfWeek.contains(weekday)
        case (false, false): return true
        }
    }

    /// The first time strictly after `date` that the expression matches in `timeZone`; nil
    /// when none within five years (an expression such as `0 0 31 2 *`).
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let sortedHours = hours.sorted(), sortedMinutes = minutes.sorted()
        guard let startOfDay = calendar.dateInterval(of: .day, for: date)?.start else { return nil }
        var day = startOfDay
        for _ in 0..<(366 * 5) {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if let y = parts.year, let m = parts.month, let d = parts.day, let w = parts.weekday, matchesDay(day: d, month: m, weekday: w - 1) {
                for hour in sortedHours {
                    for minute in sortedMinutes {
                        let wanted = DateComponents(year: y, month: m, day: d, hour: hour, minute: minute, second: 0)
                        guard let candidate = calendar.date(from: wanted) else { continue }
                        let back = calendar.dateComponents([.day, .hour, .minute], from: candidate)
                        guard back.day == d, back.hour == hour, back.minute == minute else { continue }  // skipped by DST
                        if candidate > date { return candidate }
                    }
                }
            }
            guard let following = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = calendar.dateInterval(of: .day, for: following)?.start ?? following
        }
        return nil
    }
}

/// A cron expression that does not parse; the message names the field.
public struct CronError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
