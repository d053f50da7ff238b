import Foundation
import Testing

@testable import GuichetDomain

let paris = TimeZone(identifier: "Europe/Paris")!

/// Monday to Friday, 7:30 to 17:30, Paris, French public holidays.
let officeHours = BusinessCalendar.officeHours(timeZone: paris, from: 7 * 60 + 30, to: 17 * 60 + 30)
let roundTheClock = BusinessCalendar.roundTheClock(timeZone: paris)

/// A Paris wall-clock time.
func parisTime(_ date: String, _ hour: Int, _ minute: Int = 0) -> Date {
    officeHours.instant(LocalDate(date)!, minutes: hour * 60 + minute)
}

@Suite("Business calendars")
struct BusinessCalendarTests {
    @Test(
        "Easter Sunday is computed for any year",
        arguments: [(2024, "2024-03-31"), (2025, "2025-04-20"), (2026, "2026-04-05"), (2027, "2027-03-28"), (2038, "2038-04-25"), (2285, "2285-03-22")]
    )
    func easter(year: Int, expected: String) {
        #expect(FrenchHolidays.easterSunday(year) == LocalDate(expected))
    }

    @Test("the eleven French public holidays of 2027, movable ones included")
    func holidays2027() {
        let days = FrenchHolidays.holidays(in: 2027).map(\.date.description)
        #expect(
            days == [
                "2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-08", "2027-05-17", "2027-07-14", "2027-08-15", "2027-11-01",
                "2027-11-11", "2027-12-25",
            ]
        )
        #expect(FrenchHolidays.holiday(on: LocalDate("2027-05-06")!) == "Ascension")
        #expect(FrenchHolidays.holiday(on: LocalDate("2027-05-17")!) == "Lundi de Pentecôte")
    }

    @Test("weekdays and day arithmetic follow the Gregorian calendar")
    func localDates() {
        #expect(LocalDate("1970-01-01")!.weekday == 4)
        #expect(LocalDate("2027-03-26")!.weekday == 5)
        #expect(LocalDate("2024-02-28")!.adding(days: 1) == LocalDate("2024-02-29"))
        #expect(LocalDate("2100-02-28")!.adding(days: 1) == LocalDate("2100-03-01"))
        #expect(LocalDate("2026-12-31")!.adding(days: 1) == LocalDate("2027-01-01"))
        #expect(LocalDate("2027-13-01") == nil)
    }

    @Test("opened at 16:00 on the Friday before Easter Monday: 4 hours of office time end on Tuesday at 10:00")
    func easterWeekend() throws {
        let friday = parisTime("2027-03-26", 16)
        #expect(try #require(officeHours.adding(4 * 3600, to: friday)) == parisTime("2027-03-30", 10))
        #expect(try #require(roundTheClock.adding(15 * 60, to: friday)) == parisTime("2027-03-26", 16, 15))
        #expect(try #require(roundTheClock.adding(4 * 3600, to: friday)) == parisTime("2027-03-26", 20))
        #expect(officeHours.closure(on: LocalDate("2027-03-29")!) == "public holiday: Lundi de Pâques")
    }

    @Test("opening hours keep their wall-clock time across daylight-saving changes")
    func daylightSaving() {
        // clocks go forward on Sunday 2026-03-29: 7:30 is 06:30 UTC on the Friday before, 05:30 UTC on the Monday after
        let utc = Date(timeIntervalSince1970: 0)
        let friday = officeHours.openPeriods(on: LocalDate("2026-03-27")!)
        let monday = officeHours.openPeriods(on: LocalDate("2026-03-30")!)
        #expect(friday.first?.start.timeIntervalSince(utc).truncatingRemainder(dividingBy: 86_400) == 6.5 * 3600)
        #expect(monday.first?.start.timeIntervalSince(utc).truncatingRemainder(dividingBy: 86_400) == 5.5 * 3600)
        #expect(monday.first?.duration == TimeInterval(10 * 3600))
        // round the clock, the day clocks go forward has 23 hours and the day they go back 25
        #expect(roundTheClock.businessTime(from: parisTime("2026-03-29", 0), to: parisTime("2026-03-30", 0)) == 23 * 3600)
        #expect(roundTheClock.businessTime(from: parisTime("2026-10-25", 0), to: parisTime("2026-10-26", 0)) == 25 * 3600)
    }

    @Test("extra closures close whole days and say why")
    func closures() {
        var calendar = officeHours
        calendar.closures = [BusinessCalendar.Closure(from: LocalDate("2027-02-15")!, through: LocalDate("2027-02-19")!, reason: "vacances d'hiver")]
        #expect(calendar.openPeriods(on: LocalDate("2027-02-17")!).isEmpty)
        #expect(calendar.closure(on: LocalDate("2027-02-17")!) == "closed: vacances d'hiver")
        #expect(calendar.adding(3600, to: parisTime("2027-02-12", 17)) == parisTime("2027-02-22", 8))
    }

    @Test("a calendar that never opens has no deadline rather than an endless search")
    func neverOpen() {
        let closed = BusinessCalendar(timeZone: paris, openings: [])
        #expect(closed.adding(60, to: parisTime("2027-01-04", 9)) == nil)
    }
}
