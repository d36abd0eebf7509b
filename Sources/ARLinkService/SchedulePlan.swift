public import ARLinkConfig
public import Foundation

/// When each schedule fires next, and which firings a running job made the service skip.
///
/// A pure value driven by the times it is given, so the scheduler's decisions are tested with
/// any clock. A firing that falls while a job runs is not queued: it is counted as skipped and
/// the schedule moves on to its first firing after the run.
public struct SchedulePlan: Sendable {
    public struct Entry: Sendable {
        public let schedule: ScheduleSettings
        /// The firing time by the schedule, before jitter.
        public var base: Date
        /// When it runs: ``base`` plus this firing's jitter.
        public var runAt: Date
    }

    public private(set) var entries: [Entry]
    private let jitter: @Sendable (Duration) -> Duration

    /// Plans every schedule's first firing after `start`.
    /// - Parameter jitter: a random delay from zero to the schedule's jitter (replaceable in tests).
    public init(schedules: [ScheduleSettings], start: Date,
                jitter: @escaping @Sendable (Duration) -> Duration = SchedulePlan.randomJitter) {
        self.jitter = jitter
        entries = []
        for schedule in schedules {
            guard let base = Self.firing(of: schedule, after: start, previous: nil, start: start) else { continue }
            entries.append(Entry(schedule: schedule, base: base, runAt: base + jitter(schedule.jitter).timeInterval))
        }
    }

    /// A uniformly random delay in `0...limit`, whole milliseconds.
    public static func randomJitter(_ limit: Duration) -> Duration {
        let ms = limit.timeInterval * 1000
        guard ms >= 1 else { return .zero }
        return .milliseconds(Int64.random(in: 0...Int64(ms)))
    }

    /// The next firing of `schedule` strictly after `date`: cron in its time zone, or every
    /// interval counted from `start` (`previous` + interval once it has fired).
    static func firing(of schedule: ScheduleSettings, after date: Date, previous: Date?, start: Date) -> Date? {
        switch schedule.timing {
        case .cron(let expression, let zone):
            return expression.next(after: date, in: zone)
        case .every(let interval):
            let step = interval.timeInterval
            var next = (previous ?? start) + step
            if next <= date {
                let behind = ((date.timeIntervalSince(next)) / step).rounded(.down) + 1
                next += behind * step
            }
            return next
        }
    }

    /// The earliest moment any schedule runs; nil when there is none.
    public var nextRunAt: Date? { entries.map(\.runAt).min() }

    /// Indexes of the entries due at `now`, earliest first.
    public func due(at now: Date) -> [Int] {
        entries.indices.filter { entries[$0].runAt <= now }.sorted { entries[$0].runAt < entries[$1].runAt }
    }

    /// Entry `index` starts a run at `time`: it moves on to its next firing after `time`.
    public mutating func started(_ index: Int, at time: Date) {
        advance(index, after: time)
    }

    /// A run that started at `start` ended at `end`: every firing of any schedule in
    /// `(start, end]` is skipped. Returns the number skipped per entry (absent when none).
    /// Entries due before the run started stay due: they run next.
    public mutating func finished(startedAt start: Date, endedAt end: Date) -> [Int: Int] {
        var skipped: [Int: Int] = [:]
        for index in entries.indices {
            var guardCount = 0
            while entries[index].base > start && entries[index].base <= end && guardCount < 100_000 {
                skipped[index, default: 0] += 1
                advance(index, after: entries[index].base)
                guardCount += 1
            }
        }
        return skipped
    }

    /// An entry that will not run now (parked) moves on to its next firing after `time`.
    public mutating func pass(_ index: Int, at time: Date) {
        advance(index, after: time)
    }

    private mutating func advance(_ index: Int, after time: Date) {
        let entry = entries[index]
        let start = entry.base
        guard let next = Self.firing(of: entry.schedule, after: max(time, entry.base), previous: entry.base, start: start) else {
            entries[index].base = .distantFuture
            entries[index].runAt = .distantFuture
            return
        }
        entries[index].base = next
        entries[index].runAt = next + jitter(entry.schedule.jitter).timeInterval
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
