import Foundation
import PropertyBased
import Testing

@testable import GuichetDomain

/// Instants on whole minutes between 2024 and 2031, and amounts of whole minutes up to 300 hours.
private let instants = Gen.int(in: 0...(7 * 366 * 24 * 60)).map { parisTime("2024-01-01", 0).addingTimeInterval(TimeInterval($0 * 60)) }
private let amounts = Gen.int(in: 1...(300 * 60)).map { TimeInterval($0 * 60) }
private let calendars = Gen.bool.map { $0 ? officeHours : roundTheClock }

@Suite("Business calendar properties")
struct BusinessCalendarPropertyTests {
    @Test("adding open time then measuring it back gives the same amount")
    func addThenMeasure() async {
        await propertyCheck(count: 300, input: calendars, instants, amounts) { calendar, start, amount in
            guard let end = calendar.adding(amount, to: start) else {
                Issue.record("no deadline")
                return
            }
            #expect(abs(calendar.businessTime(from: start, to: end) - amount) < 0.001, "\(start) + \(amount)s = \(end)")
        }
    }

    @Test("a deadline never lands inside a closed period: the minute before it is open time")
    func deadlinesInOpenTime() async {
        await propertyCheck(count: 300, input: calendars, instants, amounts) { calendar, start, amount in
            guard let end = calendar.adding(amount, to: start) else { return }
            #expect(calendar.isOpen(at: end.addingTimeInterval(-60)), "\(end) follows closed time")
        }
    }

    @Test("every working day of office hours lasts ten hours of wall-clock time, daylight saving or not")
    func openingDaysLastTenHours() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...(7 * 366))) { offset in
            let date = LocalDate("2024-01-01")!.adding(days: offset)
            let periods = officeHours.openPeriods(on: date)
            if (1...5).contains(date.weekday) && FrenchHolidays.holiday(on: date) == nil {
                #expect(periods.map(\.duration) == [10 * 3600], "\(date)")
                #expect(officeHours.localDate(of: periods[0].start) == date)
            } else {
                #expect(periods.isEmpty, "\(date)")
            }
        }
    }

    @Test("a pause before the deadline moves it by exactly the open time the pause lasted")
    func pausesMoveDeadlines() async {
        await propertyCheck(count: 200, input: calendars, instants, amounts, Gen.int(in: 0...(200 * 60)), Gen.int(in: 1...(72 * 60))) {
            calendar, start, target, pauseAfter, pauseLength in
            var clock = SLAClock.started(.timeToResolve, target: target, at: start)
            guard let before = clock.due(on: calendar) else { return }
            let pausedAt = start.addingTimeInterval(TimeInterval(pauseAfter * 60))
            guard pausedAt < before else { return }
            let resumedAt = pausedAt.addingTimeInterval(TimeInterval(pauseLength * 60))
            clock.pause(at: pausedAt, on: calendar)
            #expect(clock.due(on: calendar) == nil, "a paused clock has no deadline")
            clock.resume(at: resumedAt)
            guard let after = clock.due(on: calendar) else { return }
            let moved = calendar.businessTime(from: before, to: after)
            #expect(abs(moved - calendar.businessTime(from: pausedAt, to: resumedAt)) < 0.001)
        }
    }
}
