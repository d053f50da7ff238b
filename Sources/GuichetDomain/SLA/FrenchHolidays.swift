/// The public holidays of metropolitan France, for any year of the Gregorian calendar.
public enum FrenchHolidays {
    /// The eleven public holidays of `year`, with their French names.
    public static func holidays(in year: Int) -> [(date: LocalDate, name: String)] {
        let easter = easterSunday(year)
        return [
            (LocalDate(year: year, month: 1, day: 1), "Jour de l'an"),
            (easter.adding(days: 1), "Lundi de Pâques"),
            (LocalDate(year: year, month: 5, day: 1), "Fête du Travail"),
            (LocalDate(year: year, month: 5, day: 8), "Victoire 1945"),
            (easter.adding(days: 39), "Ascension"),
            (easter.adding(days: 50), "Lundi de Pentecôte"),
            (LocalDate(year: year, month: 7, day: 14), "Fête nationale"),
            (LocalDate(year: year, month: 8, day: 15), "Assomption"),
            (LocalDate(year: year, month: 11, day: 1), "Toussaint"),
            (LocalDate(year: year, month: 11, day: 11), "Armistice 1918"),
            (LocalDate(year: year, month: 12, day: 25), "Noël"),
        ].sorted { $0.0 < $1.0 }
    }

    /// The holiday falling on `date`, if any. Asked for every day a deadline crosses, so it looks
    /// at the fixed dates first and computes Easter only for days in its season.
    public static func holiday(on date: LocalDate) -> String? {
        switch (date.month, date.day) {
        case (1, 1): return "Jour de l'an"
        case (5, 1): return "Fête du Travail"
        case (5, 8): return "Victoire 1945"
        case (7, 14): return "Fête nationale"
        case (8, 15): return "Assomption"
        case (11, 1): return "Toussaint"
        case (11, 11): return "Armistice 1918"
        case (12, 25): return "Noël"
        case (3...6, _): return holidays(in: date.year).first { $0.date == date }?.name
        default: return nil
        }
    }

    /// Easter Sunday by the anonymous Gregorian algorithm (Meeus, Jones, Butcher).
    public static func easterSunday(_ year: Int) -> LocalDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return LocalDate(year: year, month: month, day: day)
    }
}
