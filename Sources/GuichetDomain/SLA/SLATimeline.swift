import Foundation

/// Explains a clock minute by minute: which stretches of its life counted and why the others did not.
public enum SLATimeline {
    public struct Segment: Sendable, Equatable {
        public var from: Date
        public var to: Date
        public var counted: Bool
        /// `open`, `paused: ticket pending`, `outside opening hours`, `public holiday: Ascension`, ...
        public var reason: String
    }

    /// The segments from the clock's start until it stopped or `now`; at most `limit`, the latest kept.
    public static func explain(_ clock: SLAClock, on calendar: BusinessCalendar, until now: Date, limit: Int = 500) -> [Segment] {
        let end = clock.stoppedAt ?? now
        var segments: [Segment] = []
        var cursor = clock.startedAt
        for pause in clock.pauses where pause.from < end {
            segments += counting(from: cursor, to: pause.from, on: calendar)
            let resumed = min(pause.to ?? end, end)
            if resumed > pause.from { segments.append(Segment(from: pause.from, to: resumed, counted: false, reason: "paused: ticket pending")) }
            cursor = resumed
        }
        segments += counting(from: cursor, to: end, on: calendar)
        return Array(merged(segments).suffix(limit))
    }

    /// Open and closed stretches of the calendar between two instants.
    static func counting(from start: Date, to end: Date, on calendar: BusinessCalendar) -> [Segment] {
        guard end > start else { return [] }
        if calendar.alwaysOpen { return [Segment(from: start, to: end, counted: true, reason: "open")] }
        var segments: [Segment] = []
        var cursor = start
        var date = calendar.localDate(of: start)
        while cursor < end {
            let closed = calendar.closure(on: date) ?? "outside opening hours"
            for period in calendar.openPeriods(on: date) where period.end > cursor && period.start < end {
                if period.start > cursor { segments.append(Segment(from: cursor, to: period.start, counted: false, reason: closed)) }
                let stop = min(period.end, end)
                segments.append(Segment(from: max(period.start, cursor), to: stop, counted: true, reason: "open"))
                cursor = stop
            }
            let nextDay = calendar.instant(date.adding(days: 1))
            let stop = min(nextDay, end)
            if stop > cursor { segments.append(Segment(from: cursor, to: stop, counted: false, reason: closed)) }
            cursor = max(cursor, stop)
            date = date.adding(days: 1)
        }
        return segments
    }

    static func merged(_ segments: [Segment]) -> [Segment] {
        var result: [Segment] = []
        for segment in segments {
            if var last = result.last, last.counted == segment.counted, last.reason == segment.reason, last.to == segment.from {
                last.to = segment.to
                result[result.count - 1] = last
            } else {
                result.append(segment)
            }
        }
        return result
    }
}
