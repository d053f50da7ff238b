import Foundation

/// When a periodic job is due: every fixed interval, or on a cron expression.
public enum Schedule: Sendable, Equatable {
    /// Every `interval`, aligned on the Unix epoch (so every node computes the same instants).
    case every(Duration)
    case cron(CronExpression)

    /// The latest scheduled instant at or before `date`.
    public func latest(atOrBefore date: Date) -> Date? {
        switch self {
        case .every(let interval):
            let seconds = max(interval.seconds, 1)
            return Date(timeIntervalSince1970: (date.timeIntervalSince1970 / seconds).rounded(.down) * seconds)
        case .cron(let expression):
            return expression.latest(atOrBefore: date)
        }
    }
}

/// A five-field cron expression (minute hour day-of-month month day-of-week) with `*`, numbers,
/// lists, ranges and steps, evaluated in a time zone (Europe/Paris for the service centre).
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let minutes: Set<Int>
    public let hours: Set<Int>
    public let daysOfMonth: Set<Int>
    public let months: Set<Int>
    /// 0 = Sunday ... 6 = Saturday (7 is accepted for Sunday).
    public let daysOfWeek: Set<Int>
    public let timeZone: TimeZone
    public let description: String
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public init(_ text: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws(CronError) {
        let fields = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 5 else { throw CronError(expression: text, reason: "it needs five fields: minute hour day month weekday") }
        minutes = try Self.parse(fields[0], range: 0...59, text: text)
        hours = try Self.parse(fields[1], range: 0...23, text: text)
        daysOfMonth = try Self.parse(fields[2], range: 1...31, text: text)
        months = try Self.parse(fields[3], range: 1...12, text: text)
        daysOfWeek = Set(try Self.parse(fields[4], range: 0...7, text: text).map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
        self.timeZone = timeZone
        description = text
    }

    static func parse(_ field: String, range: ClosedRange<Int>, text: String) throws(CronError) -> Set<Int> {
        var values: Set<Int> = []
        for part in field.split(separator: ",") {
            let stepParts = part.split(separator: "/", maxSplits: 1)
            var step = 1
            if stepParts.count == 2 {
                guard let value = Int(stepParts[1]), value > 0 else { throw CronError(expression: text, reason: "bad step in '\(part)'") }
                step = value
            }
            let body = stepParts[0]
            var bounds: ClosedRange<Int>
            if body == "*" {
                bounds = range
            } else if let dash = body.firstIndex(of: "-") {
                guard let low = Int(body[..<dash]), let high = Int(body[body.index(after: dash)...]), low <= high else {
                    throw CronError(expression: text, reason: "bad range '\(body)'")
                }
                bounds = low...high
            } else {
                guard let value = Int(body) else { throw CronError(expression: text, reason: "'\(body)' is not a number") }
                bounds = value...(stepParts.count == 2 ? range.upperBound : value)
            }
            guard range.contains(bounds.lowerBound), range.contains(bounds.upperBound) else {
                throw CronError(expression: text, reason: "'\(part)' is outside \(range.lowerBound)-\(range.upperBound)")
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    /// Whether the minute starting at `date` matches. As in cron, when both day fields are
    /// restricted, either one matching is enough.
    public func matches(_ date: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: date)
        guard let minute = parts.minute, let hour = parts.hour, let day = parts.day, let month = parts.month, let weekday = parts.weekday
        else { return false }
        let dayOfMonth = daysOfMonth.contains(day)
        let dayOfWeek = daysOfWeek.contains(weekday - 1)
        let dayMatches =
            dayOfMonthRestricted && dayOfWeekRestricted ? (dayOfMonth || dayOfWeek) : (dayOfMonth && dayOfWeek)
        return minutes.contains(minute) && hours.contains(hour) && months.contains(month) && dayMatches
    }

    /// The latest matching minute at or before `date`, looking back at most a year and a day.
    public func latest(atOrBefore date: Date) -> Date? {
        var candidate = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60)
        for _ in 0..<(366 * 24 * 60) {
            if matches(candidate) { return candidate }
            candidate = candidate.addingTimeInterval(-60)
        }
        return nil
    }
}

public struct CronError: Error, CustomStringConvertible {
    public let expression: String
    public let reason: String
    public var description: String { "The cron expression '\(expression)' is not valid: \(reason)." }
}
