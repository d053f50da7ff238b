import Foundation

/// When a service counts time: opening hours in a time zone, French public holidays, extra
/// closures, or round the clock. SLA targets are amounts of this calendar's open time.
public struct BusinessCalendar: Sendable, Equatable {
    /// Opening hours on one ISO weekday (1 Monday ... 7 Sunday), in minutes after local midnight.
    public struct Opening: Sendable, Equatable, Codable {
        public var weekday: Int
        public var start: Int
        public var end: Int

        public init(weekday: Int, start: Int, end: Int) {
            self.weekday = weekday
            self.start = start
            self.end = end
        }
    }

    /// Days the service is closed besides public holidays (school holidays, an office move).
    public struct Closure: Sendable, Equatable {
        public var from: LocalDate
        public var through: LocalDate
        public var reason: String

        public init(from: LocalDate, through: LocalDate, reason: String) {
            self.from = from
            self.through = through
            self.reason = reason
        }
    }

    public var timeZone: TimeZone
    public var alwaysOpen: Bool
    public var openings: [Opening]
    public var observesFrenchHolidays: Bool
    public var closures: [Closure]
    private let gregorian: Calendar

    public init(timeZone: TimeZone, alwaysOpen: Bool = false, openings: [Opening] = [], observesFrenchHolidays: Bool = true, closures: [Closure] = []) {
        self.timeZone = timeZone
        self.alwaysOpen = alwaysOpen
        self.openings = openings.sorted { ($0.weekday, $0.start) < ($1.weekday, $1.start) }
        self.observesFrenchHolidays = observesFrenchHolidays
        self.closures = closures
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = timeZone
        self.gregorian = gregorian
    }

    /// Every minute of every day.
    public static func roundTheClock(timeZone: TimeZone) -> BusinessCalendar {
        BusinessCalendar(timeZone: timeZone, alwaysOpen: true, observesFrenchHolidays: false)
    }

    /// The same hours on each of `weekdays`, e.g. Monday to Friday 7:30-17:30.
    public static func officeHours(timeZone: TimeZone, weekdays: ClosedRange<Int> = 1...5, from start: Int, to end: Int) -> BusinessCalendar {
        BusinessCalendar(timeZone: timeZone, openings: weekdays.map { Opening(weekday: $0, start: start, end: end) })
    }

    public static func == (lhs: BusinessCalendar, rhs: BusinessCalendar) -> Bool {
        lhs.timeZone == rhs.timeZone && lhs.alwaysOpen == rhs.alwaysOpen && lhs.openings == rhs.openings
            && lhs.observesFrenchHolidays == rhs.observesFrenchHolidays && lhs.closures == rhs.closures
    }

    /// Whether the calendar ever opens: a calendar without hours would never reach a deadline.
    public var isEverOpen: Bool { alwaysOpen || openings.contains { $0.end > $0.start } }

    /// The day `instant` falls on, in this calendar's time zone.
    public func localDate(of instant: Date) -> LocalDate {
        let parts = gregorian.dateComponents([.year, .month, .day], from: instant)
        return LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    /// The instant the wall clock shows `minutes` after midnight on `date` (24:00 is the next
    /// midnight), in this calendar's time zone: 7:30 stays 7:30 on the days clocks change.
    public func instant(_ date: LocalDate, minutes: Int = 0) -> Date {
        if minutes >= 24 * 60 { return instant(date.adding(days: minutes / (24 * 60)), minutes: minutes % (24 * 60)) }
        return gregorian.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: minutes / 60, minute: minutes % 60))!
    }

    /// Why nothing is open on `date` although its weekday has hours, if it is a holiday or a closure.
    public func closure(on date: LocalDate) -> String? {
        if alwaysOpen { return nil }
        if observesFrenchHolidays, let holiday = FrenchHolidays.holiday(on: date) { return "public holiday: \(holiday)" }
        return closures.first { $0.from <= date && date <= $0.through }.map { "closed: \($0.reason)" }
    }

    /// The open periods of `date`, in order.
    public func openPeriods(on date: LocalDate) -> [DateInterval] {
        if alwaysOpen { return [DateInterval(start: instant(date), end: instant(date.adding(days: 1)))] }
        guard closure(on: date) == nil else { return [] }
        return openings.filter { $0.weekday == date.weekday && $0.end > $0.start }.map {
            DateInterval(start: instant(date, minutes: $0.start), end: instant(date, minutes: $0.end))
        }
    }

    public func isOpen(at moment: Date) -> Bool {
        alwaysOpen || openPeriods(on: localDate(of: moment)).contains { $0.start <= moment && moment < $0.end }
    }

    /// The open time between two instants.
    public func businessTime(from start: Date, to end: Date) -> TimeInterval {
        guard end > start else { return 0 }
        if alwaysOpen { return end.timeIntervalSince(start) }
        var total: TimeInterval = 0
        var date = localDate(of: start)
        let last = localDate(of: end)
        while date <= last {
            for period in openPeriods(on: date) {
                let overlap = min(period.end, end).timeIntervalSince(max(period.start, start))
                if overlap > 0 { total += overlap }
            }
            date = date.adding(days: 1)
        }
        return total
    }

    /// The first instant at which `amount` of open time has passed since `start`: a deadline falls
    /// inside an open period or at its very end, never in a closed one. Nil when the calendar does
    /// not open within ten years.
    public func adding(_ amount: TimeInterval, to start: Date) -> Date? {
        guard amount > 0 else { return start }
        if alwaysOpen { return start.addingTimeInterval(amount) }
        guard isEverOpen else { return nil }
        var remaining = amount
        var date = localDate(of: start)
        for _ in 0..<3_660 {
            for period in openPeriods(on: date) where period.end > start {
                let from = max(period.start, start)
                let available = period.end.timeIntervalSince(from)
                if remaining <= available { return from.addingTimeInterval(remaining) }
                remaining -= available
            }
            date = date.adding(days: 1)
        }
        return nil
    }
}
