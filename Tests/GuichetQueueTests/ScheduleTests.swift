import Foundation
import GuichetQueue
import Testing

@Suite("Schedules and queue lists")
struct ScheduleTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let paris = TimeZone(identifier: "Europe/Paris")!

    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    @Test("fixed intervals are aligned on the epoch, so every node computes the same instants")
    func every() {
        let schedule = Schedule.every(.seconds(60))
        #expect(schedule.latest(atOrBefore: Self.date("2026-11-29T10:15:42Z")) == Self.date("2026-11-29T10:15:00Z"))
        #expect(schedule.latest(atOrBefore: Self.date("2026-11-29T10:15:00Z")) == Self.date("2026-11-29T10:15:00Z"))
    }

    @Test("cron fields accept stars, lists, ranges and steps")
    func cronFields() throws {
        let expression = try CronExpression("*/15 7-17 * * 1-5", timeZone: Self.utc)
        #expect(expression.minutes == [0, 15, 30, 45])
        #expect(expression.hours == Set(7...17))
        #expect(expression.daysOfWeek == Set(1...5))
        #expect(try CronExpression("0 0 * * 7").daysOfWeek == [0])
        #expect(try CronExpression("5,10 * * * *").minutes == [5, 10])
    }

    @Test("the latest matching minute is found, in the schedule's time zone")
    func cronLatest() throws {
        // weekdays at 07:30 Paris time; 2026-11-29 is a Sunday
        let opening = try CronExpression("30 7 * * 1-5", timeZone: Self.paris)
        #expect(opening.latest(atOrBefore: Self.date("2026-11-29T10:00:00Z")) == Self.date("2026-11-27T06:30:00Z"))
        #expect(opening.latest(atOrBefore: Self.date("2026-11-30T06:30:00Z")) == Self.date("2026-11-30T06:30:00Z"))
        // in summer, Paris is UTC+2
        #expect(opening.latest(atOrBefore: Self.date("2026-07-01T06:00:00Z")) == Self.date("2026-07-01T05:30:00Z"))
    }

    @Test("when both day fields are restricted, either one matching is enough, as in cron")
    func cronDayFields() throws {
        let expression = try CronExpression("0 12 1 * 1", timeZone: Self.utc)
        #expect(expression.matches(Self.date("2026-12-01T12:00:00Z")))  // the 1st, a Tuesday
        #expect(expression.matches(Self.date("2026-11-30T12:00:00Z")))  // a Monday
        #expect(!expression.matches(Self.date("2026-12-02T12:00:00Z")))
    }

    @Test("malformed cron expressions are refused with a reason", arguments: ["* * * *", "61 * * * *", "*/0 * * * *", "a * * * *", "5-1 * * * *"])
    func cronErrors(_ text: String) {
        #expect(throws: CronError.self) { try CronExpression(text) }
    }

    @Test("queue lists give each queue its own concurrency")
    func queueLists() throws {
        #expect(
            try QueueConcurrency.parse("assignment=8, notifications=4,default", defaultConcurrency: 2) == [
                QueueConcurrency(queue: "assignment", concurrency: 8), QueueConcurrency(queue: "notifications", concurrency: 4),
                QueueConcurrency(queue: "default", concurrency: 2),
            ]
        )
        for bad in ["", "a=0", "a=x", "a,a", "=3"] {
            #expect(throws: QueueListError.self, "\(bad)") { try QueueConcurrency.parse(bad, defaultConcurrency: 2) }
        }
    }
}
