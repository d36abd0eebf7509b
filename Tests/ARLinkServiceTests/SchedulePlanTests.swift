import ARLinkConfig
import ARLinkTestSupport
@testable import ARLinkService
import Foundation
import Testing

/// The scheduler's decisions, driven by given times: no sleeping.
@Suite("Schedules: cron, intervals, time zones, skipped firings")
struct SchedulePlanTests {
    static func date(_ text: String) throws -> Date {
        try #require(try? Date.ISO8601FormatStyle().parse(text), "\(text)")
    }

    static func zone(_ name: String) throws -> TimeZone { try #require(TimeZone(identifier: name)) }

    @Test("cron \"0 2 * * 1-5\" in Asia/Jakarta fires at 02:00 local (19:00 UTC) on working days only")
    func workingDaysJakarta() throws {
        let cron = try CronExpression("0 2 * * 1-5")
        let jakarta = try Self.zone("Asia/Jakarta")
        // Friday 2026-12-04 20:00 UTC is Saturday 03:00 in Jakarta: the next firing is Monday 02:00 local.
        var t = try Self.date("2026-12-04T20:00:00Z")
        var firings: [Date] = []
        for _ in 0..<6 {
            let next = try #require(cron.next(after: t, in: jakarta))
            firings.append(next)
            t = next
        }
        #expect(firings.first == (try Self.date("2026-12-06T19:00:00Z")))  // Monday 02:00 WIB
        #expect(firings.map { Int($0.timeIntervalSince(firings[0]) / 86_400) } == [0, 1, 2, 3, 4, 7])
    }

    @Test("cron in Europe/Berlin keeps local time across the daylight-saving change; a skipped hour does not fire")
    func daylightSaving() throws {
        let berlin = try Self.zone("Europe/Berlin")
        let daily = try CronExpression("30 1 * * *")
        // 2026-03-29: clocks go from 02:00 to 03:00 (CET to CEST).
        let before = try #require(daily.next(after: try Self.date("2026-03-28T12:00:00Z"), in: berlin))
        let after = try #require(daily.next(after: before, in: berlin))
        #expect(before == (try Self.date("2026-03-29T00:30:00Z")))  // 01:30 CET
        #expect(after == (try Self.date("2026-03-29T23:30:00Z")))  // 01:30 CEST
        let gap = try CronExpression("30 2 * * *")
        let skipped = try #require(gap.next(after: try Self.date("2026-03-28T12:00:00Z"), in: berlin))
        #expect(skipped == (try Self.date("2026-03-30T00:30:00Z")), "02:30 does not exist on 2026-03-29 in Berlin")
    }

    @Test("cron fields: steps, lists, names, day-of-month or day-of-week")
    func fields() throws {
        let utc = try Self.zone("UTC")
        let quarter = try CronExpression("*/15 9-10 * * *")
        var t = try Self.date("2026-06-01T08:59:00Z")
        var got: [String] = []
        for _ in 0..<9 {
            t = try #require(quarter.next(after: t, in: utc))
            got.append(String(t.formatted(Date.ISO8601FormatStyle()).dropFirst(11).prefix(5)))
        }
        #expect(got == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "10:45", "09:00"])
        // The 13th, or any Friday (classic cron: either day field matches when both are set).
        let either = try CronExpression("0 0 13 * fri")
        let first = try #require(either.next(after: try Self.date("2026-11-01T00:00:00Z"), in: utc))
        let second = try #require(either.next(after: first, in: utc))
        #expect(first == (try Self.date("2026-11-06T00:00:00Z")))  // a Friday
        #expect(second == (try Self.date("2026-11-13T00:00:00Z")))  // the 13th (a Friday too)
        let months = try CronExpression("0 0 1 jan,jul *")
        #expect(months.next(after: try Self.date("2026-02-01T00:00:00Z"), in: utc) == (try Self.date("2026-07-01T00:00:00Z")))
        #expect(try CronExpression("0 0 31 2 *").next(after: Date(timeIntervalSince1970: 0), in: utc) == nil)
    }

    @Test("malformed cron expressions are refused naming the field", arguments: [
        ("0 2 * *", "has 4 field(s)"),
        ("60 2 * * *", "minute field"),
        ("0 24 * * *", "hour field"),
        ("0 2 0 * *", "day-of-month field"),
        ("0 2 * 13 *", "month field"),
        ("0 2 * * 8", "day-of-week field"),
        ("0 5-2 * * *", "runs backwards"),
        ("*/0 * * * *", "step"),
        ("0 2 * * mon-", "day-of-week field"),
    ])
    func malformed(text: String, expected: String) {
        #expect(throws: CronError.self) { try CronExpression(text) }
        do { _ = try CronExpression(text) } catch let error as CronError { #expect(error.message.contains(expected), "\(error.message)") } catch { Issue.record("\(error)") }
    }

    @Test("durations accept s, m, h and d")
    func durations() {
        #expect(DurationText.parse("90s") == .seconds(90))
        #expect(DurationText.parse("5m") == .seconds(300))
        #expect(DurationText.parse("6h") == .seconds(21_600))
        #expect(DurationText.parse("3d") == .seconds(259_200))
        for bad in ["5", "m", "5 m", "-5m", "5w", "1.5h", "99999999999999999d"] { #expect(DurationText.parse(bad) == nil, "\(bad)") }
    }

    @Test("every: 5m fires from the start; a run of 12 minutes skips the firings inside it, counted, not queued")
    func skippedWhileRunning() throws {
        let start = try Self.date("2026-12-06T00:00:00Z")
        let inbound = ScheduleSettings(job: .inbound, timing: .every(.seconds(300)))
        let keys = ScheduleSettings(job: .keysCheck, timing: .cron(try CronExpression("*/10 * * * *"), try Self.zone("UTC")))
        var plan = SchedulePlan(schedules: [inbound, keys], start: start, jitter: { _ in .zero })
        #expect(plan.due(at: start).isEmpty)
        let five = start + 300
        #expect(plan.due(at: five) == [0])
        plan.started(0, at: five)
        // The run lasts until 00:17: inbound's 00:10 and 00:15 and keys-check's 00:10 fall inside it.
        let skipped = plan.finished(startedAt: five, endedAt: start + 17 * 60)
        #expect(skipped == [0: 2, 1: 1])
        #expect(plan.entries[0].runAt == start + 20 * 60)
        #expect(plan.entries[1].runAt == start + 20 * 60)
        #expect(plan.due(at: start + 17 * 60).isEmpty, "nothing queued up")
        // Both due at 00:20: the earlier-configured runs first; the other is still due after it (it fired before the run).
        let twenty = start + 20 * 60
        #expect(Set(plan.due(at: twenty)) == [0, 1])
        plan.started(0, at: twenty)
        #expect(plan.finished(startedAt: twenty, endedAt: twenty + 30).isEmpty)
        #expect(plan.due(at: twenty + 30) == [1])
    }

    @Test("jitter delays each firing by at most its bound")
    func jitter() throws {
        let start = try Self.date("2026-12-06T00:00:00Z")
        let schedule = ScheduleSettings(job: .outbound, timing: .every(.seconds(60)), jitter: .seconds(30))
        var plan = SchedulePlan(schedules: [schedule], start: start)
        var delays: Set<Int> = []
        for _ in 0..<50 {
            let entry = plan.entries[0]
            let delay = entry.runAt.timeIntervalSince(entry.base)
            #expect(delay >= 0 && delay <= 30)
            delays.insert(Int(delay))
            plan.started(0, at: entry.runAt)
        }
        #expect(delays.count > 3, "the delay varies")
    }

    @Test("HMAC-SHA256 matches RFC 4231 test case 2 and the openssl CLI")
    func hmac() throws {
        let mac = HMACSHA256.mac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        let hex = mac.map { String(format: "%02x", $0) }.joined()
        #expect(hex == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let longKey = [UInt8](repeating: 0xaa, count: 131)
        let message = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        let openssl = try ProcessRunner.run("openssl", ["dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:" + longKey.map { String(format: "%02x", $0) }.joined()],
                                            stdin: Data(message))
        #expect(openssl.stdout.contains(HMACSHA256.mac(key: longKey, message: message).map { String(format: "%02x", $0) }.joined()), "\(openssl.stdout)")
    }
}
