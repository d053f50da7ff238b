import Foundation

/// What an SLA clock measures.
public enum SLAMetric: String, Sendable, CaseIterable, Codable {
    /// Time to own: from creation until an agent takes the ticket.
    case timeToOwn = "tto"
    /// Time to resolve: from creation until resolution, paused while the ticket is pending.
    case timeToResolve = "ttr"
}

/// One SLA clock of a ticket: a target amount of open time on a calendar, the open time already
/// counted, and whether it runs now. Targets are business time: a clock on office hours does not
/// move at night, and a paused clock does not move at all.
public struct SLAClock: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case running, paused
        /// Running, past its target.
        case breached
        /// Stopped within its target.
        case met
        /// Stopped after its target.
        case missed
    }

    /// A stretch of time during which the clock was paused; `to` is nil while it lasts.
    public struct Pause: Sendable, Equatable {
        public var from: Date
        public var to: Date?

        public init(from: Date, to: Date? = nil) {
            self.from = from
            self.to = to
        }
    }

    /// The share of the target at which a warning is due.
    public static let warningFraction = 0.75

    public var metric: SLAMetric
    public var target: TimeInterval
    public var startedAt: Date
    /// Open time counted before `runningSince` (all of it when the clock is paused or stopped).
    public var consumed: TimeInterval
    public var runningSince: Date?
    public var stoppedAt: Date?
    public var pauses: [Pause]
    public var warnedAt: Date?
    public var breachedAt: Date?

    public init(
        metric: SLAMetric, target: TimeInterval, startedAt: Date, consumed: TimeInterval = 0, runningSince: Date?, stoppedAt: Date? = nil,
        pauses: [Pause] = [], warnedAt: Date? = nil, breachedAt: Date? = nil
    ) {
        self.metric = metric
        self.target = target
        self.startedAt = startedAt
        self.consumed = consumed
        self.runningSince = runningSince
        self.stoppedAt = stoppedAt
        self.pauses = pauses
        self.warnedAt = warnedAt
        self.breachedAt = breachedAt
    }

    /// A clock that starts running at `start`.
    public static func started(_ metric: SLAMetric, target: TimeInterval, at start: Date) -> SLAClock {
        SLAClock(metric: metric, target: target, startedAt: start, runningSince: start)
    }

    public func elapsed(at now: Date, on calendar: BusinessCalendar) -> TimeInterval {
        consumed + (runningSince.map { calendar.businessTime(from: $0, to: now) } ?? 0)
    }

    public func remaining(at now: Date, on calendar: BusinessCalendar) -> TimeInterval {
        target - elapsed(at: now, on: calendar)
    }

    /// When the target is reached if the clock keeps running; nil while paused or once stopped.
    public func due(on calendar: BusinessCalendar) -> Date? {
        deadline(at: 1, on: calendar)
    }

    /// When `fraction` of the target is reached if the clock keeps running; at once when it already is.
    public func deadline(at fraction: Double, on calendar: BusinessCalendar) -> Date? {
        guard let since = runningSince else { return nil }
        return calendar.adding(max(0, target * fraction - consumed), to: since)
    }

    public func state(at now: Date, on calendar: BusinessCalendar) -> State {
        let over = elapsed(at: now, on: calendar) > target
        if stoppedAt != nil { return over ? .missed : .met }
        if over || breachedAt != nil { return .breached }
        return runningSince == nil ? .paused : .running
    }

    public var isRunning: Bool { runningSince != nil }

    /// Stops counting until `resume`; the pause is recorded for the timeline.
    public mutating func pause(at moment: Date, on calendar: BusinessCalendar) {
        guard let since = runningSince else { return }
        consumed += calendar.businessTime(from: since, to: max(since, moment))
        runningSince = nil
        pauses.append(Pause(from: moment))
    }

    public mutating func resume(at moment: Date) {
        guard runningSince == nil, stoppedAt == nil else { return }
        runningSince = moment
        if let last = pauses.indices.last, pauses[last].to == nil { pauses[last].to = moment }
    }

    /// Stops the clock for good (the ticket was taken, or resolved).
    public mutating func stop(at moment: Date, on calendar: BusinessCalendar) {
        guard stoppedAt == nil else { return }
        if let since = runningSince { consumed += calendar.businessTime(from: since, to: max(since, moment)) }
        runningSince = nil
        stoppedAt = moment
        if let last = pauses.indices.last, pauses[last].to == nil { pauses[last].to = moment }
    }

    /// Counts again after a stop (a resolved ticket reopened), from the time already counted.
    public mutating func restart(at moment: Date) {
        guard stoppedAt != nil else { return }
        stoppedAt = nil
        runningSince = moment
    }
}
